import type { Migration } from './index.js';

/** The UTC day an event counts on (README "Insights": an event counts on the day it was recorded). */
const DAY = `(at AT TIME ZONE 'UTC')::date`;

/** The flags one event sets on its conversation: isSupportFact → 1, escalated → 2, resolved → 4 (InsightsFigures.ts). */
const FLAGS = `(CASE WHEN kind IN ('guide_shown', 'warranty_checked', 'resolved_by_bot', 'ticket_opened', 'handoff') OR (kind = 'triaged' AND fact->>'scope' <> 'off_topic') THEN 1 ELSE 0 END
 | CASE WHEN kind IN ('ticket_opened', 'handoff') THEN 2 ELSE 0 END
 | CASE WHEN kind = 'resolved_by_bot' THEN 4 ELSE 0 END)`;

/** What an event is counted by; `handoff_accepted` by its wait, so the median is read from a histogram. */
const KEY = `coalesce(CASE kind WHEN 'handoff' THEN fact->>'trigger' WHEN 'first_response' THEN fact->>'kept' WHEN 'csat' THEN fact->>'rating'
 WHEN 'warranty_checked' THEN fact->>'status' WHEN 'guide_shown' THEN fact->>'guide' WHEN 'handoff_accepted' THEN fact->>'waitSeconds' ELSE '' END, '')`;

const COUNTED_KINDS = `('handoff', 'ticket_opened', 'ticket_resolved', 'first_response', 'csat', 'warranty_checked', 'guide_shown', 'abandoned', 'handoff_accepted')`;

/**
 * Folds the events of `source` (a relation with the columns of conversation_outcomes) into the
 * three rollups. Each INSERT feeds its rows in key order, so two instances inserting at once take
 * row locks in the same order (no deadlock); the upserts merge what another instance wrote.
 */
function foldInto(source: string, { counts = true } = {}): string {
  return `
INSERT INTO conversation_outcome_days AS d (day, channel, conversation, flags)
SELECT ${DAY}, channel, conversation, bit_or(${FLAGS}) FROM ${source}
GROUP BY 1, 2, 3 HAVING bit_or(${FLAGS}) <> 0 ORDER BY 1, 2, 3
ON CONFLICT (day, channel, conversation) DO UPDATE SET flags = d.flags | excluded.flags WHERE d.flags <> (d.flags | excluded.flags);

INSERT INTO conversation_outcome_requests AS r (day, channel, conversation, request, last_id, scope, intent, clause, guide)
SELECT DISTINCT ON (1, 2, 3, 4) ${DAY}, channel, conversation, coalesce(fact->>'request', id::text), id, fact->>'scope', fact->>'intent', fact->>'clause', fact->>'guide'
FROM ${source} WHERE kind = 'triaged' ORDER BY 1, 2, 3, 4, id DESC
ON CONFLICT (day, channel, conversation, request) DO UPDATE
  SET last_id = excluded.last_id, scope = excluded.scope, intent = excluded.intent, clause = excluded.clause, guide = excluded.guide
  WHERE excluded.last_id > r.last_id;
${counts ? COUNTS_FOLD(source) : ''}`;
}

const COUNTS_FOLD = (source: string) => `
INSERT INTO conversation_outcome_counts AS c (day, channel, kind, key, n)
SELECT ${DAY}, channel, kind, ${KEY}, count(*) FROM ${source} WHERE kind IN ${COUNTED_KINDS}
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
ON CONFLICT (day, channel, kind, key) DO UPDATE SET n = c.n + excluded.n;`;

/**
 * Rollups of `conversation_outcomes` for the Insights query (issue 11: 100,000 conversations took
 * 0.9–2.4 s, mostly sorting 320,000 jsonb rows by conversation). Kept by triggers in the inserting
 * transaction, so they cannot drift from the events, whichever instance or statement inserts:
 * - `conversation_outcome_days`: per UTC day, channel and conversation, the OR of its events'
 *   flags (support, escalated, resolved); a range ORs the days of each conversation, as before.
 * - `conversation_outcome_requests`: per day, channel, conversation and request, its last triage
 *   (highest event id); a range keeps the highest id of each request, as before.
 * - `conversation_outcome_counts`: per day, channel, kind and key (trigger, rating, status, guide,
 *   kept, wait seconds) the number of events.
 * A DELETE (a retention job) takes the deleted events out again: counts are decremented, the day
 * rows of the conversations touched are rebuilt from the events left. Existing events are folded in
 * here, with inserts blocked until this commits (an instance of the previous version may be running).
 * `conversation` sorts as bytes (COLLATE "C"): it is a hex hash, and grouping 100,000 of them by the
 * locale's rules was most of the old query's time.
 */
