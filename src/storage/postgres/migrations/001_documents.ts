import type { Migration } from './index.js';

/** Conversation state, user state and the other keyed documents (the DocumentStore port). */
export const documents: Migration = {
  version: 1,
  name: 'documents',
  sql: `
CREATE TABLE IF NOT EXISTS documents (
  collection text NOT NULL,
  id text NOT NULL,
  value jsonb NOT NULL,
  etag text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection, id)
);
CREATE INDEX IF NOT EXISTS documents_updated_at ON documents (collection, updated_at);
`,
};
