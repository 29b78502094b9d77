import pg from 'pg';
import { ETagConflictError, type DocumentStore, type ExpectedETag, type StoredDocument } from '../domain/ports/DocumentStore.js';
import { newETag } from './eTag.js';
import { PgDatabase } from './postgres/PgDatabase.js';

interface DocumentRow {
  id: string;
  value: unknown;
  etag: string;
}

/**
 * The DocumentStore for deployments that outgrow one process: one row per document, the eTag
 * check done by the database in the same statement as the write, so several bot processes can
 * share the store. A write is acknowledged after PostgreSQL has committed it.
 */
export class PgDocumentStore implements DocumentStore {
  private readonly pool: pg.Pool;

  /** On a shared database: closing the store does not close the database (its owner does). */
  constructor(
    private readonly database: PgDatabase,
    private readonly ownsDatabase = false,
  ) {
    this.pool = database.pool;
  }

  /** A store on its own database connection (migrated at open); `schema` keeps test runs apart. */
  static async open(connectionString: string, options: { schema?: string } = {}): Promise<PgDocumentStore> {
    return new PgDocumentStore(await PgDatabase.open(connectionString, options), true);
  }

  async read<T = unknown>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>> {
    const found = new Map<string, StoredDocument<T>>();
    if (ids.length === 0) return found;
    const { rows } = await this.pool.query<DocumentRow>('SELECT id, value, etag FROM documents WHERE collection = $1 AND id = ANY($2::text[])', [collection, ids]);
    for (const row of rows) found.set(row.id, { value: row.value as T, eTag: row.etag });
    return found;
  }

  async write<T>(collection: string, id: string, value: T, expected?: ExpectedETag): Promise<string> {
    const eTag = newETag();
    const json = JSON.stringify(value);
    if (expected === undefined || expected === '*') {
      await this.pool.query(
        `INSERT INTO documents (collection, id, value, etag, updated_at) VALUES ($1, $2, $3::jsonb, $4, now())
         ON CONFLICT (collection, id) DO UPDATE SET value = EXCLUDED.value, etag = EXCLUDED.etag, updated_at = now()`,
        [collection, id, json, eTag],
      );
      return eTag;
    }
    if (expected === null) {
      const { rowCount } = await this.pool.query(
        `INSERT INTO documents (collection, id, value, etag, updated_at) VALUES ($1, $2, $3::jsonb, $4, now()) ON CONFLICT (collection, id) DO NOTHING`,
        [collection, id, json, eTag],
      );
      if (rowCount === 0) throw new ETagConflictError(collection, id);
      return eTag;
    }
    // As botbuilder's MemoryStorage: an eTag is checked only against a document that exists.
    const { rowCount } = await this.pool.query(
      `INSERT INTO documents (collection, id, value, etag, updated_at) VALUES ($1, $2, $3::jsonb, $4, now())
       ON CONFLICT (collection, id) DO UPDATE SET value = EXCLUDED.value, etag = EXCLUDED.etag, updated_at = now()
       WHERE documents.etag = $5`,
      [collection, id, json, eTag, expected],
    );
    if (rowCount === 0) throw new ETagConflictError(collection, id);
    return eTag;
  }

  async delete(collection: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query('DELETE FROM documents WHERE collection = $1 AND id = ANY($2::text[])', [collection, ids]);
  }

  async list<T = unknown>(collection: string): Promise<Array<{ id: string } & StoredDocument<T>>> {
    const { rows } = await this.pool.query<DocumentRow>('SELECT id, value, etag FROM documents WHERE collection = $1 ORDER BY id', [collection]);
    return rows.map((row) => ({ id: row.id, value: row.value as T, eTag: row.etag }));
  }

  async expireIdle(collection: string, before: Date): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM documents WHERE collection = $1 AND updated_at < $2', [collection, before]);
    return rowCount ?? 0;
  }

  ready(): Promise<boolean> {
    return this.database.ready();
  }

  async close(): Promise<void> {
    if (this.ownsDatabase) await this.database.close();
  }
}
