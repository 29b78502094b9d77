import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { LanguageReplies } from '../src/knowledge/schemas.js';
import { HANDOFF_DIALOG_ID, type HandoffOptions } from './HandoffDialog.js';
import { TICKET_DIALOG_ID, type TicketOptions } from './TicketDialog.js';

/**
 * Does what the customer picked from the "a person, a ticket, or no thanks" offer made in their
 * own language: a person → the handoff, a ticket → the ticket questions, each after a sentence in
 * that language; anything else → declined, and the step's dialog ends with `declinedResult`.
 * Both the English-only answer (TriageDialog) and the triaged-language answer
 * (SecondLanguageTriageDialog) act on the offer this way.
 */
export async function actOnPickedOffer(
  step: WaterfallStepContext,
  picked: string,
  offer: LanguageReplies,
  /** What the customer wrote: the summary the person or the ticket starts from. */
  summary: string,
  declinedResult?: object,
): Promise<DialogTurnResult> {
  if (picked === offer.person) {
    await step.context.sendActivity(offer.personNext);
    return step.beginDialog(HANDOFF_DIALOG_ID, { reason: 'asked', summary } satisfies HandoffOptions);
  }
  if (picked === offer.ticket) {
    await step.context.sendActivity(offer.ticketNext);
    return step.beginDialog(TICKET_DIALOG_ID, { summary } satisfies TicketOptions);
  }
  await step.context.sendActivity(offer.declined);
  return step.endDialog(declinedResult);
}
