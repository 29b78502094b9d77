import { describe, expect, test } from 'vitest';
import { migrate, PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { MIGRATIONS, type Migration } from '../../src/storage/postgres/migrations/index.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';

const available = await postgresAvailable('schema migrations');

describe.skipIf(!available)('versioned migrations applied at start-up', () => {
  test('instances starting together apply each migration once, in order, and record it', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([PgDatabase.open(pgUrl, { schema }), PgDatabase.open(pgUrl, { schema })]);
    try {
      const { rows } = await a.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version).sort((x, y) => x - y));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a new migration is applied on the next start; a failing one is rolled back and named', async () => {
    const schema = freshSchema();
    const db = await PgDatabase.open(pgUrl, { schema });
    try {
      const extra: Migration = { version: 9_001, name: 'extra_table', sql: 'CREATE TABLE extra_table (id int PRIMARY KEY)' };
      expect(await migrate(db.pool, [...MIGRATIONS, extra])).toEqual([9_001]);
      expect(await migrate(db.pool, [...MIGRATIONS, extra])).toEqual([]);
      const broken: Migration = { version: 9_002, name: 'broken', sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table' };
      await expect(migrate(db.pool, [...MIGRATIONS, extra, broken])).rejects.toThrow(/migration 9002 \(broken\) failed/);
      const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'half_done'", [schema]);
      expect(Number(rows[0]?.n)).toBe(0);
    } finally {
      await db.close();
    }
  });
});
