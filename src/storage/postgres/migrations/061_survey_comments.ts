import type { Migration } from './index.js';

/**
 * The comments of answered satisfaction surveys, for staff (GET /api/insights/comments): one row
 * per survey with a comment, written when it is answered (the survey itself stays a document).
 * Read newest first within a date range, of every channel or one: both indexes lead with what the
 * query filters on and are ordered the way it reads, so the latest 50 are an index range scan, not
 * a scan of every survey. Personal data: nothing but the staff API reads it.
 */
export const surveyComments: Migration = {
  version: 61,
  name: 'survey_comments',
  sql: `
CREATE TABLE survey_comments (
  survey_id text PRIMARY KEY,
  answered_at timestamptz NOT NULL,
  channel text NOT NULL,
  rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  after text NOT NULL CHECK (after IN ('guide_fixed', 'handoff_closed', 'ticket_resolved')),
  comment text NOT NULL,
  ticket_id text,
  handoff_id text
);
CREATE INDEX survey_comments_answered_at ON survey_comments (answered_at DESC, survey_id DESC);
CREATE INDEX survey_comments_channel_answered_at ON survey_comments (channel, answered_at DESC, survey_id DESC);
`,
};
