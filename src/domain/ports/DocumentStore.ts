/**
 * The storage port the domain owns. Conversation state, user state and (later) tickets and
 * devices are documents in named collections; lowdb and PostgreSQL are two implementations.
 *
 * Concurrency is optimistic: every stored document carries an eTag that changes on each write.
 * A write that names an eTag succeeds only if the stored document still has it.
 */
export interface StoredDocument<T = unknown> {
  value: T;
  eTag: string;
}

/**
 * `'*'` or `undefined`: write whatever is stored (last writer wins). `null`: create only — rejected
 * with ETagConflictError when the document exists. A string: only over that version.
 */
export type ExpectedETag = string | '*' | null | undefined;

export class ETagConflictError extends Error {
  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`DocumentStore: write to "${collection}/${id}" rejected: eTag conflict (the document changed since it was read).`);
    this.name = 'ETagConflictError';
  }
}

export interface DocumentStore {
  /** Reads the documents that exist; missing ids are absent from the map. */
  read<T = unknown>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>>;
  /**
   * Writes one document and resolves with its new eTag only once it is durable (on disk / committed).
   * Rejects with ETagConflictError when `expected` names an eTag the stored document no longer has.
   */
  write<T>(collection: string, id: string, value: T, expected?: ExpectedETag): Promise<string>;
  delete(collection: string, ids: readonly string[]): Promise<void>;
  /** Lists every document of a collection (small collections only: tickets, devices). */
  list<T = unknown>(collection: string): Promise<Array<{ id: string } & StoredDocument<T>>>;
  /** Removes documents not written since `before`; returns how many were removed. */
  expireIdle(collection: string, before: Date): Promise<number>;
  /** True once the store can serve reads and writes. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}
