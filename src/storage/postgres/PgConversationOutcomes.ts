import { HANDOFF_TRIGGERS, type ConversationOutcomes, type ConversationWatch, type OutcomeEvent, type OutcomeFact, type WatchedConversation } from '../../domain/insights/ConversationOutcomes.js';
import {
  containment,
  csatFigures,
  ESCALATED,
  RESOLVED,
  SUPPORT,
  topTopicsOf,
  triageTopic,
  type InsightsFigures,
  type InsightsQuery,
  type InsightsRange,
} from '../../domain/insights/InsightsFigures.js';
import type { PgDatabase } from './PgDatabase.js';

/** The rollup rows of one range (and channel): $1 first day, $2 last day (both included), $3 channel or null. */
const IN_RANGE = `day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR channel = $3)`;

/** Each conversation's flags over the days of the range (a conversation spanning days counts once). */
const CONVERSATIONS_SQL = `
SELECT count(*) FILTER (WHERE f & ${SUPPORT} <> 0) AS conversations,
       count(*) FILTER (WHERE f & ${SUPPORT} <> 0 AND f & ${RESOLVED} <> 0) AS resolved,
       count(*) FILTER (WHERE f & ${SUPPORT} <> 0 AND f & ${ESCALATED} <> 0) AS escalated
FROM (SELECT bit_or(flags) AS f FROM conversation_outcome_days WHERE ${IN_RANGE} GROUP BY conversation) c`;

/** Event counts by kind and key (the key of `handoff_accepted` is its wait: a histogram for the median). */
const COUNTS_SQL = `SELECT kind, key, sum(n)::float8 AS n FROM conversation_outcome_counts WHERE ${IN_RANGE} GROUP BY 1, 2`;

/** The last triage of each request in the range (a clarified triage replaces the guess), grouped by decision. */
const REQUESTS_SQL = `
SELECT scope, intent, clause, guide, count(*)::int AS n FROM (
  SELECT DISTINCT ON (conversation, request) scope, intent, clause, guide
  FROM conversation_outcome_requests WHERE ${IN_RANGE}
  ORDER BY conversation, request, last_id DESC
) t GROUP BY 1, 2, 3, 4`;

