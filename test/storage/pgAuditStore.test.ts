import { afterAll, describe, expect, test } from 'vitest';
import { PgAuditStore } from '../../src/storage/postgres/PgAuditStore.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { freshDatabase, freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';
import { auditStoreContract } from '../staff/auditStoreContract.js';

const available = await postgresAvailable('PgAuditStore');

const opened: PgDatabase[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

describe.skipIf(!available)('PgAuditStore (PostgreSQL)', () => {
  auditStoreContract(async () => {
    const schema = freshSchema();
    const one = await PgDatabase.open(pgUrl, { schema, max: 5 });
    const two = await PgDatabase.open(pgUrl, { schema, max: 5 });
    opened.push(one, two);
    return { a: new PgAuditStore(one), b: new PgAuditStore(two) };
  });

  test('the log is append-only in the database; the newest entries are a backward scan of the key', async () => {
    const db = await freshDatabase();
    const store = new PgAuditStore(db);
    await store.append({ at: '2026-03-02T10:00:00.000Z', actor: 'cli', action: 'token.create', target: 'dana' });
    await expect(db.pool.query("UPDATE audit_log SET actor = 'someone else'")).rejects.toThrow(/append-only/);
    await db.pool.query("INSERT INTO audit_log (at, actor, action, target) SELECT now(), 'cli', 'x', 't' || n FROM generate_series(1, 5000) n");
    await db.pool.query('ANALYZE audit_log');
    const { rows } = await db.pool.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT 50');
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan Backward using audit_log_pkey/);
  });
});
