import type { AuditEntry, AuditStore, RecordedAuditEntry } from '../domain/staff/AuditLog.js';
import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import { DocumentSequence } from './DocumentSequence.js';

export const AUDIT_COLLECTION = 'audit';
/** Name of the audit counter in the `sequences` collection. */
export const AUDIT_SEQUENCE = 'audit';

/**
 * The audit log on the DocumentStore: collection `audit`, one document per entry, id from the
 * DocumentSequence `audit` (zero-padded, so ids sort in recording order). Writes are create-only:
 * an entry is never overwritten.
 */
export class DocumentAuditStore implements AuditStore {
  private readonly sequence: DocumentSequence;

  constructor(private readonly store: DocumentStore) {
    this.sequence = new DocumentSequence(store, AUDIT_SEQUENCE);
  }

  async append(entry: AuditEntry): Promise<number> {
    const seq = await this.sequence.next();
    const value: RecordedAuditEntry = { seq, ...entry };
    await this.store.write(AUDIT_COLLECTION, `A-${String(seq).padStart(10, '0')}`, value, null);
    return seq;
  }

  async all(): Promise<RecordedAuditEntry[]> {
    return (await this.store.list<RecordedAuditEntry>(AUDIT_COLLECTION)).map((d) => d.value);
  }
}
