/**
 * Tickets whose first response is not settled yet (no staff reply, not marked breached), due in
 * (`$1`, `$2`], earliest first, at most `$3`: one range scan of migration 032's partial index
 * `tickets_first_response_unsettled`. Both the due-time check and the service-level list ask this;
 * kept in one place because the WHERE must stay the index's predicate, or PostgreSQL cannot use it.
 * The due time is an ISO 8601 UTC string of one fixed format, so text order is time order.
 */
export function unsettledFirstResponsesSql(column: 'id' | 'doc'): string {
  return `SELECT ${column} FROM tickets
       WHERE doc->>'firstResponseAt' IS NULL AND doc->>'firstResponseBreachedAt' IS NULL
         AND doc->>'firstResponseDue' > $1 AND doc->>'firstResponseDue' <= $2
       ORDER BY doc->>'firstResponseDue', id
       LIMIT $3`;
}
