import { DEFAULT_FEED_LIMITS, type ConversationFeeds, type FeedActivity, type FeedLimits, type FeedPage } from '../../channels/directline/ConversationFeeds.js';
import type { BusEvent } from '../../domain/ports/EventBus.js';
import type { PgDatabase } from './PgDatabase.js';
import type { PgEventBus } from './PgEventBus.js';
import { KeyedListeners } from '../../domain/events/KeyedListeners.js';

/** The bus topic of appends: `{conversationId, watermark}`, so every instance's streams wake. */
export const DIRECT_LINE_TOPIC = 'directline';

interface AppendedPayload {
  conversationId: string;
  watermark: number;
}

function isAppended(payload: unknown): payload is AppendedPayload {
  return typeof payload === 'object' && payload !== null && typeof (payload as { conversationId?: unknown }).conversationId === 'string';
}

/**
 * The Direct Line feeds on PostgreSQL (`dl_conversations`, `dl_activities`), shared by every
 * instance: a token from one instance, a post on another and a stream on a third all see one
 * conversation, and a restart loses nothing. An append takes the conversation's next number with
 * a row lock (UPDATE … RETURNING) and commits the activity together with a bus event, whose
 * NOTIFY wakes the streams of every instance; they re-read from their watermark.
 */
export class PgConversationFeeds implements ConversationFeeds {
  private readonly limits: FeedLimits;
  private readonly listeners = new KeyedListeners<() => void>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly database: PgDatabase,
    private readonly bus: PgEventBus,
    limits: Partial<FeedLimits> = {},
  ) {
    this.limits = { ...DEFAULT_FEED_LIMITS, ...limits };
    this.unsubscribe = bus.subscribe(DIRECT_LINE_TOPIC, (event) => this.wake(event));
  }

  async has(conversationId: string): Promise<boolean> {
    const { rowCount } = await this.database.pool.query(
      `SELECT 1 FROM dl_conversations WHERE id = $1 AND touched_at >= now() - $2 * interval '1 millisecond'`,
      [conversationId, this.limits.idleMs],
    );
    return (rowCount ?? 0) > 0;
  }

  async open(conversationId: string): Promise<void> {
    await this.database.transaction(async (client) => {
      // An expired conversation starts again empty (its activities go with it: ON DELETE CASCADE).
      await client.query(`DELETE FROM dl_conversations WHERE id = $1 AND touched_at < now() - $2 * interval '1 millisecond'`, [conversationId, this.limits.idleMs]);
      await client.query('INSERT INTO dl_conversations (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [conversationId]);
    });
  }

  async append(conversationId: string, activity: Record<string, unknown>): Promise<FeedActivity | null> {
    return this.database.transaction(async (client) => {
      // The row lock of the UPDATE hands out each number once; the id is built from it in the same statement.
      const { rows } = await client.query<{ seq: string; activity: FeedActivity }>(
        `WITH taken AS (
           UPDATE dl_conversations SET next_seq = next_seq + 1, touched_at = now()
           WHERE id = $1 AND touched_at >= now() - $3 * interval '1 millisecond'
           RETURNING next_seq - 1 AS seq)
         INSERT INTO dl_activities (conversation_id, seq, activity)
         SELECT $1, seq, $2::jsonb || jsonb_build_object('id', $1 || '|' || lpad(seq::text, greatest(7, length(seq::text)), '0')) FROM taken
         RETURNING seq::text AS seq, activity`,
        [conversationId, JSON.stringify(activity), this.limits.idleMs],
      );
      const row = rows[0];
      if (!row) return null;
      const seq = Number(row.seq);
      // Trimmed in batches: `since` never reads below the cap anyway.
      if (seq > this.limits.perConversation && seq % 16 === 0) {
        await client.query('DELETE FROM dl_activities WHERE conversation_id = $1 AND seq <= $2', [conversationId, seq - this.limits.perConversation]);
      }
      await this.bus.publishIn(client, DIRECT_LINE_TOPIC, { conversationId, watermark: seq } satisfies AppendedPayload);
      return row.activity;
    });
  }

  async since(conversationId: string, watermark: number): Promise<FeedPage | null> {
    // One statement, one snapshot: the watermark and the activities below it agree.
    const { rows } = await this.database.pool.query<{ next: string; stale: boolean; activity: FeedActivity | null }>(
      `WITH c AS (
         SELECT next_seq, touched_at < now() - $4 * interval '1 millisecond' AS stale FROM dl_conversations
         WHERE id = $1 AND touched_at >= now() - $3 * interval '1 millisecond')
       SELECT c.next_seq::text AS next, c.stale, a.activity FROM c
       LEFT JOIN dl_activities a ON a.conversation_id = $1 AND a.seq > greatest($2, c.next_seq - 1 - $5) AND a.seq < c.next_seq
       ORDER BY a.seq`,
      [conversationId, watermark, this.limits.idleMs, this.limits.idleMs / 4, this.limits.perConversation],
    );
    const first = rows[0];
    if (!first) return null;
    // A visitor who only reads keeps the conversation alive too (rewritten at most every quarter of the limit).
    if (first.stale) await this.database.pool.query('UPDATE dl_conversations SET touched_at = now() WHERE id = $1', [conversationId]);
    const activities = rows.flatMap((r) => (r.activity ? [r.activity] : []));
    return { activities, watermark: Number(first.next) - 1 };
  }

  subscribe(conversationId: string, listener: () => void): () => void {
    return this.listeners.add(conversationId, listener);
  }

  async expireIdle(): Promise<number> {
    // Conversations streamed here stay, as in memory.
    const streamed = this.listeners.keys();
    if (streamed.length > 0) await this.database.pool.query('UPDATE dl_conversations SET touched_at = now() WHERE id = ANY($1::text[])', [streamed]);
    const { rowCount } = await this.database.pool.query(`DELETE FROM dl_conversations WHERE touched_at < now() - $1 * interval '1 millisecond'`, [this.limits.idleMs]);
    return rowCount ?? 0;
  }

  /** Stops following the bus (the database and the bus belong to the stores). */
  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private wake(event: BusEvent): void {
    if (!isAppended(event.payload)) return;
    for (const listener of this.listeners.of(event.payload.conversationId)) listener();
  }
}
