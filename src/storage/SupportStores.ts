import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { HandoffStore } from '../domain/handoff/HandoffStore.js';
import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import type { AuditStore } from '../domain/staff/AuditLog.js';
import type { StaffTokenStore } from '../domain/staff/StaffTokens.js';
import type { TicketStore } from '../domain/tickets/TicketStore.js';
import { DocumentAuditStore } from './DocumentAuditStore.js';
import { DocumentHandoffStore } from './DocumentHandoffStore.js';
import { DocumentStaffTokenStore } from './DocumentStaffTokenStore.js';
import { DocumentTicketStore } from './DocumentTicketStore.js';
import { LowdbDocumentStore } from './LowdbDocumentStore.js';
import { PgDocumentStore } from './PgDocumentStore.js';
import { PgDatabase } from './postgres/PgDatabase.js';

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
    ready: () => documents.ready(),
    close: () => documents.close(),
  };
}

/** PostgreSQL: one pool for the instance, the schema migrated at open. */
export async function postgresStores(database: PgDatabase): Promise<SupportStores> {
  const documents = new PgDocumentStore(database);
  return {
    ...documentStores(documents),
    ready: () => database.ready(),
    close: () => database.close(),
  };
}

/** The configured stores: lowdb under DATA_DIR (default) or PostgreSQL. */
export async function openStores(config: Pick<Config, 'store' | 'dataDir'>, logger?: Logger): Promise<SupportStores> {
  if (config.store.kind === 'postgres') return postgresStores(await PgDatabase.open(config.store.url));
  return documentStores(await LowdbDocumentStore.open(config.dataDir, logger ? { logger } : {}));
}
