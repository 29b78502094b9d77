import { documents } from './001_documents.js';

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
export const MIGRATIONS: readonly Migration[] = [documents];
