import type { Ticket } from './Ticket.js';
import type { TicketOwner, TicketQuery, TicketSlice } from './ticketQuery.js';

/** `TicketStore.create()` refused a ticket whose id is taken (a reset sequence). */
export class TicketExistsError extends Error {
  constructor(
    readonly where: string,
    readonly id: string,
  ) {
    super(`${where}: a ticket with the id "${id}" already exists.`);
    this.name = 'TicketExistsError';
  }
}

/**
 * The tickets port the domain owns: on the DocumentStore (lowdb, memory) or a PostgreSQL table.
 * Lists are queries the store answers (PostgreSQL from indexes, a page at a time), never a read of
 * the whole collection by the service.
 */
export interface TicketStore {
  /** The next number of the ticket sequence (1, 2, 3…), unique even under concurrent calls. */
  nextNumber(): Promise<number>;
  get(id: string): Promise<Ticket | null>;
  /** Stores a new ticket; rejects with TicketExistsError if the id exists. */
  create(ticket: Ticket): Promise<void>;
  /**
   * Reads, applies `change` and writes back atomically (a row lock, or optimistic concurrency with
   * retries); resolves with the stored ticket, or null when there is no such ticket. `change` may
   * run more than once, so it must not have side effects.
   */
  update(id: string, change: (ticket: Ticket) => Ticket): Promise<Ticket | null>;
  /**
   * One page of the staff list: the tickets matching every given filter, newest first (createdAt,
   * then number), strictly after `after`, at most `limit`; `nextCursor` when more match.
   */
  query(query: TicketQuery): Promise<TicketSlice>;
  /** A customer's own tickets (channel + user id), newest first, at most `limit`. */
  ofCustomer(owner: TicketOwner, limit: number): Promise<Ticket[]>;
}