/** The median of a histogram of values (value → how many), as median() of the values themselves. */
function histogramMedian(histogram: ReadonlyArray<{ value: number; n: number }>): number | null {
  const sorted = [...histogram].filter((h) => h.n > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((a, h) => a + h.n, 0);
  if (total === 0) return null;
  // The values at 0-based ranks lo and hi (equal for an odd total).
  const lo = Math.floor((total - 1) / 2);
  const hi = Math.floor(total / 2);
  let seen = 0;
  let low: number | null = null;
  for (const h of sorted) {
    if (low === null && lo < seen + h.n) low = h.value;
    if (hi < seen + h.n) return (low! + h.value) / 2;
    seen += h.n;
  }
  return null;
}

/**
 * Outcome events in PostgreSQL (table `conversation_outcomes`, migration 050): one row per event,
 * appended by every instance. The figures read the per-day rollups the insert trigger keeps in the
 * same transaction (migration 070: conversation flags, last triage per request, counts), three
 * statements run in parallel, so a range costs its days' conversations, not their events' jsonb. The abandoned-conversation watch is a table too,
 * so the job (once across instances) takes idle conversations and records their `abandoned` events
 * in one statement.
 */
export class PgConversationOutcomes implements ConversationOutcomes, InsightsQuery, ConversationWatch {
  constructor(private readonly database: PgDatabase) {}

  async record(event: OutcomeEvent): Promise<void> {
    await this.database.pool.query('INSERT INTO conversation_outcomes (at, channel, conversation, kind, fact) VALUES ($1, $2, $3, $4, $5::jsonb)', [
      event.at,
      event.channel,
      event.conversation,
      event.fact.kind,
      JSON.stringify(event.fact),
    ]);
  }

  /** Bulk append (imports, the bench): one statement per 5 000 events. */
  async recordBatch(events: readonly OutcomeEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 5_000) {
      const chunk = events.slice(i, i + 5_000);
      await this.database.pool.query(
        `INSERT INTO conversation_outcomes (at, channel, conversation, kind, fact)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
        [chunk.map((e) => e.at), chunk.map((e) => e.channel), chunk.map((e) => e.conversation), chunk.map((e) => e.fact.kind), chunk.map((e) => JSON.stringify(e.fact))],
      );
    }
  }

  async figures(range: InsightsRange): Promise<InsightsFigures> {
    const params = [range.from, range.to, range.channel ?? null];
    const pool = this.database.pool;
    const [conv, counted, requests] = await Promise.all([
      pool.query<{ conversations: string; resolved: string; escalated: string }>(CONVERSATIONS_SQL, params),
      pool.query<{ kind: string; key: string; n: number }>(COUNTS_SQL, params),
      pool.query<{ scope: string; intent: string; clause: string | null; guide: string | null; n: number }>(REQUESTS_SQL, params),
    ]);
    const counts = { rows: counted.rows.filter((r) => r.kind !== 'handoff_accepted') };
    const waits = counted.rows.filter((r) => r.kind === 'handoff_accepted').map((r) => ({ value: Number(r.key), n: r.n }));
    const conversations = Number(conv.rows[0]?.conversations ?? 0);
    const of = (kind: string, key = '') => counts.rows.filter((r) => r.kind === kind && (key === '*' || (r.key ?? '') === key)).reduce((a, r) => a + r.n, 0);
    const byTrigger = Object.fromEntries(HANDOFF_TRIGGERS.map((t) => [t, of('handoff', t)])) as InsightsFigures['handoffs']['byTrigger'];
    const topics: Record<string, number> = {};
    for (const r of counts.rows) if (r.kind === 'guide_shown' && r.key) topics[r.key] = (topics[r.key] ?? 0) + r.n;
    const clauses: Record<string, number> = {};
    for (const r of requests.rows) {
      const fact = { kind: 'triaged', scope: r.scope, intent: r.intent, clause: r.clause, ...(r.guide ? { guide: r.guide } : {}) } as Extract<OutcomeFact, { kind: 'triaged' }>;
      const topic = triageTopic(fact);
      if (topic) topics[topic] = (topics[topic] ?? 0) + r.n;
      if (r.scope === 'out_of_scope') clauses[r.clause ?? 'unspecified'] = (clauses[r.clause ?? 'unspecified'] ?? 0) + r.n;
    }
    const kept = of('first_response', 'true');
    const breached = of('first_response', 'false');
    const median = histogramMedian(waits);
    return {
      conversations,
      resolvedByBot: Number(conv.rows[0]?.resolved ?? 0),
      containmentRate: containment(conversations, Number(conv.rows[0]?.escalated ?? 0)),
      handoffs: { total: Object.values(byTrigger).reduce((a, b) => a + b, 0), byTrigger },
      tickets: { opened: of('ticket_opened'), resolved: of('ticket_resolved') },
      firstResponseSla: { due: kept + breached, kept, breached },
      queueWaitMedianSeconds: median,
      csat: csatFigures([1, 2, 3, 4, 5].map((n) => of('csat', String(n)))),
      topTopics: topTopicsOf(topics),
      outOfScopeByClause: clauses,
      warrantyChecks: { covered: of('warranty_checked', 'covered'), not_covered: of('warranty_checked', 'not_covered'), expired: of('warranty_checked', 'expired') },
    };
  }

  // ---- the abandoned-conversation watch ---------------------------------------------------------

  async watch(conversation: string, channel: string, at: string): Promise<void> {
    await this.database.pool.query(
      `INSERT INTO conversation_outcome_watch (conversation, channel, last_message_at) VALUES ($1, $2, $3)
       ON CONFLICT (conversation) DO UPDATE SET last_message_at = greatest(conversation_outcome_watch.last_message_at, excluded.last_message_at)`,
      [conversation, channel, at],
    );
  }

  async touch(conversation: string, at: string): Promise<void> {
    await this.database.pool.query('UPDATE conversation_outcome_watch SET last_message_at = greatest(last_message_at, $2) WHERE conversation = $1', [conversation, at]);
  }

  async unwatch(conversation: string): Promise<void> {
    await this.database.pool.query('DELETE FROM conversation_outcome_watch WHERE conversation = $1', [conversation]);
  }

  async abandonIdle(before: string, at: string, limit: number): Promise<WatchedConversation[]> {
    // One statement: the conversations leave the watch and get their event together, or neither.
    const { rows } = await this.database.pool.query<{ conversation: string; channel: string; last_message_at: Date }>(
      `WITH gone AS (
         DELETE FROM conversation_outcome_watch WHERE conversation IN (
           SELECT conversation FROM conversation_outcome_watch WHERE last_message_at < $1 ORDER BY last_message_at LIMIT $3 FOR UPDATE SKIP LOCKED
         ) RETURNING conversation, channel, last_message_at
       ), recorded AS (
         INSERT INTO conversation_outcomes (at, channel, conversation, kind, fact)
         SELECT $2, channel, conversation, 'abandoned', '{"kind":"abandoned"}'::jsonb FROM gone
       )
       SELECT conversation, channel, last_message_at FROM gone`,
      [before, at, limit],
    );
    return rows.map((r) => ({ conversation: r.conversation, channel: r.channel, lastMessageAt: r.last_message_at.toISOString() }));
  }

  /** Every stored row (tests: nothing personal in them). */
  async rows(): Promise<Array<{ at: Date; channel: string; conversation: string; kind: string; fact: unknown }>> {
    return (await this.database.pool.query('SELECT at, channel, conversation, kind, fact FROM conversation_outcomes ORDER BY id')).rows;
  }
}
