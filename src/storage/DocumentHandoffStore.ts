import type { Handoff, HandoffStatus } from '../domain/handoff/Handoff.js';
import { AgentChatLimitError, byRequestedAt, HandoffAlreadyOpenError, type HandoffStore } from '../domain/handoff/HandoffStore.js';
import { ETagConflictError, type DocumentStore } from '../domain/ports/DocumentStore.js';
import { DocumentSequence } from './DocumentSequence.js';
import { KeyedLock } from './KeyedLock.js';

export const HANDOFFS_COLLECTION = 'handoffs';
/** Name of the handoff counter in the `sequences` collection. */
export const HANDOFFS_SEQUENCE = 'handoffs';
/** conversationKey → the id of its open handoff: what the relay asks on every customer message. */
export const OPEN_INDEX_COLLECTION = 'open-handoffs';
/** Concurrent updates of one handoff (or claims of one conversation) retry at most this often. */
const MAX_ATTEMPTS = 20;

/**
 * An entry of the open index. `handoff` is the handoff as it was created: a request that finds the
 * entry before its handoff is written (a create in progress, or one whose process stopped between
 * the two writes) writes it itself, so both requests agree on the one open handoff. `id: null`
 * once that handoff closed (a tombstone: entries are replaced over their eTag, never deleted, so a
 * late release cannot remove a newer claim).
 */
interface OpenEntry {
  id: string | null;
  handoff?: Handoff;
}

/**
 * The handoff store on the DocumentStore port: collection `handoffs`, one document per handoff,
 * id = the handoff id ("H-000042"); numbers from the DocumentSequence `handoffs`; the open index
 * (`open-handoffs`, one entry per conversation) claimed create-only or over the eTag of a stale
 * entry, so of concurrent requests for one conversation exactly one creates an open handoff, also
 * with two services (or processes) on one store.
 */
export class DocumentHandoffStore implements HandoffStore {
  private readonly sequence: DocumentSequence;
  /** One agent's accepts, one after the other: the embedded store belongs to one process. */
  private readonly agentAccepts = new KeyedLock();

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
    const entry = (await this.store.read<OpenEntry>(OPEN_INDEX_COLLECTION, [conversationKey])).get(conversationKey);
    return entry ? this.holderOf(conversationKey, entry.value) : null;
  }

  async create(handoff: Handoff): Promise<void> {
    // The claim comes first: once it lands, the handoff is this conversation's open one even if
    // this process stops before writing it (the next request or relay look-up writes it).
    if (handoff.status !== 'closed') await this.claim(handoff);
    await this.writeNew(handoff);
  }

  async update(id: string, change: (handoff: Handoff) => Handoff): Promise<Handoff | null> {
    for (let attempt = 1; ; attempt += 1) {
      const doc = (await this.store.read<Handoff>(HANDOFFS_COLLECTION, [id])).get(id);
      if (!doc) return null;
      const next = change(doc.value);
      try {
        // Over the version read: a concurrent change makes this attempt re-read and re-apply.
        await this.store.write(HANDOFFS_COLLECTION, id, next, doc.eTag);
        if (next.status === 'closed' && doc.value.status !== 'closed') await this.release(next);
        return next;
      } catch (err) {
        if (err instanceof ETagConflictError && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  async updateWithinAgentLimit(id: string, agent: string, maxActive: number, change: (handoff: Handoff) => Handoff): Promise<Handoff | null> {
    return this.agentAccepts.run(agent, async () => {
      const active = (await this.list('active')).filter((h) => h.agent === agent && h.id !== id).length;
      if (active >= maxActive) throw new AgentChatLimitError('DocumentHandoffStore.updateWithinAgentLimit()', agent, active, maxActive);
      return this.update(id, change);
    });
  }

  async list(status?: HandoffStatus): Promise<Handoff[]> {
    // One process's embedded store: a scan is what it has, and the queue is small.
    const all = (await this.store.list<Handoff>(HANDOFFS_COLLECTION)).map((d) => d.value);
    return (status ? all.filter((h) => h.status === status) : all).sort(byRequestedAt);
  }

  waiting(): Promise<Handoff[]> {
    return this.list('waiting');
  }

  /**
   * Points the conversation's open entry at `handoff`: create-only, or over the eTag of an entry
   * whose handoff is closed (or gone). Of concurrent claims exactly one lands; the others find the
   * winner open and reject with HandoffAlreadyOpenError.
   */
  private async claim(handoff: Handoff): Promise<void> {
    const key = handoff.conversationKey;
    const claim: OpenEntry = { id: handoff.id, handoff };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const entry = (await this.store.read<OpenEntry>(OPEN_INDEX_COLLECTION, [key])).get(key);
      if (entry) {
        const holder = await this.holderOf(key, entry.value);
        if (holder) throw new HandoffAlreadyOpenError('DocumentHandoffStore.create()', key, holder);
      }
      try {
        await this.store.write(OPEN_INDEX_COLLECTION, key, claim, entry ? entry.eTag : null);
        return;
      } catch (err) {
        if (!(err instanceof ETagConflictError)) throw err;
      }
    }
    throw new Error(`DocumentHandoffStore.create(): the open-handoff entry of "${key}" changed concurrently ${MAX_ATTEMPTS} times in a row; giving up.`);
  }

  /** The open handoff an entry names, written first if only its claim landed; null for a stale entry. */
  private async holderOf(conversationKey: string, entry: OpenEntry): Promise<Handoff | null> {
    if (!entry.id) return null;
    let holder = await this.get(entry.id);
    if (!holder && entry.handoff?.id === entry.id) {
      await this.writeNew(entry.handoff).catch(() => undefined);
      holder = await this.get(entry.id);
    }
    return holder && holder.status !== 'closed' && holder.conversationKey === conversationKey ? holder : null;
  }

  /** Create-only; the same handoff already written (by a request finishing this claim) is no error. */
  private async writeNew(handoff: Handoff): Promise<void> {
    try {
      await this.store.write(HANDOFFS_COLLECTION, handoff.id, handoff, null);
    } catch (err) {
      if (!(err instanceof ETagConflictError)) throw err;
      const stored = await this.get(handoff.id);
      if (stored && stored.conversationKey === handoff.conversationKey && stored.requestedAt === handoff.requestedAt) return;
      throw new Error(`DocumentHandoffStore.create(): handoff "${handoff.id}" already exists`, { cause: err });
    }
  }

  /** Clears the conversation's entry if it still names this handoff (over its eTag: a newer claim stays). */
  private async release(handoff: Handoff): Promise<void> {
    const key = handoff.conversationKey;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const entry = (await this.store.read<OpenEntry>(OPEN_INDEX_COLLECTION, [key])).get(key);
      if (!entry || entry.value.id !== handoff.id) return;
      try {
        await this.store.write<OpenEntry>(OPEN_INDEX_COLLECTION, key, { id: null }, entry.eTag);
        return;
      } catch (err) {
        if (!(err instanceof ETagConflictError)) throw err;
      }
    }
    // A stale entry is harmless: it names a closed handoff, which readers and claims ignore.
  }
}
