import type { Handoff } from '../domain/handoff/Handoff.js';
import type { HandoffStore } from '../domain/handoff/HandoffStore.js';
import { ETagConflictError, type DocumentStore } from '../domain/ports/DocumentStore.js';
import { DocumentSequence } from './DocumentSequence.js';

export const HANDOFFS_COLLECTION = 'handoffs';
/** Name of the handoff counter in the `sequences` collection. */
export const HANDOFFS_SEQUENCE = 'handoffs';
/** conversationKey → the id of its open handoff: what the relay asks on every customer message. */
const OPEN_INDEX_COLLECTION = 'open-handoffs';
/** Concurrent updates of one handoff retry on an eTag conflict at most this often. */
const MAX_ATTEMPTS = 20;

/**
 * The handoff store on the DocumentStore port: collection `handoffs`, one document per handoff,
 * id = the handoff id ("H-000042"); numbers from the DocumentSequence `handoffs`.
 */
export class DocumentHandoffStore implements HandoffStore {
  private readonly sequence: DocumentSequence;

  constructor(private readonly store: DocumentStore) {
    this.sequence = new DocumentSequence(store, HANDOFFS_SEQUENCE);
  }

  nextNumber(): Promise<number> {
    return this.sequence.next();
  }

  async get(id: string): Promise<Handoff | null> {
    const doc = (await this.store.read<Handoff>(HANDOFFS_COLLECTION, [id])).get(id);
    return doc ? doc.value : null;
  }

  async findOpen(conversationKey: string): Promise<Handoff | null> {
    const entry = (await this.store.read<{ id: string }>(OPEN_INDEX_COLLECTION, [conversationKey])).get(conversationKey);
    if (!entry) return null;
    const handoff = await this.get(entry.value.id);
    // The index may point at a handoff closed by a process that stopped before clearing it.
    return handoff && handoff.status !== 'closed' && handoff.conversationKey === conversationKey ? handoff : null;
  }

  async create(handoff: Handoff): Promise<void> {
    // Index first: a crash between the two writes leaves an entry pointing at nothing (ignored),
    // never an open handoff the relay cannot find.
    if (handoff.status !== 'closed') await this.store.write(OPEN_INDEX_COLLECTION, handoff.conversationKey, { id: handoff.id });
    try {
      // Expected eTag null: create-only, so two handoffs can never share an id.
      await this.store.write(HANDOFFS_COLLECTION, handoff.id, handoff, null);
    } catch (err) {
      if (err instanceof ETagConflictError) {
        throw new Error(`DocumentHandoffStore.create(): handoff "${handoff.id}" already exists`, { cause: err });
      }
      throw err;
    }
  }

  async update(id: string, change: (handoff: Handoff) => Handoff): Promise<Handoff | null> {
    for (let attempt = 1; ; attempt += 1) {
      const doc = (await this.store.read<Handoff>(HANDOFFS_COLLECTION, [id])).get(id);
      if (!doc) return null;
      const next = change(doc.value);
      try {
        // Over the version read: a concurrent change makes this attempt re-read and re-apply.
        await this.store.write(HANDOFFS_COLLECTION, id, next, doc.eTag);
        if (next.status === 'closed' && doc.value.status !== 'closed') await this.store.delete(OPEN_INDEX_COLLECTION, [next.conversationKey]);
        return next;
      } catch (err) {
        if (err instanceof ETagConflictError && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  async all(): Promise<Handoff[]> {
    return (await this.store.list<Handoff>(HANDOFFS_COLLECTION)).map((d) => d.value);
  }
}
