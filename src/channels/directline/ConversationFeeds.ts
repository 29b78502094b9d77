/** One activity in a conversation's feed, as Direct Line clients receive it. */
export type FeedActivity = Record<string, unknown> & { id: string };

/** Activities after a watermark, and the watermark after them. */
export interface FeedPage {
  activities: FeedActivity[];
  watermark: number;
}

export interface FeedLimits {
  /** Activities kept per conversation; older ones fall off (a client further behind skips them). */
  perConversation: number;
  /** Conversations kept (in memory); the least recently used is dropped first. */
  conversations: number;
  /** A conversation untouched for this long is dropped. */
  idleMs: number;
  /** All feeds together weigh at most this (JSON bytes, in memory); the least recently used go first. */
  maxBytes: number;
}

export const DEFAULT_FEED_LIMITS: FeedLimits = { perConversation: 500, conversations: 10_000, idleMs: 2 * 60 * 60 * 1000, maxBytes: 64 * 1024 * 1024 };

/**
 * The activity feeds of the self-hosted Direct Line conversations: what clients poll and stream.
 * Watermarks are the sequence number of the last activity a client has seen. Three
 * implementations: in memory (tests), on the DocumentStore (lowdb: survives a restart) and on
 * PostgreSQL (shared by every instance, appends of any instance wake every instance's streams).
 */
export interface ConversationFeeds {
  /** True while the conversation exists and has not expired. */
  has(conversationId: string): Promise<boolean>;
  /** Creates the conversation's feed if it does not exist yet (an expired one starts again, empty). */
  open(conversationId: string): Promise<void>;
  /**
   * Appends an activity, giving it the id `<conversation>|<seq>` (seq assigned atomically: two
   * appends never take the same one); null when the conversation is unknown.
   */
  append(conversationId: string, activity: Record<string, unknown>): Promise<FeedActivity | null>;
  /** Activities after the watermark, and the new watermark; null when the conversation is unknown. */
  since(conversationId: string, watermark: number): Promise<FeedPage | null>;
  /**
   * Calls `listener` after every append to the conversation (made by any instance sharing the
   * feeds); the listener reads what is new with `since`. Returns the unsubscribe function.
   */
  subscribe(conversationId: string, listener: () => void): () => void;
  /** Drops the conversations idle past the limit (with their activities); returns how many. */
  expireIdle(): Promise<number>;
}

/** `<conversation>|0000042`: the activity id clients see (and the user's echo carries). */
export function activityId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

interface Feed {
  /** Sequence number of the next activity (the watermark after it is appended). */
  next: number;
  activities: Array<{ seq: number; activity: FeedActivity; bytes: number }>;
  /** What the kept activities weigh (their JSON length), for the memory budget. */
  bytes: number;
  touched: number;
  listeners: Set<() => void>;
}

/**
 * The feeds in memory and bounded (tests, and a process that wants nothing on disk): a restart
 * forgets every conversation (clients get 404 and start a new one).
 */
export class InMemoryConversationFeeds implements ConversationFeeds {
  private readonly feeds = new Map<string, Feed>();
  private readonly limits: FeedLimits;
  private totalBytes = 0;

  constructor(limits: Partial<FeedLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { ...DEFAULT_FEED_LIMITS, ...limits };
  }

  async has(conversationId: string): Promise<boolean> {
    return this.live(conversationId) !== undefined;
  }

  async open(conversationId: string): Promise<void> {
    if (this.live(conversationId)) return;
    this.evict();
    this.feeds.set(conversationId, { next: 1, activities: [], bytes: 0, touched: this.now(), listeners: new Set() });
  }

  async append(conversationId: string, activity: Record<string, unknown>): Promise<FeedActivity | null> {
    const feed = this.live(conversationId);
    if (!feed) return null;
    const seq = feed.next;
    feed.next += 1;
    const stored: FeedActivity = { ...activity, id: activityId(conversationId, seq) };
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

  async since(conversationId: string, watermark: number): Promise<FeedPage | null> {
    const feed = this.live(conversationId);
    if (!feed) return null;
    feed.touched = this.now();
    const activities = feed.activities.filter((a) => a.seq > watermark).map((a) => a.activity);
    return { activities, watermark: feed.next - 1 };
  }

  subscribe(conversationId: string, listener: () => void): () => void {
    const feed = this.live(conversationId);
    if (!feed) return () => undefined;
    const entry = () => listener();
    feed.listeners.add(entry);
    return () => {
      feed.listeners.delete(entry);
    };
  }

  async expireIdle(): Promise<number> {
    let dropped = 0;
    for (const [id, feed] of [...this.feeds]) {
      if (!this.idle(feed)) continue;
      this.drop(id);
      dropped += 1;
    }
    return dropped;
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
    if (feed && this.idle(feed)) {
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

  /** Untouched past the limit, and nobody is streaming it. */
  private idle(feed: Feed): boolean {
    return this.now() - feed.touched > this.limits.idleMs && feed.listeners.size === 0;
  }

  private evict(): void {
    while (this.feeds.size >= this.limits.conversations) {
      const oldest = this.feeds.keys().next().value;
      if (oldest === undefined) return;
      this.drop(oldest);
    }
  }
}