export const conversationOutcomeRollups: Migration = {
  version: 70,
  name: 'conversation_outcome_rollups',
  sql: `
LOCK TABLE conversation_outcomes IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE conversation_outcome_days (
  day date NOT NULL,
  channel text NOT NULL,
  conversation text COLLATE "C" NOT NULL,
  flags smallint NOT NULL,
  PRIMARY KEY (day, channel, conversation)
);

CREATE TABLE conversation_outcome_requests (
  day date NOT NULL,
  channel text NOT NULL,
  conversation text COLLATE "C" NOT NULL,
  request text COLLATE "C" NOT NULL,
  last_id bigint NOT NULL,
  scope text,
  intent text,
  clause text,
  guide text,
  PRIMARY KEY (day, channel, conversation, request)
);

CREATE TABLE conversation_outcome_counts (
  day date NOT NULL,
  channel text NOT NULL,
  kind text NOT NULL,
  key text NOT NULL,
  n bigint NOT NULL CHECK (n >= 0),
  PRIMARY KEY (day, channel, kind, key)
);

CREATE FUNCTION conversation_outcomes_fold() RETURNS trigger LANGUAGE plpgsql AS $fold$
BEGIN
${foldInto('new_events')}
  RETURN NULL;
END
$fold$;
CREATE TRIGGER conversation_outcomes_fold AFTER INSERT ON conversation_outcomes
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION conversation_outcomes_fold();

CREATE FUNCTION conversation_outcomes_unfold() RETURNS trigger LANGUAGE plpgsql AS $unfold$
BEGIN
  UPDATE conversation_outcome_counts c SET n = c.n - o.n
  FROM (SELECT ${DAY} AS day, channel, kind, ${KEY} AS key, count(*) AS n FROM old_events WHERE kind IN ${COUNTED_KINDS} GROUP BY 1, 2, 3, 4) o
  WHERE c.day = o.day AND c.channel = o.channel AND c.kind = o.kind AND c.key = o.key;
  DELETE FROM conversation_outcome_counts WHERE n = 0;

  DELETE FROM conversation_outcome_days d USING (SELECT DISTINCT ${DAY} AS day, channel, conversation COLLATE "C" AS conversation FROM old_events) t
    WHERE d.day = t.day AND d.channel = t.channel AND d.conversation = t.conversation;
  DELETE FROM conversation_outcome_requests r USING (SELECT DISTINCT ${DAY} AS day, channel, conversation COLLATE "C" AS conversation FROM old_events) t
    WHERE r.day = t.day AND r.channel = t.channel AND r.conversation = t.conversation;
${foldInto(`(SELECT * FROM conversation_outcomes WHERE (${DAY}, channel, conversation) IN (SELECT ${DAY}, channel, conversation FROM old_events)) AS kept_events`, { counts: false })}
  RETURN NULL;
END
$unfold$;
CREATE TRIGGER conversation_outcomes_unfold AFTER DELETE ON conversation_outcomes
  REFERENCING OLD TABLE AS old_events FOR EACH STATEMENT EXECUTE FUNCTION conversation_outcomes_unfold();

CREATE FUNCTION conversation_outcomes_truncate() RETURNS trigger LANGUAGE plpgsql AS $truncate$
BEGIN
  TRUNCATE conversation_outcome_days, conversation_outcome_requests, conversation_outcome_counts;
  RETURN NULL;
END
$truncate$;
CREATE TRIGGER conversation_outcomes_truncate AFTER TRUNCATE ON conversation_outcomes
  FOR EACH STATEMENT EXECUTE FUNCTION conversation_outcomes_truncate();

-- The events recorded before this migration.
${foldInto('conversation_outcomes')}
`,
};
