import { createHash } from 'node:crypto';
import type { ConversationOutcomes, ConversationWatch, OutcomeFact, WatchedConversation } from './ConversationOutcomes.js';
import { isEndingFact, isSupportFact } from './InsightsFigures.js';

/**
 * The opaque id of a conversation in the outcome events: a SHA-256 of its key
 * ("<channelId>/<conversationId>"), cut to 32 hex digits. Events of one conversation share it; the
 * conversation cannot be found from it.
 */
export function outcomeConversationId(conversationKey: string): string {
  return createHash('sha256').update(`outcome:${conversationKey}`).digest('hex').slice(0, 32);
}

/** The channel of a conversation key ("webchat/abc" → "webchat"). */
export function channelOfKey(conversationKey: string): string {
  const slash = conversationKey.indexOf('/');
  return slash > 0 ? conversationKey.slice(0, slash) : 'unknown';
}

export interface OutcomeRecorderOptions {
  /** A failed write (the customer's or staff's action goes on: Insights are not worth failing a turn for). */
  onError?: (err: unknown, kind: string) => void;
}

/**
 * What the bot and the services call to record an outcome: hashes the conversation key, stamps
 * the time, keeps the abandoned-conversation watch (a support request starts it, an ending stops
 * it), and never throws (a failure goes to `onError`).
 */
export class OutcomeRecorder {
  constructor(
    private readonly outcomes: ConversationOutcomes,
    private readonly watch: ConversationWatch,
    private readonly clock: () => Date,
    private readonly options: OutcomeRecorderOptions = {},
  ) {}

  /** Records one fact of the conversation with that key ("<channelId>/<conversationId>"). */
  async record(conversationKey: string, fact: OutcomeFact): Promise<void> {
    const conversation = outcomeConversationId(conversationKey);
    const channel = channelOfKey(conversationKey);
    const at = this.clock().toISOString();
    try {
      await this.outcomes.record({ conversation, channel, at, fact });
      if (isEndingFact(fact)) await this.watch.unwatch(conversation);
      else if (isSupportFact(fact)) await this.watch.watch(conversation, channel, at);
    } catch (err) {
      this.options.onError?.(err, fact.kind);
    }
  }

  /** The customer wrote: a watched conversation is not abandoned yet. */
  async customerMessage(conversationKey: string): Promise<void> {
    try {
      await this.watch.touch(outcomeConversationId(conversationKey), this.clock().toISOString());
    } catch (err) {
      this.options.onError?.(err, 'touch');
    }
  }

  /**
   * The abandoned-conversation job: every watched conversation whose customer has not written for
   * `idleMs` gets an `abandoned` event and leaves the watch. Returns how many.
   */
  async abandonIdle(idleMs: number, batch = 500): Promise<WatchedConversation[]> {
    const now = this.clock();
    const before = new Date(now.getTime() - idleMs).toISOString();
    const taken: WatchedConversation[] = [];
    for (;;) {
      const some = await this.watch.abandonIdle(before, now.toISOString(), batch);
      taken.push(...some);
      if (some.length < batch) return taken;
    }
  }
}
