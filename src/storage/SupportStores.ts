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
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** Everything on one DocumentStore: lowdb (one process) and the tests' memory store. */
export function documentStores(documents: DocumentStore): SupportStores {
  return {
    documents,
    tickets: new DocumentTicketStore(documents),
    handoffs: new DocumentHandoffStore(documents),
    audit: new DocumentAuditStore(documents),
    staffTokens: new DocumentStaffTokenStore(documents),
    events: new InMemoryEventBus(),
    feeds: new DocumentConversationFeeds(documents),
    ready: () => documents.ready(),
    close: () => documents.close(),
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
    ready: () => database.ready(),
    close: async () => {
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
