import type { ServiceLevelQueries } from '../../domain/tickets/ServiceLevel.js';
import type { Ticket } from '../../domain/tickets/Ticket.js';
import type { PgDatabase } from './PgDatabase.js';
import { unsettledFirstResponsesSql } from './unsettledFirstResponses.js';

/**
 * The service level's queries on PostgreSQL: range scans of partial indexes that hold only the
 * tickets concerned (unsettled: migration 032; breached and open: migration 060). The due time is
 * an ISO 8601 UTC string of one fixed format, so text order is time order.
 */
export class PgServiceLevelQueries implements ServiceLevelQueries {
  constructor(private readonly database: PgDatabase) {}

  async unsettled(after: string, until: string, limit: number): Promise<Ticket[]> {
    const { rows } = await this.database.pool.query<{ doc: Ticket }>(unsettledFirstResponsesSql('doc'), [after, until, limit]);
    return rows.map((r) => r.doc);
  }

  async breachedOpen(limit: number): Promise<Ticket[]> {
    const { rows } = await this.database.pool.query<{ doc: Ticket }>(
      `SELECT doc FROM tickets
       WHERE doc->>'firstResponseBreachedAt' IS NOT NULL AND status NOT IN ('resolved', 'closed')
       ORDER BY doc->>'firstResponseDue', id
       LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.doc);
  }
}
