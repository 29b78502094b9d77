import type { AuditEntry, AuditStore, RecordedAuditEntry } from '../domain/staff/AuditLog.js';
import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import { DocumentSequence } from './DocumentSequence.js';

export const AUDIT_COLLECTION = 'audit';
/** Name of the audit counter in the `sequences` collection. */
export const AUDIT_SEQUENCE = 'audit';

const SEQUENCES_COLLECTION = 'sequences';

/** The document id of entry `seq`: zero-padded, so ids sort in recording order. */
function entryId(seq: number): string {
  return `A-${String(seq).padStart(10, '0')}`;
}

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
    await this.store.write(AUDIT_COLLECTION, entryId(seq), value, null);
    return seq;
  }

  /**
   * By key, newest first: the counter says the last number, the entries below it are read in
   * windows of `limit` ids. A number taken by an append that never wrote is a gap, skipped.
   */
  async recent(limit: number): Promise<RecordedAuditEntry[]> {
    const found: RecordedAuditEntry[] = [];
    let top = (await this.store.read<{ value: number }>(SEQUENCES_COLLECTION, [AUDIT_SEQUENCE])).get(AUDIT_SEQUENCE)?.value.value ?? 0;
    while (found.length < limit && top > 0) {
      const seqs = Array.from({ length: Math.min(limit, top) }, (_, i) => top - i);
      const docs = await this.store.read<RecordedAuditEntry>(AUDIT_COLLECTION, seqs.map(entryId));
      for (const seq of seqs) {
        const doc = docs.get(entryId(seq));
        if (doc && found.length < limit) found.push(doc.value);
      }
      top -= seqs.length;
    }
    return found;
  }
}
