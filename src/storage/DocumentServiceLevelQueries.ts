import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import type { ServiceLevelQueries } from '../domain/tickets/ServiceLevel.js';
import type { Ticket } from '../domain/tickets/Ticket.js';
import { TICKETS_COLLECTION } from './DocumentTicketStore.js';

const byDue = (a: Ticket, b: Ticket) => (a.firstResponseDue < b.firstResponseDue ? -1 : a.firstResponseDue > b.firstResponseDue ? 1 : a.id < b.id ? -1 : 1);

/** The service level's queries on the DocumentStore: a scan of `tickets` (one process's embedded store; its staff list scans too). */
export class DocumentServiceLevelQueries implements ServiceLevelQueries {
  constructor(private readonly store: DocumentStore) {}

  async unsettled(after: string, until: string, limit: number): Promise<Ticket[]> {
    return (await this.tickets())
      .filter((t) => t.firstResponseAt === undefined && t.firstResponseBreachedAt === undefined && t.firstResponseDue > after && t.firstResponseDue <= until)
      .sort(byDue)
      .slice(0, limit);
  }

  async breachedOpen(limit: number): Promise<Ticket[]> {
    return (await this.tickets())
      .filter((t) => t.firstResponseBreachedAt !== undefined && t.status !== 'resolved' && t.status !== 'closed')
      .sort(byDue)
      .slice(0, limit);
  }

  private async tickets(): Promise<Ticket[]> {
    return (await this.store.list<Ticket>(TICKETS_COLLECTION)).map((d) => d.value);
  }
}
