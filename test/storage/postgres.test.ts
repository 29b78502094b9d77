import { describe } from 'vitest';
import { PgDocumentStore } from '../../src/storage/PgDocumentStore.js';
import { documentStoreContract } from './documentStoreContract.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';

const available = await postgresAvailable('PgDocumentStore');

describe.skipIf(!available)('PgDocumentStore (PostgreSQL)', () => {
  documentStoreContract(() => {
    const schema = freshSchema();
    return { open: () => PgDocumentStore.open(pgUrl, { schema }) };
  });
});
