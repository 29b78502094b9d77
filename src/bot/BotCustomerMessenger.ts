import type { ConversationReference } from 'botbuilder';
import { DeliveryError, type CustomerMessenger } from '../domain/ports/CustomerMessenger.js';
import type { ConversationAddress } from '../domain/tickets/Ticket.js';
import type { ConversationTransports } from './ConversationTransports.js';

/**
 * Proactive messages into a customer's conversation (the stored ConversationReference), through
 * whichever channel proves the address: one attempt per call. A failure rejects with a
 * DeliveryError whose message is a short reason without the customer's text ("channel refused:
 * 403", "unreachable: ECONNREFUSED", "unreachable: no address"); the delivery queue
 * (CustomerDeliveries) adds the timeout and retries and reports the outcome.
 */
export class BotCustomerMessenger implements CustomerMessenger {
  constructor(private readonly transports: ConversationTransports) {}

  async send(address: ConversationAddress, text: string): Promise<void> {
    // A send that fails inside the proactive turn would end in the adapter's onTurnError, which logs
    // it as a failed turn (and clears conversation state) while the send looks delivered: the
    // failure is caught in the turn and rethrown once the turn is over.
    let failure: unknown;
    try {
      await this.transports.continueConversation(address as Partial<ConversationReference>, async (context) => {
        try {
          await context.sendActivity(text);
        } catch (err) {
          failure = err;
        }
      });
    } catch (err) {
      throw deliveryError(err);
    }
    if (failure !== undefined) throw deliveryError(failure);
  }
}

/**
 * The channel's answer as a short reason. A 4xx other than 408/429 is permanent (the conversation
 * is gone, the bot was removed, the reference is wrong); 5xx, 408, 429 and network errors may pass.
 */
export function deliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { statusCode?: unknown; code?: unknown; name?: unknown } | null;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status !== undefined) {
    const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
    return new DeliveryError(`channel refused: ${status}`, permanent, { cause: err });
  }
  if (typeof e?.code === 'string' && /^[A-Z][A-Z_]*$/.test(e.code)) return new DeliveryError(`unreachable: ${e.code}`, false, { cause: err });
  // The channel's own message is not shown: it is not ours, may be long, and could echo the text.
  return new DeliveryError(`channel error: ${typeof e?.name === 'string' ? e.name : 'unknown'}`, false, { cause: err });
}
