import type { Handoff, HandoffStatus } from '../../domain/handoff/Handoff.js';
import { AgentChatLimitError, HandoffAlreadyOpenError, type HandoffStore } from '../../domain/handoff/HandoffStore.js';
import type { PoolClient } from 'pg';
import type { PgDatabase } from './PgDatabase.js';
import { violatedUnique } from './pgErrors.js';

/** The partial unique index of migration 010: one waiting or active handoff per conversation. */
const ONE_OPEN_PER_CONVERSATION = 'handoffs_one_open_per_conversation';
/** The first key of the advisory lock that serialises one agent's accepts (the second is a hash of the name). */
const AGENT_ACCEPT_LOCK = 727_050;
/** Queue order; COLLATE "C" compares ids as the domain does (code units). */
const QUEUE_ORDER = 'ORDER BY requested_at, id COLLATE "C"';

/**
 * The handoff queue in PostgreSQL (table `handoffs`, migration 010), shared by every instance:
 * - one open handoff per conversation is a partial unique index: a second `create` fails in the
 *   database, whichever instance sends it, and rejects with HandoffAlreadyOpenError;
 * - `update` locks the row (`SELECT … FOR UPDATE`) for the read-change-write, so of two agents
 *   accepting at once the second sees the first's result (and its change refuses it);
 * - the queue is one ordered query on a partial index of the waiting rows;
 * - numbers come from the sequence `handoff_numbers`.
 */
export class PgHandoffStore implements HandoffStore {
  constructor(private readonly database: PgDatabase) {}

  async nextNumber(): Promise<number> {
    const { rows } = await this.database.pool.query<{ n: string }>("SELECT nextval('handoff_numbers') AS n");
    return Number(rows[0]?.n);
  }

  async get(id: string): Promise<Handoff | null> {
    const { rows } = await this.database.pool.query<{ doc: Handoff }>('SELECT doc FROM handoffs WHERE id = $1', [id]);
    return rows[0]?.doc ?? null;
  }

  async create(handoff: Handoff): Promise<void> {
    try {
      await this.database.pool.query(
        'INSERT INTO handoffs (id, status, conversation_key, requested_at, doc) VALUES ($1, $2, $3, $4, $5::jsonb)',
        [handoff.id, handoff.status, handoff.conversationKey, handoff.requestedAt, JSON.stringify(handoff)],
      );
    } catch (err) {
      const violated = violatedUnique(err);
      if (violated === ONE_OPEN_PER_CONVERSATION) {
        throw new HandoffAlreadyOpenError('PgHandoffStore.create()', handoff.conversationKey, await this.findOpen(handoff.conversationKey));
      }
      if (violated !== null) throw new Error(`PgHandoffStore.create(): handoff "${handoff.id}" already exists`, { cause: err });
      throw err;
    }
  }

  async update(id: string, change: (handoff: Handoff) => Handoff): Promise<Handoff | null> {
    return this.database.transaction((client) => this.updateIn(client, id, change));
  }

  async updateWithinAgentLimit(id: string, agent: string, maxActive: number, change: (handoff: Handoff) => Handoff): Promise<Handoff | null> {
    return this.database.transaction(async (client) => {
      // One agent's accepts wait for each other (across instances) until the transaction ends, so
      // the count below cannot be read by two accepts before either has committed its handoff.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [AGENT_ACCEPT_LOCK, agent]);
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM handoffs WHERE status = 'active' AND doc->>'agent' = $1 AND id <> $2",
        [agent, id],
      );
      const active = Number(rows[0]?.n ?? 0);
      if (active >= maxActive) throw new AgentChatLimitError('PgHandoffStore.updateWithinAgentLimit()', agent, active, maxActive);
      return this.updateIn(client, id, change);
    });
  }

  private async updateIn(client: PoolClient, id: string, change: (handoff: Handoff) => Handoff): Promise<Handoff | null> {
    // The row lock serialises changes of one handoff across instances; `change` runs once.
    const { rows } = await client.query<{ doc: Handoff }>('SELECT doc FROM handoffs WHERE id = $1 FOR UPDATE', [id]);
    const current = rows[0]?.doc;
    if (!current) return null;
    const next = change(current);
    try {
      await client.query(
        'UPDATE handoffs SET status = $2, conversation_key = $3, requested_at = $4, doc = $5::jsonb, updated_at = now() WHERE id = $1',
        [id, next.status, next.conversationKey, next.requestedAt, JSON.stringify(next)],
      );
    } catch (err) {
      // Reopening a closed handoff of a conversation that has another open one.
      if (violatedUnique(err) === ONE_OPEN_PER_CONVERSATION) throw new HandoffAlreadyOpenError('PgHandoffStore.update()', next.conversationKey, null);
      throw err;
    }
    return next;
  }

  async list(status?: HandoffStatus): Promise<Handoff[]> {
    const { rows } = status
      ? await this.database.pool.query<{ doc: Handoff }>(`SELECT doc FROM handoffs WHERE status = $1 ${QUEUE_ORDER}`, [status])
      : await this.database.pool.query<{ doc: Handoff }>(`SELECT doc FROM handoffs ${QUEUE_ORDER}`);
    return rows.map((r) => r.doc);
  }

  async waiting(): Promise<Handoff[]> {
    const { rows } = await this.database.pool.query<{ doc: Handoff }>(`SELECT doc FROM handoffs WHERE status = 'waiting' ${QUEUE_ORDER}`);
    return rows.map((r) => r.doc);
  }

  async findOpen(conversationKey: string): Promise<Handoff | null> {
    const { rows } = await this.database.pool.query<{ doc: Handoff }>(
      "SELECT doc FROM handoffs WHERE conversation_key = $1 AND status IN ('waiting', 'active')",
      [conversationKey],
    );
    return rows[0]?.doc ?? null;
  }
}
