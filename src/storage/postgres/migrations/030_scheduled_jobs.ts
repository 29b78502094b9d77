import type { Migration } from './index.js';

/**
 * Timed work shared by the instances (PgScheduler): one row per job with the time its next period
 * starts. An instance runs a period only if its conditional UPDATE moved `next_run_at` on (one
 * statement, so exactly one instance wins each period); `last_run_*` are for people looking.
 */
export const scheduledJobs: Migration = {
  version: 30,
  name: 'scheduled_jobs',
  sql: `
CREATE TABLE IF NOT EXISTS scheduled_jobs (
  name text PRIMARY KEY,
  every_ms bigint NOT NULL,
  next_run_at timestamptz NOT NULL,
  last_run_at timestamptz,
  last_run_by text
);
`,
};
