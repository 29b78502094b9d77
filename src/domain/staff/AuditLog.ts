/** One staff action: who did what to what, and when. */
export interface AuditEntry {
  at: string;
  /** "staff:dana" for the API, "cli" for the staff command line. */
  actor: string;
  /** e.g. "ticket.update", "handoff.accept", "token.create". */
  action: string;
  /** What the action was on: a ticket or handoff id, a staff name. */
  target: string;
  detail?: Record<string, unknown>;
}

/** A stored entry, numbered in the order it was recorded. */
export interface RecordedAuditEntry extends AuditEntry {
  seq: number;
}

/** The audit port the domain owns: on the DocumentStore (lowdb, memory) or an append-only PostgreSQL table. */
export interface AuditStore {
  /** Appends an entry and resolves with its sequence number once it is durable. */
  append(entry: AuditEntry): Promise<number>;
  /** The `limit` most recently recorded entries, newest (highest seq) first, read by key or index, not by reading the log. */
  recent(limit: number): Promise<RecordedAuditEntry[]>;
}

/** The append-only record of every staff action (API calls, token creation and revocation). */
export class AuditLog {
  constructor(
    private readonly store: AuditStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records an action; `at` defaults to the clock's now. */
  async record(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<number> {
    const { at, ...rest } = entry;
    return this.store.append({ at: at ?? this.now().toISOString(), ...rest });
  }

  /** The `n` most recent entries, newest first. */
  async recent(n: number): Promise<RecordedAuditEntry[]> {
    if (!(n > 0)) return [];
    return this.store.recent(Math.floor(n));
  }
}
