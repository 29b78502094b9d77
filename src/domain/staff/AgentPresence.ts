/**
 * Whether agents are at the console: each agent sets "available" or "away" there, and the console
 * signals it is still open with a heartbeat. An agent whose console has not been heard from for the
 * timeout counts as away, whatever was set, so a closed tab does not leave anybody "available".
 *
 * The bot offers a person only while someone is available (HandoffService asks `anyoneAvailable`).
 * Which deployments enforce that is the policy:
 * - `always`: nobody available means no person is offered (a ticket is);
 * - `auto` (default): enforced once any agent has ever set a presence in this store, so a fresh
 *   deployment, or one whose agents work from Teams only, still reaches a person in staffed hours;
 * - `never`: presence is shown in the console but never stops a handoff.
 */
export const PRESENCE_STATUSES = ['available', 'away'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];
export const PRESENCE_POLICIES = ['auto', 'always', 'never'] as const;
export type PresencePolicy = (typeof PRESENCE_POLICIES)[number];

/** What is stored per agent (the staff token's name): no customer data. */
export interface PresenceRecord {
  agent: string;
  /** What the agent chose last. */
  status: PresenceStatus;
  /** When the agent's console was last heard from (a heartbeat or a change), ISO 8601. */
  seenAt: string;
  /** When `status` last changed. */
  changedAt: string;
}

/** A record as staff see it: `effective` is `away` once the console has been silent past the timeout. */
export interface AgentPresenceView extends PresenceRecord {
  effective: PresenceStatus;
}

/**
 * The presence port: documents on the embedded store, the `agent_presence` table on PostgreSQL.
 * Every instance reads the same records, so an agent's console on one instance counts on all.
 */
export interface AgentPresenceStore {
  get(agent: string): Promise<PresenceRecord | null>;
  /** Stores the record (last writer wins: an agent has one console state). */
  put(record: PresenceRecord): Promise<void>;
  /** Every agent's record, by name. */
  all(): Promise<PresenceRecord[]>;
  /** True when some agent is `available` and was seen after `seenAfter` (ISO); answered by the store, not by a scan where it can. */
  anyAvailableSince(seenAfter: string): Promise<boolean>;
  /** True when any agent has a record at all (the `auto` policy's switch). */
  anyRecorded(): Promise<boolean>;
}

export interface AgentPresenceOptions {
  /** A console silent this long counts as away. */
  timeoutMs: number;
  policy: PresencePolicy;
}

export class AgentPresence {
  constructor(
    private readonly store: AgentPresenceStore,
    private readonly clock: () => Date,
    readonly options: AgentPresenceOptions,
  ) {
    if (!(options.timeoutMs > 0)) throw new Error('AgentPresence: options.timeoutMs must be a positive number');
  }

  /** The agent chose a status in the console. */
  async set(agent: string, status: PresenceStatus): Promise<AgentPresenceView> {
    const at = this.clock().toISOString();
    const previous = await this.store.get(agent);
    const record: PresenceRecord = { agent, status, seenAt: at, changedAt: previous?.status === status ? previous.changedAt : at };
    await this.store.put(record);
    return this.view(record);
  }

  /**
   * The console is still open. An agent with no record yet becomes `available` (opening the
   * console is the signal that someone is there); otherwise the chosen status is kept.
   */
  async heartbeat(agent: string): Promise<AgentPresenceView> {
    const at = this.clock().toISOString();
    const previous = await this.store.get(agent);
    const record: PresenceRecord = previous ? { ...previous, seenAt: at } : { agent, status: 'available', seenAt: at, changedAt: at };
    await this.store.put(record);
    return this.view(record);
  }

  async of(agent: string): Promise<AgentPresenceView | null> {
    const record = await this.store.get(agent);
    return record ? this.view(record) : null;
  }

  async list(): Promise<AgentPresenceView[]> {
    return (await this.store.all()).map((r) => this.view(r)).sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  }

  /** Whether presence decides handoffs here (the policy, and for `auto` whether anyone ever set one). */
  async enforced(): Promise<boolean> {
    if (this.options.policy === 'never') return false;
    if (this.options.policy === 'always') return true;
    return this.store.anyRecorded();
  }

  /** True when a person may be offered now: presence is not enforced, or an agent is available. */
  async anyoneAvailable(): Promise<boolean> {
    if (!(await this.enforced())) return true;
    return this.store.anyAvailableSince(this.cutoff());
  }

  private cutoff(): string {
    return new Date(this.clock().getTime() - this.options.timeoutMs).toISOString();
  }

  private view(record: PresenceRecord): AgentPresenceView {
    return { ...record, effective: record.status === 'available' && record.seenAt > this.cutoff() ? 'available' : 'away' };
  }
}
