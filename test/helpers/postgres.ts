import os from 'node:os';
import pg from 'pg';
import { afterAll } from 'vitest';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';

/** The PostgreSQL the tests use: PG_URL, or the local server .ci/run starts (trust auth, database test). */
export const pgUrl = process.env.PG_URL ?? `postgres://${os.userInfo().username}@127.0.0.1:5432/test`;

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
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

/** True when PostgreSQL answers; prints a visible SKIPPED line (once per file) when it does not. */
export async function postgresAvailable(what: string): Promise<boolean> {
  const ok = await reachable();
  if (!ok) process.stderr.write(`\n[postgres] SKIPPED ${what}: no PostgreSQL at ${pgUrl} (set PG_URL; .ci/run starts one)\n\n`);
  return ok;
}

const schemas: string[] = [];
const databases: PgDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close().catch(() => undefined)));
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

/** A schema name of its own for one test (dropped after the file's tests). */
export function freshSchema(): string {
  const schema = `test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  schemas.push(schema);
  return schema;
}

/** A migrated database in a fresh schema, closed after the file's tests. */
export async function freshDatabase(): Promise<PgDatabase> {
  const db = await PgDatabase.open(pgUrl, { schema: freshSchema() });
  databases.push(db);
  return db;
}
