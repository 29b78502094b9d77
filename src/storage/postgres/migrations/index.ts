import { documents } from './001_documents.js';
import { handoffs } from './010_handoffs.js';
import { tickets } from './011_tickets.js';
import { auditLog } from './012_audit_log.js';
import { events } from './020_events.js';
import { directLineFeeds } from './021_directline_feeds.js';
import { scheduledJobs } from './030_scheduled_jobs.js';
import { deliveries } from './031_deliveries.js';
import { firstResponseWatch } from './032_first_response_watch.js';
import { deliverySender } from './033_delivery_sender.js';
import { agentDesk } from './060_agent_desk.js';
import { conversationOutcomes } from './050_conversation_outcomes.js';
import { surveyComments } from './061_survey_comments.js';
import { conversationOutcomeRollups } from './070_conversation_outcome_rollups.js';
import { clientLimits } from './080_client_limits.js';

/** One schema change: applied once, in order of `version`, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, oldest first. Add a file `NNN_name.ts` exporting one Migration and list it here;
 * never edit one that has shipped (deployments have applied it).
 */
export const MIGRATIONS: readonly Migration[] = [documents, handoffs, tickets, auditLog, events, directLineFeeds, scheduledJobs, deliveries, firstResponseWatch, deliverySender, conversationOutcomes, agentDesk, surveyComments, conversationOutcomeRollups, clientLimits];
