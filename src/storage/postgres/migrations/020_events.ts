import type { Migration } from './index.js';

/**
 * The event bus shared by the instances (PgEventBus): one row per event, ids in commit order;
 * NOTIFY carries only the id, listeners read the rows. Old rows are pruned by the publishers.
 */
export const events: Migration = {
  version: 20,
  name: 'events',
  sql: `
CREATE TABLE IF NOT EXISTS events (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS events_topic_id ON events (topic, id);
CREATE INDEX IF NOT EXISTS events_at ON events (at);
`,
};
