import type { Migration } from './index.js';

/**
 * Outcome events for Insights (append-only: an UPDATE is refused by a trigger; DELETE stays possible
 * for a retention job). The figures of a date range, of every channel or one, are aggregates over
 * `at` (and `channel`): both indexes lead with what the query filters on and carry `kind`, the
 * column every aggregate splits on. The fact itself is jsonb (no personal data: see
 * ConversationOutcomes). `conversation_outcome_watch` holds conversations with a support request
 * that has not ended, by the time of the customer's last message, for the abandoned-conversation job.
 */
export const conversationOutcomes: Migration = {
  version: 50,
  name: 'conversation_outcomes',
  sql: `
CREATE TABLE conversation_outcomes (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  channel text NOT NULL,
  conversation text NOT NULL,
  kind text NOT NULL,
  fact jsonb NOT NULL
);
CREATE INDEX conversation_outcomes_at ON conversation_outcomes (at, kind);
CREATE INDEX conversation_outcomes_channel_at ON conversation_outcomes (channel, at, kind);

CREATE FUNCTION conversation_outcomes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'conversation_outcomes is append-only: event % cannot be changed', OLD.id;
END
$$;
CREATE TRIGGER conversation_outcomes_append_only BEFORE UPDATE ON conversation_outcomes FOR EACH ROW EXECUTE FUNCTION conversation_outcomes_append_only();

CREATE TABLE conversation_outcome_watch (
  conversation text PRIMARY KEY,
  channel text NOT NULL,
  last_message_at timestamptz NOT NULL
);
CREATE INDEX conversation_outcome_watch_idle ON conversation_outcome_watch (last_message_at);
`,
};
