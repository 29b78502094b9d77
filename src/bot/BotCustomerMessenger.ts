import { ActivityTypes, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import { DeliveryError, type CustomerMessenger, type MessageSender } from '../domain/ports/CustomerMessenger.js';
import type { ConversationAddress } from '../domain/tickets/Ticket.js';
import type { SurveyInvite } from '../domain/insights/SatisfactionSurvey.js';
import { surveyActivities } from '../../dialogs/rendering/surveyCard.js';
import type { ConversationTransports } from './ConversationTransports.js';

/** Channels whose client is Web Chat: there the page reads `channelData.agent` (other channels' channelData has a schema of its own). */
const WEB_CHAT_CHANNELS = new Set(['webchat', 'directline', 'emulator']);

/**
 * Proactive messages into a customer's conversation (the stored ConversationReference), through
 * whichever channel proves the address: one attempt per call. A failure rejects with a
 * DeliveryError whose message is a short reason without the customer's text ("channel refused:
 * 403", "unreachable: ECONNREFUSED", "unreachable: no address"); the delivery queue
 * (CustomerDeliveries) adds the timeout and retries and reports the outcome.
 *
 * A message `from` an agent keeps the bot's account id (channels accept only that) with the
 * agent's name as `from.name`, and on Web Chat channels `channelData.agent: { name }`, so the
 * widget shows it under the agent's name and avatar. Teams, Slack and the other channels show the
 * bot's own name on everything it sends, whatever `from.name` says: there the text starts with
 * the agent's name ("Dana Lee: …").
 */
export class BotCustomerMessenger implements CustomerMessenger {
  constructor(private readonly transports: ConversationTransports) {}

  async send(address: ConversationAddress, text: string, from?: MessageSender, survey?: SurveyInvite): Promise<void> {
    // The survey in the channel's own form (a card, Slack buttons, the question as text): one message.
    const [activity] = survey ? surveyActivities(typeof address.channelId === 'string' ? address.channelId : undefined, survey, text) : [];
    await this.sendOne(address, activity ?? { type: ActivityTypes.Message, text }, from);
  }

  /**
   * "Typing…" from an agent into the customer's conversation (the agent console sends it while the
   * agent writes). Best effort, one attempt; rejects with a DeliveryError as `send` does.
   */
  async typing(address: ConversationAddress, from?: MessageSender): Promise<void> {
    await this.sendOne(address, { type: ActivityTypes.Typing }, from);
  }

  private async sendOne(address: ConversationAddress, activity: Partial<Activity>, from?: MessageSender): Promise<void> {
    // A send that fails inside the proactive turn would end in the adapter's onTurnError, which logs
    // it as a failed turn (and clears conversation state) while the send looks delivered: the
    // failure is caught in the turn and rethrown once the turn is over.
    let failure: unknown;
    try {
      await this.transports.continueConversation(address as Partial<ConversationReference>, async (context) => {
        try {
          if (from) asSender(context, from);
          await context.sendActivity(activity);
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

/** Names the sender on what this proactive turn sends: after the conversation reference is applied (it sets `from` to the bot). */
function asSender(context: TurnContext, from: MessageSender): void {
  const webChat = WEB_CHAT_CHANNELS.has(context.activity.channelId);
  context.onSendActivities(async (_context, activities, next) => {
    for (const activity of activities) {
      // The reference's bot account: its id is what every channel requires.
      if (activity.from) activity.from = { ...activity.from, name: from.name };
      if (webChat) activity.channelData = { ...(activity.channelData as Record<string, unknown> | undefined), agent: { name: from.name } };
      else if (activity.type === ActivityTypes.Message && typeof activity.text === 'string') activity.text = `${from.name}: ${activity.text}`;
    }
    return next();
  });
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
