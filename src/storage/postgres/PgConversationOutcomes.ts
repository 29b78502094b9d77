import { HANDOFF_TRIGGERS, type ConversationOutcomes, type ConversationWatch, type OutcomeEvent, type OutcomeFact, type WatchedConversation } from '../../domain/insights/ConversationOutcomes.js';
import {
  containment,
  csatFigures,
  rangeInstants,
  topTopicsOf,
  triageTopic,
  type InsightsFigures,
  type InsightsQuery,
  type InsightsRange,
} from '../../domain/insights/InsightsFigures.js';
import type { PgDatabase } from './PgDatabase.js';

/** The rows of one range (and channel): $1 start, $2 end (exclusive), $3 channel or null. */
const IN_RANGE = `at >= $1 AND at < $2 AND ($3::text IS NULL OR channel = $3)`;

/** The kinds that make a conversation a support conversation (isSupportFact, in SQL). */
const SUPPORT = `kind IN ('guide_shown', 'warranty_checked', 'resolved_by_bot', 'ticket_opened', 'handoff') OR (kind = 'triaged' AND fact->>'scope' <> 'off_topic')`;

const CONVERSATIONS_SQL = `
SELECT count(*) FILTER (WHERE s) AS conversations,
       count(*) FILTER (WHERE s AND r) AS resolved,
       count(*) FILTER (WHERE s AND x) AS escalated
FROM (
  SELECT bool_or(${SUPPORT}) AS s, bool_or(kind = 'resolved_by_bot') AS r, bool_or(kind IN ('ticket_opened', 'handoff')) AS x
  FROM conversation_outcomes WHERE ${IN_RANGE} GROUP BY conversation
) c`;

const COUNTS_SQL = `
SELECT kind,
       CASE kind WHEN 'handoff' THEN fact->>'trigger' WHEN 'first_response' THEN fact->>'kept' WHEN 'csat' THEN fact->>'rating'
                 WHEN 'warranty_checked' THEN fact->>'status' WHEN 'guide_shown' THEN fact->>'guide' ELSE '' END AS key,
       count(*)::int AS n
FROM conversation_outcomes
WHERE ${IN_RANGE} AND kind IN ('handoff', 'ticket_opened', 'ticket_resolved', 'first_response', 'csat', 'warranty_checked', 'guide_shown', 'abandoned')
GROUP BY 1, 2`;

const WAIT_SQL = `
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY (fact->>'waitSeconds')::float8) AS median
FROM conversation_outcomes WHERE ${IN_RANGE} AND kind = 'handoff_accepted'`;

/** The last triage of each request (a clarified triage replaces the guess), grouped by decision. */
const REQUESTS_SQL = `
SELECT scope, intent, clause, guide, count(*)::int AS n FROM (
  SELECT DISTINCT ON (conversation, coalesce(fact->>'request', id::text))
         fact->>'scope' AS scope, fact->>'intent' AS intent, fact->>'clause' AS clause, fact->>'guide' AS guide
  FROM conversation_outcomes WHERE ${IN_RANGE} AND kind = 'triaged'
  ORDER BY conversation, coalesce(fact->>'request', id::text), id DESC
) t GROUP BY 1, 2, 3, 4`;

/**
 * Outcome events in PostgreSQL (table `conversation_outcomes`, migration 050): one row per event,
 * appended by every instance; the figures are SQL aggregates over a range of `at` (indexed, with
 * the channel), four statements run in parallel. The abandoned-conversation watch is a table too,
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
    const { start, end } = rangeInstants(range);
    const params = [start, end, range.channel ?? null];
    const pool = this.database.pool;
    const [conv, counts, wait, requests] = await Promise.all([
      pool.query<{ conversations: string; resolved: string; escalated: string }>(CONVERSATIONS_SQL, params),
      pool.query<{ kind: string; key: string | null; n: number }>(COUNTS_SQL, params),
      pool.query<{ median: number | null }>(WAIT_SQL, params),
      pool.query<{ scope: string; intent: string; clause: string | null; guide: string | null; n: number }>(REQUESTS_SQL, params),
    ]);
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
    const median = wait.rows[0]?.median;
    return {
      conversations,
      resolvedByBot: Number(conv.rows[0]?.resolved ?? 0),
      containmentRate: containment(conversations, Number(conv.rows[0]?.escalated ?? 0)),
      handoffs: { total: Object.values(byTrigger).reduce((a, b) => a + b, 0), byTrigger },
      tickets: { opened: of('ticket_opened'), resolved: of('ticket_resolved') },
      firstResponseSla: { due: kept + breached, kept, breached },
      queueWaitMedianSeconds: median === null || median === undefined ? null : Number(median),
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
