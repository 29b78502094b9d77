import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { HandoffStore } from '../domain/handoff/HandoffStore.js';
import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import type { AuditStore } from '../domain/staff/AuditLog.js';
import type { StaffTokenStore } from '../domain/staff/StaffTokens.js';
import type { TicketStore } from '../domain/tickets/TicketStore.js';
import type { ConversationFeeds } from '../channels/directline/ConversationFeeds.js';
import { InMemoryEventBus } from '../domain/events/InMemoryEventBus.js';
import type { EventBus } from '../domain/ports/EventBus.js';
import { DocumentConversationFeeds } from './DocumentConversationFeeds.js';
import { PgConversationFeeds } from './postgres/PgConversationFeeds.js';
import { PgEventBus } from './postgres/PgEventBus.js';
import { DocumentAuditStore } from './DocumentAuditStore.js';
import { DocumentHandoffStore } from './DocumentHandoffStore.js';
import { DocumentStaffTokenStore } from './DocumentStaffTokenStore.js';
import { DocumentTicketStore } from './DocumentTicketStore.js';
import { LowdbDocumentStore } from './LowdbDocumentStore.js';
import { PgDocumentStore } from './PgDocumentStore.js';
import { PgAuditStore } from './postgres/PgAuditStore.js';
import { PgDatabase } from './postgres/PgDatabase.js';
import { PgHandoffStore } from './postgres/PgHandoffStore.js';
import { PgTicketStore } from './postgres/PgTicketStore.js';
import type { CustomerDeliveries } from '../domain/delivery/CustomerDeliveries.js';
import { InMemoryCustomerDeliveries, type InMemoryDeliveryOptions } from '../domain/delivery/InMemoryCustomerDeliveries.js';
import type { CustomerMessenger } from '../domain/ports/CustomerMessenger.js';
import type { Scheduler } from '../domain/ports/Scheduler.js';
import type { UnsettledFirstResponses } from '../domain/tickets/FirstResponseWatch.js';
import { DocumentUnsettledFirstResponses } from './DocumentUnsettledFirstResponses.js';
import { TimerScheduler } from './TimerScheduler.js';
import { PgCustomerDeliveries } from './postgres/PgCustomerDeliveries.js';
import { PgScheduler } from './postgres/PgScheduler.js';
import { PgUnsettledFirstResponses } from './postgres/PgUnsettledFirstResponses.js';
import type { ConversationOutcomes, ConversationWatch } from '../domain/insights/ConversationOutcomes.js';
import type { InsightsQuery } from '../domain/insights/InsightsFigures.js';
import { DocumentConversationOutcomes } from './DocumentConversationOutcomes.js';
import { PgConversationOutcomes } from './postgres/PgConversationOutcomes.js';
import type { AgentPresenceStore } from '../domain/staff/AgentPresence.js';
import type { ServiceLevelQueries } from '../domain/tickets/ServiceLevel.js';
import { DocumentAgentPresence } from './DocumentAgentPresence.js';
import { DocumentServiceLevelQueries } from './DocumentServiceLevelQueries.js';
import { PgAgentPresence } from './postgres/PgAgentPresence.js';
import { PgServiceLevelQueries } from './postgres/PgServiceLevelQueries.js';
import type { SurveyComments } from '../domain/insights/SurveyComments.js';
import { DocumentSurveyComments } from './DocumentSurveyComments.js';
import { PgSurveyComments } from './postgres/PgSurveyComments.js';
import { inMemoryLimiters, type ClientLimiterFactory } from '../http/ClientLimits.js';
import { pgClientLimiters } from './postgres/PgClientLimiters.js';

/**
 * Every store the desk runs on, one implementation per engine behind the domain's ports: on the
 * embedded store everything is documents; on PostgreSQL the shared, queried parts (tickets,
 * handoffs, the audit log…) have tables of their own.
 */
