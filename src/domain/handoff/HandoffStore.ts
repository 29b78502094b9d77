import type { Handoff } from './Handoff.js';

/** The handoffs port the domain owns; implemented on the DocumentStore (lowdb or PostgreSQL). */
export interface HandoffStore {
  /** The next number of the handoff sequence (1, 2, 3…), unique even under concurrent calls. */
  nextNumber(): Promise<number>;
  get(id: string): Promise<Handoff | null>;
  /** Stores a new handoff; rejects if the id exists (create-only). */
  create(handoff: Handoff): Promise<void>;
  /**
   * Reads, applies `change` and writes back with optimistic concurrency (retrying on conflict);
   * resolves with the stored handoff, or null when there is no such handoff. `change` may run more
   * than once (once per attempt), so it must be a pure function of the handoff it is given, and may
   * throw to abort the update (the error propagates and nothing is written).
   */
  update(id: string, change: (handoff: Handoff) => Handoff): Promise<Handoff | null>;
  all(): Promise<Handoff[]>;
  /**
   * The waiting or active handoff of a conversation, or null. Asked on every customer message, so
   * implementations answer it from an index, not by reading every handoff.
   */
  findOpen(conversationKey: string): Promise<Handoff | null>;
}
