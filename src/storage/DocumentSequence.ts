import { ETagConflictError, type DocumentStore } from '../domain/ports/DocumentStore.js';

const COLLECTION = 'sequences';
const MAX_ATTEMPTS = 50;

/**
 * A counter in the DocumentStore (ticket and handoff numbers): read, increment, write back naming
 * the eTag read, retry on conflict, so two concurrent callers never get the same number, also
 * across processes on PostgreSQL.
 */
export class DocumentSequence {
  constructor(
    private readonly store: DocumentStore,
    private readonly name: string,
  ) {}

  async next(): Promise<number> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = (await this.store.read<{ value: number }>(COLLECTION, [this.name])).get(this.name);
      const value = (current?.value.value ?? 0) + 1;
      try {
        // Over the version read, or create-only for the first number: a concurrent caller conflicts and retries.
        await this.store.write(COLLECTION, this.name, { value }, current ? current.eTag : null);
        return value;
      } catch (err) {
        if (!(err instanceof ETagConflictError)) throw err;
        // A short random pause, so that callers who collided do not collide again in lock-step.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
      }
    }
    throw new Error(`DocumentSequence "${this.name}": too much contention`);
  }

}
