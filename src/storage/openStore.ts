import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import { LowdbDocumentStore } from './LowdbDocumentStore.js';
import { PgDocumentStore } from './PgDocumentStore.js';

/** The configured DocumentStore: lowdb under DATA_DIR (default) or PostgreSQL. */
export function openStore(config: Pick<Config, 'store' | 'dataDir'>, logger?: Logger): Promise<DocumentStore> {
  return config.store.kind === 'postgres' ? PgDocumentStore.open(config.store.url) : LowdbDocumentStore.open(config.dataDir, logger ? { logger } : {});
}
