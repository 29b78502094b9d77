import type { Migration } from './index.js';

/**
 * What agents need in the console, shared by every instance:
 * - `agent_presence`: one row per agent (the staff token's name): the status chosen in the console
 *   and when the console was last heard from (a heartbeat); an agent silent past the timeout counts
 *   as away. `agent_presence_available` answers "is anyone available" from the available rows only;
 * - `handoffs_active_by_agent`: an agent's active chats, counted in the accept's transaction for
 *   the per-agent limit (AGENT_MAX_ACTIVE_CHATS);
 * - `tickets_first_response_breached_open`: breached tickets still open, for the console's
 *   service-level list (the unsettled ones come from migration 032's index).
 */
export const agentDesk: Migration = {
  version: 60,
  name: 'agent_desk',
  sql: `
CREATE TABLE IF NOT EXISTS agent_presence (
  agent text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('available', 'away')),
  seen_at timestamptz NOT NULL,
  changed_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS agent_presence_available ON agent_presence (seen_at) WHERE status = 'available';
CREATE INDEX IF NOT EXISTS handoffs_active_by_agent ON handoffs ((doc->>'agent')) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS tickets_first_response_breached_open ON tickets ((doc->>'firstResponseDue'))
  WHERE doc->>'firstResponseBreachedAt' IS NOT NULL AND status NOT IN ('resolved', 'closed');
`,
};
