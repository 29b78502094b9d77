import type { Ticket } from '../../domain/tickets/Ticket.js';
import { cursorOf, ticketNumber, type TicketOwner, type TicketQuery, type TicketSlice } from '../../domain/tickets/ticketQuery.js';
import { TicketExistsError, type TicketStore } from '../../domain/tickets/TicketStore.js';
import type { PgDatabase } from './PgDatabase.js';
import { violatedUnique } from './pgErrors.js';

/** The staff list's order; every list index (migration 011) ends with these columns. */
const NEWEST_FIRST = 'ORDER BY created_at DESC, number DESC';
/** How many of the newest candidates a word search checks before asking the GIN index instead. */
const SEARCH_WINDOW = 2000;

/**
 * The words of a search as a prefix tsquery ("lind sn" → 'lind':* & 'sn':*), through the `simple`
 * configuration as the generated `search` column (lower case, no stemming, no stop words). The
 * words are runs of letters and digits (searchWords), so none of tsquery's operators can be in
 * them. Folded to a constant at planning, so the planner sees how common the words are: a rare one
 * goes through the GIN index, a common one walks tickets_newest and stops at the page's end.
 */
const PREFIX_QUERY = (param: string) => `to_tsquery('simple'::regconfig, ${param})`;
const prefixQueryText = (words: readonly string[]) => words.map((w) => `${w}:*`).join(' & ');

/**
 * Tickets in PostgreSQL (table `tickets`, migration 011), shared by every instance. The staff list,
 * its filters and search and "my tickets" are single index-ordered queries with keyset pagination
 * (`(created_at, number) < cursor … LIMIT n`), so a page costs the same with 100 or 100,000
 * tickets. Updates lock the row for the read-change-write; numbers come from `ticket_numbers`.
 */
export class PgTicketStore implements TicketStore {
  constructor(private readonly database: PgDatabase) {}

  async nextNumber(): Promise<number> {
    const { rows } = await this.database.pool.query<{ n: string }>("SELECT nextval('ticket_numbers') AS n");
    return Number(rows[0]?.n);
  }

  async get(id: string): Promise<Ticket | null> {
    const { rows } = await this.database.pool.query<{ doc: Ticket }>('SELECT doc FROM tickets WHERE id = $1', [id]);
    return rows[0]?.doc ?? null;
  }

  async create(ticket: Ticket): Promise<void> {
    const number = ticketNumber(ticket.id);
    if (!Number.isSafeInteger(number)) throw new Error(`PgTicketStore.create(): not a ticket id: ${JSON.stringify(ticket.id)}`);
    try {
      await this.database.pool.query(
        `INSERT INTO tickets (id, number, status, priority, customer_channel, customer_user, assignee, created_at, updated_at, doc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)`,
        [ticket.id, number, ...columns(ticket)],
      );
    } catch (err) {
      if (violatedUnique(err) !== null) throw new TicketExistsError('PgTicketStore.create()', ticket.id);
      throw err;
    }
  }

  async update(id: string, change: (ticket: Ticket) => Ticket): Promise<Ticket | null> {
    return this.database.transaction(async (client) => {
      const { rows } = await client.query<{ doc: Ticket }>('SELECT doc FROM tickets WHERE id = $1 FOR UPDATE', [id]);
      const current = rows[0]?.doc;
      if (!current) return null;
      const next = change(current);
      if (next !== current) {
        await client.query(
          `UPDATE tickets SET status = $2, priority = $3, customer_channel = $4, customer_user = $5, assignee = $6,
             created_at = $7, updated_at = $8, doc = $9::jsonb WHERE id = $1`,
          [id, ...columns(next)],
        );
      }
      return next;
    });
  }

  /**
   * One page, in one or two index-backed statements. Without words to search: the filters and
   * the cursor on an index in list order, stopping after the page. With words, the planner cannot
   * tell a rare prefix from a common one (it guesses 2% for both), so the store decides:
   * 1. the newest SEARCH_WINDOW candidates (filters and cursor, in list order) are checked against
   *    the words: a common word fills the page there, from the first few hundred rows;
   * 2. otherwise the words are rare: their matches come from the GIN index, then the page is cut
   *    from them in list order (a sort of the matches only).
   */
  async query(query: TicketQuery): Promise<TicketSlice> {
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
    if (query.assignee !== undefined) where.push(`lower(assignee) = lower(${param(query.assignee)})`);
    if (query.after) where.push(`(created_at, number) < (${param(query.after.createdAt)}::timestamptz, ${param(query.after.number)}::bigint)`);
    const words = query.search?.words ?? [];
    const id = query.search?.id ?? null;
    if (query.search && words.length === 0 && id === null) return { tickets: [], nextCursor: null };
    if (words.length === 0 && id !== null) where.push(`id = ${param(id)}`);
    const wordsMatch = words.length > 0 ? `search @@ ${PREFIX_QUERY(param(prefixQueryText(words)))}` : null;
    const matching = wordsMatch && id !== null ? `(${wordsMatch} OR id = ${param(id)})` : wordsMatch;
    // One row more than the page: whether there is a next page, without counting.
    const limit = param(query.limit + 1);
    const filtered = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    if (!matching) return this.page(query.limit, `SELECT doc FROM tickets ${filtered} ${NEWEST_FIRST} LIMIT ${limit}`, params);
    const recent = await this.page(
      query.limit,
      `SELECT doc FROM (SELECT doc, search, id, created_at, number FROM tickets ${filtered} ${NEWEST_FIRST} LIMIT ${SEARCH_WINDOW}) recent
       WHERE ${matching} ${NEWEST_FIRST} LIMIT ${limit}`,
      params,
    );
    if (recent.nextCursor) return recent;
    // MATERIALIZED: the matches are found first (GIN), never by walking the list index to the end.
    return this.page(
      query.limit,
      `WITH matches AS MATERIALIZED (SELECT doc, created_at, number FROM tickets ${filtered ? `${filtered} AND` : 'WHERE'} ${matching})
       SELECT doc FROM matches ${NEWEST_FIRST} LIMIT ${limit}`,
      params,
    );
  }

  /** Runs a page's statement (which asks for one row more than the page) and cuts the page. */
  private async page(limit: number, sql: string, params: unknown[]): Promise<TicketSlice> {
    const { rows } = await this.database.pool.query<{ doc: Ticket }>(sql, params);
    const tickets = rows.slice(0, limit).map((r) => r.doc);
    const last = tickets.at(-1);
    return { tickets, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
  }

  async ofCustomer(owner: TicketOwner, limit: number): Promise<Ticket[]> {
    const { rows } = await this.database.pool.query<{ doc: Ticket }>(
      `SELECT doc FROM tickets WHERE customer_channel = $1 AND customer_user = $2 ${NEWEST_FIRST} LIMIT $3`,
      [owner.channelId, owner.userId, limit],
    );
    return rows.map((r) => r.doc);
  }
}

/** The queried columns of a ticket, in the order both statements use them, and the ticket itself. */
function columns(t: Ticket): unknown[] {
  return [t.status, t.priority, t.customer.channelId, t.customer.userId, t.assignee ?? null, t.createdAt, t.updatedAt, JSON.stringify(t)];
}
