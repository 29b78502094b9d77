import type { AgentPresenceStore, PresenceRecord, PresenceStatus } from '../../domain/staff/AgentPresence.js';
import type { PgDatabase } from './PgDatabase.js';

interface Row {
  agent: string;
  status: PresenceStatus;
  seen_at: Date;
  changed_at: Date;
}

const record = (r: Row): PresenceRecord => ({ agent: r.agent, status: r.status, seenAt: r.seen_at.toISOString(), changedAt: r.changed_at.toISOString() });

/**
 * Presence in PostgreSQL (table `agent_presence`, migration 060): every instance reads the same
 * rows, so a console connected to one instance counts on all of them. Times are the instances'
 * clocks (the domain's), as everything else the console shows.
 */
export class PgAgentPresence implements AgentPresenceStore {
  constructor(private readonly database: PgDatabase) {}

  async get(agent: string): Promise<PresenceRecord | null> {
    const { rows } = await this.database.pool.query<Row>('SELECT agent, status, seen_at, changed_at FROM agent_presence WHERE agent = $1', [agent]);
    return rows[0] ? record(rows[0]) : null;
  }

  async put(r: PresenceRecord): Promise<void> {
    await this.database.pool.query(
      `INSERT INTO agent_presence (agent, status, seen_at, changed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agent) DO UPDATE SET status = EXCLUDED.status, seen_at = EXCLUDED.seen_at, changed_at = EXCLUDED.changed_at`,
      [r.agent, r.status, r.seenAt, r.changedAt],
    );
  }

  async all(): Promise<PresenceRecord[]> {
    const { rows } = await this.database.pool.query<Row>('SELECT agent, status, seen_at, changed_at FROM agent_presence ORDER BY agent COLLATE "C"');
    return rows.map(record);
  }

  async anyAvailableSince(seenAfter: string): Promise<boolean> {
    const { rows } = await this.database.pool.query<{ yes: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM agent_presence WHERE status = 'available' AND seen_at > $1) AS yes",
      [seenAfter],
    );
    return rows[0]?.yes === true;
  }

  async anyRecorded(): Promise<boolean> {
    const { rows } = await this.database.pool.query<{ yes: boolean }>('SELECT EXISTS (SELECT 1 FROM agent_presence) AS yes');
    return rows[0]?.yes === true;
  }
}
