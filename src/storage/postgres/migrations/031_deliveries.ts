import type { Migration } from './index.js';

/**
 * The outbox of customer messages (PgCustomerDeliveries), worked on by every instance:
 * - `seq` is the enqueue order; a row is eligible only when no earlier row of its conversation is
 *   unfinished (`pending`, `sending` or `reporting`), so one conversation gets one message at a
 *   time, in order;
 * - `sending` and `reporting` rows carry a lease (`lease_until`, `lease_token`): when an instance
 *   dies mid-attempt the lease runs out and another instance sends the row again; when it dies
 *   while its listeners record the outcome (`reporting`, `outcome` kept), another instance reports
 *   it again without sending. A late answer of the old holder no longer matches the token and
 *   changes nothing;
 * - `delivered` / `failed` rows are kept a day (`finished_at`) and then pruned.
 * The bound on waiting messages counts `pending` and `sending`. deliveries_unfinished answers "is
 * an earlier one of this conversation unfinished"; deliveries_due the claim's scan in enqueue
 * order; deliveries_finished the pruning.
 */
export const deliveries: Migration = {
  version: 31,
  name: 'deliveries',
  sql: `
CREATE TABLE IF NOT EXISTS deliveries (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  conversation_key text NOT NULL,
  address jsonb NOT NULL,
  text text NOT NULL,
  subject jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'reporting', 'delivered', 'failed')),
  outcome text CHECK (outcome IN ('delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  lease_token uuid,
  leased_by text,
  last_reason text,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS deliveries_unfinished ON deliveries (conversation_key, seq) WHERE state IN ('pending', 'sending', 'reporting');
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (seq) WHERE state IN ('pending', 'sending', 'reporting');
CREATE INDEX IF NOT EXISTS deliveries_finished ON deliveries (finished_at) WHERE state IN ('delivered', 'failed');
`,
};
