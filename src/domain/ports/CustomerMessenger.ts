import type { SurveyInvite } from '../insights/SatisfactionSurvey.js';
import type { ConversationAddress } from '../tickets/Ticket.js';

/**
 * The channel side of a proactive message (a ticket update, an agent's line, a queue position):
 * one attempt to put `text` into the customer's existing conversation. The bot layer implements it
 * with the adapter.
 *
 * It resolves only once the channel accepted the message and REJECTS on any failure, preferably
 * with a DeliveryError whose message is a short reason (never the customer's text). Callers do not
 * call it directly: they go through CustomerDeliveries, which adds the timeout, the retries and
 * the report of a final failure.
 */
export interface CustomerMessenger {
  /**
   * `from`: a person the message is from (an agent's line); without it the message is the bot's.
   * `survey`: the message is the satisfaction survey, drawn as the channel's rating buttons (`text` is its words).
   */
  send(address: ConversationAddress, text: string, from?: MessageSender, survey?: SurveyInvite): Promise<void>;
}

/** Who a proactive message is from when it is not the bot: the widget shows the agent's name and avatar. */
export interface MessageSender {
  /** The agent's name as staff know it ("dana"). */
  name: string;
}

/**
 * A failed delivery attempt. `message` is the reason staff see ("channel refused: 403",
 * "unreachable: no address"); `permanent` says that trying again cannot help (the delivery
 * queue then gives up at once instead of retrying).
 */
export class DeliveryError extends Error {
  constructor(
    reason: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'DeliveryError';
  }
}
