/** One activity in a conversation's feed, as Direct Line clients receive it. */
export type FeedActivity = Record<string, unknown> & { id: string };

interface Feed {
  /** Sequence number of the next activity (the watermark after it is appended). */
  next: number;
  activities: Array<{ seq: number; activity: FeedActivity; bytes: number }>;
  /** What the kept activities weigh (their JSON length), for the memory budget. */
  bytes: number;
  touched: number;
  listeners: Set<() => void>;
}

export interface FeedLimits {
  /** Activities kept per conversation; older ones fall off (a client further behind skips them). */
  perConversation: number;
  /** Conversations kept; the least recently used is dropped first. */
  conversations: number;
  /** A conversation untouched for this long is dropped. */
  idleMs: number;
  /** All feeds together weigh at most this (JSON bytes); the least recently used go first. */
  maxBytes: number;
}

const DEFAULT_LIMITS: FeedLimits = { perConversation: 500, conversations: 10_000, idleMs: 2 * 60 * 60 * 1000, maxBytes: 64 * 1024 * 1024 };

/**
 * The activity feeds of the self-hosted Direct Line conversations, in memory and bounded: a
 * restart forgets every conversation (clients get 404 and start a new one). Watermarks are the
 * sequence number of the last activity a client has seen.
 */
export class ConversationFeeds {
  private readonly feeds = new Map<string, Feed>();
  private readonly limits: FeedLimits;
  private totalBytes = 0;

  constructor(limits: Partial<FeedLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  has(conversationId: string): boolean {
    return this.live(conversationId) !== undefined;
  }

  /** Creates the conversation's feed if it does not exist yet. */
  open(conversationId: string): void {
    if (this.live(conversationId)) return;
    this.evict();
    this.feeds.set(conversationId, { next: 1, activities: [], bytes: 0, touched: this.now(), listeners: new Set() });
  }

  /** Appends an activity, giving it the id `<conversation>|<seq>`; null when the conversation is unknown. */
  append(conversationId: string, activity: Record<string, unknown>): FeedActivity | null {
    const feed = this.live(conversationId);
    if (!feed) return null;
    const seq = feed.next;
    feed.next += 1;
    const stored: FeedActivity = { ...activity, id: `${conversationId}|${String(seq).padStart(7, '0')}` };
    const bytes = JSON.stringify(stored).length;
    feed.activities.push({ seq, activity: stored, bytes });
    feed.bytes += bytes;
    this.totalBytes += bytes;
    if (feed.activities.length > this.limits.perConversation) {
      for (const dropped of feed.activities.splice(0, feed.activities.length - this.limits.perConversation)) {
        feed.bytes -= dropped.bytes;
        this.totalBytes -= dropped.bytes;
      }
    }
    feed.touched = this.now();
    this.keepWithinBudget(conversationId);
    for (const listener of [...feed.listeners]) listener();
    return stored;
  }

  /** Activities after the watermark, and the new watermark; null when the conversation is unknown. */
  since(conversationId: string, watermark: number): { activities: FeedActivity[]; watermark: number } | null {
    const feed = this.live(conversationId);
    if (!feed) return null;
    feed.touched = this.now();
    const activities = feed.activities.filter((a) => a.seq > watermark).map((a) => a.activity);
    return { activities, watermark: feed.next - 1 };
  }

  /** Calls `listener` after every append to the conversation; returns the unsubscribe function. */
  subscribe(conversationId: string, listener: () => void): (() => void) | null {
    const feed = this.live(conversationId);
    if (!feed) return null;
    feed.listeners.add(listener);
    return () => feed.listeners.delete(listener);
  }

  /** What all feeds weigh now (JSON bytes). */
  get bytes(): number {
    return this.totalBytes;
  }

  get size(): number {
    return this.feeds.size;
  }

  private drop(conversationId: string): void {
    const feed = this.feeds.get(conversationId);
    if (!feed) return;
    this.totalBytes -= feed.bytes;
    this.feeds.delete(conversationId);
  }

  /** Past the memory budget, the least recently used conversations go (never the one just written). */
  private keepWithinBudget(current: string): void {
    for (const id of this.feeds.keys()) {
      if (this.totalBytes <= this.limits.maxBytes) return;
      if (id !== current) this.drop(id);
    }
  }

  private live(conversationId: string): Feed | undefined {
    const feed = this.feeds.get(conversationId);
    if (feed && this.now() - feed.touched > this.limits.idleMs && feed.listeners.size === 0) {
      this.drop(conversationId);
      return undefined;
    }
    if (feed) {
      // Map order is insertion order: re-inserting keeps the least recently used first.
      this.feeds.delete(conversationId);
      this.feeds.set(conversationId, feed);
    }
    return feed;
  }

  private evict(): void {
    while (this.feeds.size >= this.limits.conversations) {
      const oldest = this.feeds.keys().next().value;
      if (oldest === undefined) return;
      this.drop(oldest);
    }
  }
}
