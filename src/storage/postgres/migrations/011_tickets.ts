import type { Migration } from './index.js';

/**
 * Tickets: one row per ticket, the fields the staff list filters and orders by as columns, the
 * ticket as jsonb, and a generated tsvector for the text search (no extension needed). Every list
 * is one index-ordered query, newest first (created_at, number) with keyset pagination:
 * - tickets_newest: the unfiltered list;
 * - tickets_by_status / tickets_by_assignee: the list filtered by status or assignee;
 * - tickets_by_customer: "my tickets" (channel + user id);
 * - tickets_search (GIN): words of id, summary, customer name and contact, serial, model, as
 *   `simple` lexemes of the text split on everything but letters and digits (prefix matches).
 * Tickets stored as documents by earlier versions move here; numbers come from a real sequence,
 * started after the highest number in use.
 */
export const tickets: Migration = {
  version: 11,
  name: 'tickets',
  sql: `
CREATE SEQUENCE ticket_numbers;
CREATE TABLE tickets (
  id text PRIMARY KEY,
  number bigint NOT NULL UNIQUE,
  status text NOT NULL,
  priority text NOT NULL,
  customer_channel text NOT NULL,
  customer_user text NOT NULL,
  assignee text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  doc jsonb NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, regexp_replace(
      id || ' ' || coalesce(doc->>'summary', '') || ' ' || coalesce(doc->'customer'->>'name', '') || ' ' ||
      coalesce(doc->'customer'->>'contact', '') || ' ' || coalesce(doc->'product'->>'serial', '') || ' ' ||
      coalesce(doc->'product'->>'model', ''),
      '[^[:alnum:]]+', ' ', 'g'))
  ) STORED
);
CREATE INDEX tickets_newest ON tickets (created_at DESC, number DESC);
CREATE INDEX tickets_by_status ON tickets (status, created_at DESC, number DESC);
CREATE INDEX tickets_by_assignee ON tickets (lower(assignee), created_at DESC, number DESC) WHERE assignee IS NOT NULL;
CREATE INDEX tickets_by_customer ON tickets (customer_channel, customer_user, created_at DESC, number DESC);
CREATE INDEX tickets_search ON tickets USING gin (search);

INSERT INTO tickets (id, number, status, priority, customer_channel, customer_user, assignee, created_at, updated_at, doc)
SELECT id, substring(id FROM 3)::bigint, value->>'status', value->>'priority', value->'customer'->>'channelId',
  value->'customer'->>'userId', value->>'assignee', (value->>'createdAt')::timestamptz, (value->>'updatedAt')::timestamptz, value
FROM documents WHERE collection = 'tickets' AND id ~ '^T-[0-9]{1,15}$';

SELECT setval('ticket_numbers', n) FROM (
  SELECT greatest(
    (SELECT max(number) FROM tickets),
    (SELECT (value->>'value')::bigint FROM documents WHERE collection = 'sequences' AND id = 'tickets')
  ) AS n
) last WHERE n > 0;

DELETE FROM documents WHERE collection = 'tickets' AND id ~ '^T-[0-9]{1,15}$';
`,
};
