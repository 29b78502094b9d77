import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import type { ConversationRecords } from '../conversation/ConversationRecords.js';
import type { TranscriptLine } from '../domain/tickets/Ticket.js';

/** What a line of transcript shows for an outgoing activity: its text, or a card's summary. */
function textOf(activity: Partial<Activity>): string | undefined {
  if (activity.type !== ActivityTypes.Message) return undefined;
  const text = activity.text?.trim() || activity.summary?.trim();
  return text || undefined;
}

/**
 * Keeps the conversation's transcript on its record (customer and bot messages), so a ticket or
 * a person taking over sees what was said. Runs on every turn, before the bot.
 */
export class TranscriptRecorder implements Middleware {
  constructor(
    private readonly records: ConversationRecords,
    private readonly now: () => Date,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const incoming = textOf(context.activity);
    if (incoming) {
      await this.records.appendTranscript(context, [{ at: this.now().toISOString(), from: 'customer', text: incoming }]);
      await this.records.customerWrote(context);
    }
    context.onSendActivities(async (ctx, activities, send) => {
      const lines = activities.flatMap((a): TranscriptLine[] => {
        const text = textOf(a);
        return text ? [{ at: this.now().toISOString(), from: 'bot', text }] : [];
      });
      await this.records.appendTranscript(ctx, lines);
      return send();
    });
    await next();
  }
}