export interface SupportStores {
  /** Conversation and user state, sequences, devices, and whatever else is keyed documents. */
  documents: DocumentStore;
  tickets: TicketStore;
  handoffs: HandoffStore;
  audit: AuditStore;
  staffTokens: StaffTokenStore;
  /** Events every instance sees (handoff events, feed appends): in memory, or a table + LISTEN/NOTIFY. */
  events: EventBus;
  /** The self-hosted Direct Line's conversation feeds: documents (DATA_DIR), or tables shared by the instances. */
  feeds: ConversationFeeds;
  /** Timed work once across instances: a timer in the one process, or a claimed row per period (`scheduled_jobs`). */
  scheduler: Scheduler;
  /** The customer-message outbox on this engine: in memory, or the `deliveries` table every instance works on. */
  outbox(messenger: CustomerMessenger, options?: Pick<InMemoryDeliveryOptions, 'onError'>): CustomerDeliveries;
  /** The first-response due-time check's work: a scan of the tickets, or a partial index. */
  unsettledFirstResponses: UnsettledFirstResponses;
  /** Agents' available/away and their consoles' heartbeats: documents, or the `agent_presence` table. */
  presence: AgentPresenceStore;
  /** The console's service-level lists (tickets at risk and breached): a scan, or partial indexes. */
  serviceLevel: ServiceLevelQueries;
  /**
   * Outcome events for Insights, the figures of a date range, and the abandoned-conversation watch:
   * day-rollup documents, or the `conversation_outcomes` table with SQL aggregates.
   */
  outcomes: OutcomeStore;
  /** Answered surveys' comments for staff, by date range: day-bucketed documents, or the `survey_comments` table. */
  surveyComments: SurveyComments;
  /** Where per-client rate limits are counted: this process's memory, or the `client_limits` table every instance shares. */
  clientLimiters: ClientLimiterFactory;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** Both engines' outcome store: append, query, watch, and a bulk append for imports and the bench. */
export type OutcomeStore = ConversationOutcomes & InsightsQuery & ConversationWatch & { recordBatch(events: Parameters<ConversationOutcomes['record']>[0][]): Promise<void> };

/** Everything on one DocumentStore: lowdb (one process) and the tests' memory store. */
export function documentStores(documents: DocumentStore): SupportStores {
  const scheduler = new TimerScheduler();
  return {
    documents,
    tickets: new DocumentTicketStore(documents),
    handoffs: new DocumentHandoffStore(documents),
    audit: new DocumentAuditStore(documents),
    staffTokens: new DocumentStaffTokenStore(documents),
    events: new InMemoryEventBus(),
    feeds: new DocumentConversationFeeds(documents),
    scheduler,
    outbox: (messenger, options) => new InMemoryCustomerDeliveries(messenger, options),
    unsettledFirstResponses: new DocumentUnsettledFirstResponses(documents),
    presence: new DocumentAgentPresence(documents),
    serviceLevel: new DocumentServiceLevelQueries(documents),
    outcomes: new DocumentConversationOutcomes(documents),
    surveyComments: new DocumentSurveyComments(documents),
    clientLimiters: inMemoryLimiters,
    ready: () => documents.ready(),
    close: async () => {
      await scheduler.stop();
      await documents.close();
    },
  };
}

/** PostgreSQL: one pool for the instance, the schema migrated at open. */
export async function postgresStores(database: PgDatabase, logger?: Logger): Promise<SupportStores> {
  const documents = new PgDocumentStore(database);
  const events = await PgEventBus.open(database, {
    onError: (err, context) => logger?.warn({ err: { message: (err as Error).message } }, context),
    onState: (state) => logger?.info({ state }, 'event bus: LISTEN connection'),
  });
  const feeds = new PgConversationFeeds(database, events);
  const scheduler = new PgScheduler(database, { onError: (err, job) => logger?.warn({ job, err: { message: (err as Error).message } }, 'scheduled job: claim or run failed') });
  // Drained at close (stop claiming, let running attempts end); what has not started stays in the table.
  const outboxes: PgCustomerDeliveries[] = [];
  return {
    // Staff tokens and the device registry stay keyed documents (rows of `documents`, read by key).
    ...documentStores(documents),
    // Tables of their own: one open handoff per conversation enforced by a unique index, and
    // lists answered by indexes a page at a time (migrations 010–012).
    tickets: new PgTicketStore(database),
    handoffs: new PgHandoffStore(database),
    audit: new PgAuditStore(database),
    events,
    feeds,
    scheduler,
    outbox: (messenger, options) => {
      const outbox = new PgCustomerDeliveries(database, messenger, options);
      outboxes.push(outbox);
      return outbox;
    },
    unsettledFirstResponses: new PgUnsettledFirstResponses(database),
    presence: new PgAgentPresence(database),
    serviceLevel: new PgServiceLevelQueries(database),
    outcomes: new PgConversationOutcomes(database),
    surveyComments: new PgSurveyComments(database),
    clientLimiters: pgClientLimiters(database),
    ready: () => database.ready(),
    close: async () => {
      await scheduler.stop();
      await Promise.all(outboxes.map((outbox) => outbox.drain(5_000)));
      feeds.close();
      await events.close();
      await database.close();
    },
  };
}

/** The configured stores: lowdb under DATA_DIR (default) or PostgreSQL. */
export async function openStores(config: Pick<Config, 'store' | 'dataDir'>, logger?: Logger): Promise<SupportStores> {
  if (config.store.kind === 'postgres') return postgresStores(await PgDatabase.open(config.store.url), logger);
  return documentStores(await LowdbDocumentStore.open(config.dataDir, logger ? { logger } : {}));
}
