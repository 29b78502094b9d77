import { ETagConflictError, type DocumentStore, type ExpectedETag, type StoredDocument } from '../../src/domain/ports/DocumentStore.js';

/**
 * An in-memory DocumentStore for dialog tests, held to the same contract as the real adapters
 * (test/storage/memory.test.ts), so tests can use it without temp directories.
 */
export class MemoryDocumentStore implements DocumentStore {
  private readonly collections = new Map<string, Map<string, { value: string; eTag: string; updatedAt: number }>>();
  private version = 0;

  private collection(name: string) {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }

  async read<T = unknown>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>> {
    const found = new Map<string, StoredDocument<T>>();
    for (const id of ids) {
      const doc = this.collection(collection).get(id);
      if (doc) found.set(id, { value: JSON.parse(doc.value) as T, eTag: doc.eTag });
    }
    return found;
  }

  async write<T>(collection: string, id: string, value: T, expected?: ExpectedETag): Promise<string> {
    const c = this.collection(collection);
    const current = c.get(id);
    if (expected === null ? current !== undefined : expected !== undefined && expected !== '*' && current && current.eTag !== expected) {
      throw new ETagConflictError(collection, id);
    }
    this.version += 1;
    const eTag = `m${this.version}`;
    c.set(id, { value: JSON.stringify(value), eTag, updatedAt: Date.now() });
    return eTag;
  }

  async delete(collection: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) this.collection(collection).delete(id);
  }

  async list<T = unknown>(collection: string): Promise<Array<{ id: string } & StoredDocument<T>>> {
    return [...this.collection(collection)].map(([id, d]) => ({ id, value: JSON.parse(d.value) as T, eTag: d.eTag }));
  }

  async expireIdle(collection: string, before: Date): Promise<number> {
    let removed = 0;
    for (const [id, d] of this.collection(collection)) {
      if (d.updatedAt < before.getTime()) {
        this.collection(collection).delete(id);
        removed += 1;
      }
    }
    return removed;
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
