import type { Migration } from './index.js';

/**
 * The self-hosted Direct Line's conversation feeds (PgConversationFeeds): every instance serves
 * every widget conversation, and a restart loses none. `next_seq` is the watermark after the
 * next activity; appends take it with a row lock, so two instances never use the same number.
 */
export const directLineFeeds: Migration = {
  version: 21,
  name: 'directline_feeds',
  sql: `
CREATE TABLE IF NOT EXISTS dl_conversations (
  id text PRIMARY KEY,
  next_seq bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  touched_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS dl_conversations_touched_at ON dl_conversations (touched_at);
CREATE TABLE IF NOT EXISTS dl_activities (
  conversation_id text NOT NULL REFERENCES dl_conversations (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  activity jsonb NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
`,
};
