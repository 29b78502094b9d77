import type { Ticket } from './Ticket.js';

/** The tickets port the domain owns; implemented on the DocumentStore (lowdb or PostgreSQL). */
export interface TicketStore {
  /** The next number of the ticket sequence (1, 2, 3…), unique even under concurrent calls. */
  nextNumber(): Promise<number>;
  get(id: string): Promise<Ticket | null>;
  /** Stores a new ticket; rejects if the id exists. */
  create(ticket: Ticket): Promise<void>;
  /**
   * Reads, applies `change` and writes back with optimistic concurrency (retrying on conflict);
   * resolves with the stored ticket, or null when there is no such ticket.
   */
  update(id: string, change: (ticket: Ticket) => Ticket): Promise<Ticket | null>;
  all(): Promise<Ticket[]>;
}
