import os from 'node:os';
import pg from 'pg';
import { afterAll, describe } from 'vitest';
import { PgDocumentStore } from '../../src/storage/PgDocumentStore.js';
import { documentStoreContract } from './documentStoreContract.js';

const url = process.env.PG_URL ?? `postgres://${os.userInfo().username}@127.0.0.1:5432/test`;

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const available = await reachable();
if (!available) process.stderr.write(`\n[postgres] SKIPPED: no PostgreSQL at ${url} (set PG_URL; .ci/run starts one)\n\n`);

const schemas: string[] = [];
afterAll(async () => {
  if (!available || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describe.skipIf(!available)('PgDocumentStore (PostgreSQL)', () => {
  documentStoreContract(() => {
    const schema = `test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    schemas.push(schema);
    return { open: () => PgDocumentStore.open(url, { schema }) };
  });
});
