import pg from 'pg';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Any number the instances agree on: the advisory lock that serialises migrations across them. */
const MIGRATION_LOCK = 727_001;

export interface PgDatabaseOptions {
  /** Keeps test runs apart in one database; production uses the default (public). */
  schema?: string;
  /** Pool size per instance. */
  max?: number;
  /** The migrations to apply (tests may pass a prefix); all of them by default. */
  migrations?: readonly Migration[];
}

/**
 * The PostgreSQL connection pool every PostgreSQL adapter of one instance shares, with the schema
 * brought up to date at open: versioned migrations recorded in `schema_migrations`, applied in a
 * transaction each, under an advisory lock so instances starting together apply each one once.
 */
export class PgDatabase {
  private constructor(
    readonly pool: pg.Pool,
    /** Where LISTEN connections must point too (a dedicated client, outside the pool). */
    readonly connection: { connectionString: string; options?: string },
  ) {}

  static async open(connectionString: string, options: PgDatabaseOptions = {}): Promise<PgDatabase> {
    const schema = options.schema?.replace(/[^a-z0-9_]/gi, '');
    const clientOptions = schema ? `-c search_path=${schema}` : undefined;
    const pool = new pg.Pool({ connectionString, max: options.max ?? 10, ...(clientOptions ? { options: clientOptions } : {}) });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      if (schema) {
        // Two instances creating the same fresh schema at once: IF NOT EXISTS can still lose the race
        // with a duplicate-key error; the schema is there either way.
        await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((err: { code?: string }) => {
          if (err.code !== '23505' && err.code !== '42P06') throw err;
        });
      }
      await migrate(pool, options.migrations ?? MIGRATIONS);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PgDatabase(pool, { connectionString, ...(clientOptions ? { options: clientOptions } : {}) });
  }

  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on any error). */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async ready(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Applies the migrations not yet recorded, in order; returns the versions applied now. */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[]): Promise<number[]> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of sorted) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`PgDatabase.migrate(): migration ${migration.version} (${migration.name}) failed: ${(err as Error).message}`);
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
