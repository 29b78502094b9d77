import type { AuditEntry, AuditStore, RecordedAuditEntry } from '../../domain/staff/AuditLog.js';
import type { PgDatabase } from './PgDatabase.js';

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown> | null;
}

/**
 * The audit log in PostgreSQL (table `audit_log`, migration 012): append-only rows numbered by a
 * bigserial, so entries from every instance get one order; the most recent ones are a backward
 * scan of the primary key.
 */
export class PgAuditStore implements AuditStore {
  constructor(private readonly database: PgDatabase) {}

  async append(entry: AuditEntry): Promise<number> {
    const { rows } = await this.database.pool.query<{ id: string }>(
      'INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id',
      [entry.at, entry.actor, entry.action, entry.target, entry.detail === undefined ? null : JSON.stringify(entry.detail)],
    );
    return Number(rows[0]?.id);
  }

  async recent(limit: number): Promise<RecordedAuditEntry[]> {
    const { rows } = await this.database.pool.query<AuditRow>('SELECT id, at, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map((r) => ({
      seq: Number(r.id),
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      target: r.target,
      ...(r.detail === null ? {} : { detail: r.detail }),
    }));
  }
}
