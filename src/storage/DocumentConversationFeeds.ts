import {
  activityId,
  DEFAULT_FEED_LIMITS,
  type ConversationFeeds,
  type FeedActivity,
  type FeedLimits,
  type FeedPage,
} from '../channels/directline/ConversationFeeds.js';
import { ETagConflictError, type DocumentStore, type StoredDocument } from '../domain/ports/DocumentStore.js';
import { KeyedLock } from './KeyedLock.js';
import { KeyedListeners } from '../domain/events/KeyedListeners.js';

export const FEED_COLLECTIONS = { conversations: 'directline-conversations', activities: 'directline-activities' } as const;

/** The conversation's document: the next sequence number and when it was last used. */
interface ConversationDoc {
  next: number;
  /** Epoch ms. */
  touched: number;
}

/** Attempts at one append when other writers keep taking the number (another process on a shared store). */
const MAX_ATTEMPTS = 20;

/**
 * The Direct Line feeds on the DocumentStore (the embedded store: DATA_DIR), so a restart keeps
 * every widget conversation: one document per activity, `<conversation>|<seq>`, and one per
 * conversation holding the next sequence number.
 *
 * An append claims its number by creating the activity's document create-only, then moves the
 * conversation's `next` past it with its eTag: two appends never take the same number, and a
 * reader (who reads only below `next`) never sees a number before its activity is written. An
 * activity whose writer died before moving `next` is found by the next append, which moves past
 * it. Bounds as in memory: `perConversation` activities (older ones deleted), conversations idle
 * past `idleMs` end (and are deleted by `expireIdle`). Listeners are this process's: one process
 * owns a lowdb DATA_DIR.
 */
export class DocumentConversationFeeds implements ConversationFeeds {
  private readonly limits: FeedLimits;
  private readonly locks = new KeyedLock();
  private readonly listeners = new KeyedListeners<() => void>();

