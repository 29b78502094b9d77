import { setTimeout as sleep } from 'node:timers/promises';
import { ETagConflictError, type DocumentStore } from '../domain/ports/DocumentStore.js';
import type { Ticket } from '../domain/tickets/Ticket.js';
import { compareNewestFirst, cursorOf, matchesSearch, type TicketOwner, type TicketQuery, type TicketSlice } from '../domain/tickets/ticketQuery.js';
import { TicketExistsError, type TicketStore } from '../domain/tickets/TicketStore.js';
import { DocumentSequence } from './DocumentSequence.js';

export const TICKETS_COLLECTION = 'tickets';
/** Concurrent updates of one ticket retry on an eTag conflict at most this often. */
const MAX_ATTEMPTS = 10;

export { TicketExistsError };

/**
 * The tickets port on the DocumentStore: collection `tickets`, one document per ticket, id = ticket
 * id ("T-000123"), for the embedded store (lowdb, one process) and the tests' memory store.
 * Numbers come from a DocumentSequence; creates are create-only and updates name the eTag they
 * read. Lists scan the collection (PostgreSQL's PgTicketStore answers them from indexes).
 */
export class DocumentTicketStore implements TicketStore {
  private readonly sequence: DocumentSequence;
  /** The previous nextNumber() of this instance; the next one waits for it (see nextNumber()). */
  private numbering: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: DocumentStore) {
    this.sequence = new DocumentSequence(store, TICKETS_COLLECTION);
  }

  /**
   * One number at a time per instance: concurrent callers in one process would otherwise all read
   * the same counter and retry in lockstep (the k-th waits k rounds, and DocumentSequence gives up
   * after 50). Other processes are still kept apart by the sequence's eTag check.
   */
  nextNumber(): Promise<number> {
    const next = this.numbering.then(() => this.sequence.next());
    this.numbering = next.catch(() => undefined);
    return next;
  }

  async get(id: string): Promise<Ticket | null> {
    const doc = (await this.store.read<Ticket>(TICKETS_COLLECTION, [id])).get(id);
    return doc ? doc.value : null;
  }

  async create(ticket: Ticket): Promise<void> {
    try {
      // Create-only: an existing ticket with this id is never overwritten.
      await this.store.write(TICKETS_COLLECTION, ticket.id, ticket, null);
    } catch (err) {
      if (err instanceof ETagConflictError) throw new TicketExistsError('DocumentTicketStore.create()', ticket.id);
      throw err;
    }
  }

  async update(id: string, change: (ticket: Ticket) => Ticket): Promise<Ticket | null> {
    for (let attempt = 1; ; attempt += 1) {
      const doc = (await this.store.read<Ticket>(TICKETS_COLLECTION, [id])).get(id);
      if (!doc) return null;
      // `change` may run again after a conflict, on the fresh version: it must not have side effects.
      const next = change(doc.value);
      try {
        await this.store.write(TICKETS_COLLECTION, id, next, doc.eTag);
        return next;
      } catch (err) {
        if (err instanceof ETagConflictError && attempt < MAX_ATTEMPTS) {
          // A short random pause, so writers that conflicted do not retry in lockstep.
          await sleep(Math.random() * 5 * attempt);
          continue;
        }
        if (err instanceof ETagConflictError) {
          throw new Error(`DocumentTicketStore.update(): ticket "${id}" changed concurrently ${MAX_ATTEMPTS} times in a row; giving up.`, { cause: err });
        }
        throw err;
      }
    }
  }

  async query(query: TicketQuery): Promise<TicketSlice> {
    const assignee = query.assignee?.toLowerCase();
    const { after, search } = query;
    // One process's embedded store: a scan of the collection is what it has (PostgreSQL uses indexes).
    const matching = (await this.all())
      .filter((t) => query.status === undefined || t.status === query.status)
      .filter((t) => assignee === undefined || t.assignee?.toLowerCase() === assignee)
      .filter((t) => search === undefined || matchesSearch(t, search))
      .filter((t) => after === undefined || compareNewestFirst(cursorOf(t), after) > 0)
      .sort(newestFirst);
    const tickets = matching.slice(0, query.limit);
    const last = tickets.at(-1);
    return { tickets, nextCursor: matching.length > query.limit && last ? cursorOf(last) : null };
  }

  async ofCustomer(owner: TicketOwner, limit: number): Promise<Ticket[]> {
    return (await this.all())
      .filter((t) => t.customer.channelId === owner.channelId && t.customer.userId === owner.userId)
      .sort(newestFirst)
      .slice(0, limit);
  }

  private async all(): Promise<Ticket[]> {
    return (await this.store.list<Ticket>(TICKETS_COLLECTION)).map((doc) => doc.value);
  }
}

function newestFirst(a: Ticket, b: Ticket): number {
  return compareNewestFirst(cursorOf(a), cursorOf(b));
}
