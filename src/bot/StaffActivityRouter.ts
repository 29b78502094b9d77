import type { TurnContext } from 'botbuilder';

/**
 * Routes an activity that is staff's, not a customer's (e.g. an agent replying in the Teams staff
 * channel); true when it was and has been handled. Defined here so the bot core needs no channel code:
 * a staff channel plug-in implements it.
 */
export interface StaffActivityRouter {
  handle(context: TurnContext): Promise<boolean>;
}