  constructor(
    private readonly store: DocumentStore,
    limits: Partial<FeedLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_FEED_LIMITS, ...limits };
  }

  async has(conversationId: string): Promise<boolean> {
    return (await this.conversation(conversationId)) !== null;
  }

  async open(conversationId: string): Promise<void> {
    await this.locks.run(conversationId, async () => {
      const found = (await this.store.read<ConversationDoc>(FEED_COLLECTIONS.conversations, [conversationId])).get(conversationId);
      if (found && !this.expired(conversationId, found.value)) return;
      // An expired conversation starts again empty: its old activities must not reappear.
      if (found) await this.store.delete(FEED_COLLECTIONS.activities, this.range(conversationId, 1, found.value.next - 1));
      await this.store.write<ConversationDoc>(FEED_COLLECTIONS.conversations, conversationId, { next: 1, touched: this.now() }, found ? found.eTag : null);
    });
  }

  async append(conversationId: string, activity: Record<string, unknown>): Promise<FeedActivity | null> {
    const stored = await this.locks.run(conversationId, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const conversation = await this.conversation(conversationId);
        if (!conversation) return null;
        const seq = conversation.value.next;
        const candidate: FeedActivity = { ...activity, id: activityId(conversationId, seq) };
        try {
          await this.store.write(FEED_COLLECTIONS.activities, docId(conversationId, seq), candidate, null);
        } catch (err) {
          if (!(err instanceof ETagConflictError)) throw err;
          // Taken (by another writer, or by one that died before moving `next`): move past it.
          await this.advance(conversationId, conversation, seq + 1);
          continue;
        }
        await this.advance(conversationId, conversation, seq + 1);
        const dropped = seq - this.limits.perConversation;
        if (dropped >= 1) await this.store.delete(FEED_COLLECTIONS.activities, [docId(conversationId, dropped)]);
        return candidate;
      }
      throw new Error(`DocumentConversationFeeds.append(): no free sequence number for ${conversationId} after ${MAX_ATTEMPTS} attempts`);
    });
    if (stored) for (const listener of this.listeners.of(conversationId)) listener();
    return stored;
  }

  async since(conversationId: string, watermark: number): Promise<FeedPage | null> {
    const conversation = await this.conversation(conversationId);
    if (!conversation) return null;
    const last = conversation.value.next - 1;
    const from = Math.max(watermark + 1, last - this.limits.perConversation + 1, 1);
    const ids = this.range(conversationId, from, last);
    const docs = ids.length > 0 ? await this.store.read<FeedActivity>(FEED_COLLECTIONS.activities, ids) : new Map<string, StoredDocument<FeedActivity>>();
    const activities = ids.flatMap((id) => {
      const doc = docs.get(id);
      return doc ? [doc.value] : [];
    });
    await this.touch(conversationId, conversation);
    return { activities, watermark: last };
  }

  subscribe(conversationId: string, listener: () => void): () => void {
    return this.listeners.add(conversationId, listener);
  }

  async expireIdle(): Promise<number> {
    // Open streams keep their conversations, as in memory: touched first, so the sweep spares them.
    for (const conversationId of this.listeners.keys()) {
      const found = (await this.store.read<ConversationDoc>(FEED_COLLECTIONS.conversations, [conversationId])).get(conversationId);
      if (found) await this.touch(conversationId, found);
    }
    const before = new Date(this.now() - this.limits.idleMs);
    const removed = await this.store.expireIdle(FEED_COLLECTIONS.conversations, before);
    // An activity is never newer than its conversation's document (each append rewrites it), and
    // a client reconnecting to a live conversation asks only for what follows its watermark.
    await this.store.expireIdle(FEED_COLLECTIONS.activities, before);
    return removed;
  }

  /** The conversation's document, or null when it does not exist or has expired. */
  private async conversation(conversationId: string): Promise<StoredDocument<ConversationDoc> | null> {
    const found = (await this.store.read<ConversationDoc>(FEED_COLLECTIONS.conversations, [conversationId])).get(conversationId);
    if (!found || this.expired(conversationId, found.value)) return null;
    return found;
  }

  /** Moves `next` to at least `next` (with the eTag; re-read on a conflict). */
  private async advance(conversationId: string, read: StoredDocument<ConversationDoc>, next: number): Promise<void> {
    let current: StoredDocument<ConversationDoc> | undefined = read;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && current; attempt += 1) {
      if (current.value.next >= next) return;
      try {
        await this.store.write<ConversationDoc>(FEED_COLLECTIONS.conversations, conversationId, { next, touched: this.now() }, current.eTag);
        return;
      } catch (err) {
        if (!(err instanceof ETagConflictError)) throw err;
        current = (await this.store.read<ConversationDoc>(FEED_COLLECTIONS.conversations, [conversationId])).get(conversationId);
      }
    }
  }

  /**
   * A visitor who only reads (an open stream, polling) keeps the conversation alive too; the
   * document is rewritten at most every quarter of the idle limit, not on every poll.
   */
  private async touch(conversationId: string, read: StoredDocument<ConversationDoc>): Promise<void> {
    if (this.now() - read.value.touched < this.limits.idleMs / 4) return;
    await this.locks.run(conversationId, async () => {
      try {
        await this.store.write<ConversationDoc>(FEED_COLLECTIONS.conversations, conversationId, { ...read.value, touched: this.now() }, read.eTag);
      } catch (err) {
        // Written meanwhile (an append): that touched it already.
        if (!(err instanceof ETagConflictError)) throw err;
      }
    });
  }

  /** Untouched past the limit, and nobody here is streaming it. */
  private expired(conversationId: string, doc: ConversationDoc): boolean {
    return this.now() - doc.touched > this.limits.idleMs && !this.listeners.has(conversationId);
  }

  private range(conversationId: string, from: number, to: number): string[] {
    const ids: string[] = [];
    for (let seq = Math.max(1, from); seq <= to; seq += 1) ids.push(docId(conversationId, seq));
    return ids;
  }
}

function docId(conversationId: string, seq: number): string {
  return `${conversationId}|${seq}`;
}
