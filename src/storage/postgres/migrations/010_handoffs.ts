import type { Migration } from './index.js';

/**
 * The handoff queue: one row per handoff, the fields it is queried by as columns and the whole
 * handoff as jsonb. "One open handoff per conversation" is a partial unique index, so two
 * instances asked at once cannot both queue the same conversation. Handoffs stored as documents
 * by earlier versions move here; of duplicate open ones (the race this table ends) the one the old
 * open index named stays open, the others are closed.
 */
export const handoffs: Migration = {
  version: 10,
  name: 'handoffs',
  sql: `
CREATE SEQUENCE handoff_numbers;
CREATE TABLE handoffs (
  id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('waiting', 'active', 'closed')),
  conversation_key text NOT NULL,
  requested_at timestamptz NOT NULL,
  doc jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX handoffs_one_open_per_conversation ON handoffs (conversation_key) WHERE status IN ('waiting', 'active');
CREATE INDEX handoffs_queue ON handoffs (requested_at, id COLLATE "C") WHERE status = 'waiting';
CREATE INDEX handoffs_by_status ON handoffs (status, requested_at, id COLLATE "C");

WITH legacy AS (
  SELECT d.id, d.value,
    d.value->>'status' <> 'closed' AS open,
    row_number() OVER (
      PARTITION BY d.value->>'conversationKey', d.value->>'status' <> 'closed'
      ORDER BY (i.value->>'id' IS NOT DISTINCT FROM d.id) DESC, d.value->>'requestedAt', d.id
    ) AS rank
  FROM documents d
  LEFT JOIN documents i ON i.collection = 'open-handoffs' AND i.id = d.value->>'conversationKey'
  WHERE d.collection = 'handoffs'
), moved AS (
  SELECT id,
    CASE WHEN open AND rank > 1
      THEN value || jsonb_build_object('status', 'closed', 'closedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      ELSE value END AS doc
  FROM legacy
)
INSERT INTO handoffs (id, status, conversation_key, requested_at, doc)
SELECT id, doc->>'status', doc->>'conversationKey', (doc->>'requestedAt')::timestamptz, doc FROM moved;

SELECT setval('handoff_numbers', n) FROM (
  SELECT greatest(
    (SELECT max(substring(id FROM 3)::bigint) FROM handoffs WHERE id ~ '^H-[0-9]{1,15}$'),
    (SELECT (value->>'value')::bigint FROM documents WHERE collection = 'sequences' AND id = 'handoffs')
  ) AS n
) last WHERE n > 0;

DELETE FROM documents WHERE collection IN ('handoffs', 'open-handoffs');
`,
};
