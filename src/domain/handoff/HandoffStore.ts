import type { Handoff, HandoffStatus } from './Handoff.js';

/** The statuses of an open handoff: a conversation has at most one handoff in one of them. */
export const OPEN_HANDOFF_STATUSES: readonly HandoffStatus[] = ['waiting', 'active'];

/**
 * `HandoffStore.create()` refused a handoff because its conversation already has an open one (a
 * concurrent request, possibly on another instance, got there first). `open` is that handoff when
 * the store could read it (it may have closed in the meantime).
 */
export class HandoffAlreadyOpenError extends Error {
  constructor(
    readonly where: string,
    readonly conversationKey: string,
    readonly open: Handoff | null,
  ) {
    super(`${where}: conversation "${conversationKey}" already has an open handoff${open ? ` (${open.id})` : ''}`);
    this.name = 'HandoffAlreadyOpenError';
  }
}

/**
 * An agent already has as many active chats as allowed (AGENT_MAX_ACTIVE_CHATS): accepting another
 * is refused (the staff API answers 409 with this message).
 */
export class AgentChatLimitError extends Error {
  constructor(
    readonly where: string,
    readonly agent: string,
    readonly active: number,
    readonly max: number,
  ) {
    super(`${where}: ${agent} already has ${active} active chat${active === 1 ? '' : 's'} (the limit is ${max}); close one before accepting another`);
    this.name = 'AgentChatLimitError';
  }
}

/**
 * The handoffs port the domain owns: on the DocumentStore (lowdb, memory) or a PostgreSQL table.
 * At most one open (waiting or active) handoff per conversation is the store's invariant, kept
 * across processes: `create` rejects a second one with HandoffAlreadyOpenError.
 */
export interface HandoffStore {
  /** The next number of the handoff sequence (1, 2, 3…), unique even under concurrent calls. */
  nextNumber(): Promise<number>;
  get(id: string): Promise<Handoff | null>;
  /**
   * Stores a new handoff. Rejects if the id exists, and with HandoffAlreadyOpenError when the
   * handoff is open and its conversation already has an open handoff.
   */
  create(handoff: Handoff): Promise<void>;
  /**
   * Reads, applies `change` and writes back atomically (a row lock, or optimistic concurrency with
   * retries); resolves with the stored handoff, or null when there is no such handoff. `change` may
   * run more than once (once per attempt), so it must be a pure function of the handoff it is
   * given, and may throw to abort the update (the error propagates and nothing is written). Of two
   * concurrent updates each sees the other's result: two agents accepting at once, one wins.
   */
  update(id: string, change: (handoff: Handoff) => Handoff): Promise<Handoff | null>;
  /**
   * `update` for an agent taking a handoff: in the same atomic step, counts the agent's active
   * handoffs other than this one and rejects with AgentChatLimitError when there are `maxActive`
   * or more (nothing is written). Accepts of one agent are serialised with each other (an advisory
   * lock in the accept's transaction on PostgreSQL; one process owns the embedded store), so two
   * accepts at the limit, on any instances, cannot both pass.
   */
  updateWithinAgentLimit(id: string, agent: string, maxActive: number, change: (handoff: Handoff) => Handoff): Promise<Handoff | null>;
  /** Handoffs (all, or of one status), oldest request first (requestedAt, then id). */
  list(status?: HandoffStatus): Promise<Handoff[]>;
  /**
   * The queue: the waiting handoffs, oldest request first (requestedAt, then id), from one ordered
   * query. A handoff's place in the queue is its index here + 1.
   */
  waiting(): Promise<Handoff[]>;
  /**
   * The waiting or active handoff of a conversation, or null. Asked on every customer message, so
   * implementations answer it from an index, not by reading every handoff.
   */
  findOpen(conversationKey: string): Promise<Handoff | null>;
}

/** The queue's order: request time, then id (code-unit order, as PostgreSQL's COLLATE "C"). */
export function byRequestedAt(a: Handoff, b: Handoff): number {
  return a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
