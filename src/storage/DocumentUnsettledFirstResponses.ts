import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import type { UnsettledFirstResponses } from '../domain/tickets/FirstResponseWatch.js';
import type { Ticket } from '../domain/tickets/Ticket.js';
import { TICKETS_COLLECTION } from './DocumentTicketStore.js';

/** The due-time check's work on the DocumentStore: a scan of `tickets` (one process's embedded store; its staff list scans too). */
export class DocumentUnsettledFirstResponses implements UnsettledFirstResponses {
  constructor(private readonly store: DocumentStore) {}

  async due(now: string, notBefore: string, limit: number): Promise<string[]> {
    return (await this.store.list<Ticket>(TICKETS_COLLECTION))
      .map((doc) => doc.value)
      .filter((t) => t.firstResponseAt === undefined && t.firstResponseBreachedAt === undefined && t.firstResponseDue > notBefore && t.firstResponseDue <= now)
      .sort((a, b) => (a.firstResponseDue < b.firstResponseDue ? -1 : a.firstResponseDue > b.firstResponseDue ? 1 : a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((t) => t.id);
  }
}
