import type { Migration } from './index.js';

/**
 * The first-response due-time check (FirstResponseWatch) asks for tickets whose due time has
 * passed and that it has not settled yet (neither `firstResponseAt` nor `firstResponseBreachedAt`
 * in the document). Each ticket is settled once, after its due time, and then leaves this partial
 * index, so the index holds only the tickets still to check. The due time is an ISO 8601 UTC
 * string of one fixed format, so text order is time order.
 */
export const firstResponseWatch: Migration = {
  version: 32,
  name: 'first_response_watch',
  sql: `
CREATE INDEX IF NOT EXISTS tickets_first_response_unsettled ON tickets ((doc->>'firstResponseDue'))
  WHERE doc->>'firstResponseAt' IS NULL AND doc->>'firstResponseBreachedAt' IS NULL;
`,
};
