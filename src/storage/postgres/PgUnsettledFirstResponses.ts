import type { UnsettledFirstResponses } from '../../domain/tickets/FirstResponseWatch.js';
import type { PgDatabase } from './PgDatabase.js';
import { unsettledFirstResponsesSql } from './unsettledFirstResponses.js';

/**
 * The due-time check's work on PostgreSQL: one range scan of the partial index
 * `tickets_first_response_unsettled` (migration 032), which holds only the tickets not settled yet.
 */
export class PgUnsettledFirstResponses implements UnsettledFirstResponses {
  constructor(private readonly database: PgDatabase) {}

  async due(now: string, notBefore: string, limit: number): Promise<string[]> {
    const { rows } = await this.database.pool.query<{ id: string }>(unsettledFirstResponsesSql('id'), [notBefore, now, limit]);
    return rows.map((r) => r.id);
  }
}
