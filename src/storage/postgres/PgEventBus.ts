import pg from 'pg';
import { EVENT_RETENTION_MS, MAX_REPLAY, type BusEvent, type BusListener, type EventBus } from '../../domain/ports/EventBus.js';
import type { PgDatabase } from './PgDatabase.js';
import { KeyedListeners } from '../../domain/events/KeyedListeners.js';

/**
 * Held by every publisher from its id until its commit, so ids become visible in id order: a
 * listener that has read up to id N can never later find a committed event below N. (NOTIFY
 * already serialises commits the same way; this only makes the id follow that order.)
 */
const PUBLISH_LOCK = 727_020;
/** Rows read per query while catching up. */
const PAGE = 500;

export type PgEventBusState = 'listening' | 'lost';

export interface PgEventBusOptions {
  /** Events are kept this long for `since` (and for listeners catching up after a lost connection). */
  retentionMs?: number;
  /** How often one instance prunes (a DELETE after one of its publishes). */
  pruneEveryMs?: number;
  /** Back-off of the LISTEN connection's reconnects: doubles from `minMs` up to `maxMs`. */
  reconnect?: { minMs: number; maxMs: number };
  /**
   * How often the LISTEN connection is checked (a half-open TCP connection delivers nothing and
   * reports nothing) and the table read anyway; 30 s.
   */
  heartbeatMs?: number;
  /** Told about a lost connection, a failed read or a listener that threw. */
  onError?: (err: unknown, context: string) => void;
  /** Told when the LISTEN connection is up (and caught up) or lost. */
  onState?: (state: PgEventBusState) => void;
}

interface EventRow {
  id: string;
  topic: string;
  payload: unknown;
  at: Date;
}

/**
 * The event bus on PostgreSQL, shared by every instance on one database. `publish` is one
 * statement: INSERT into `events` and `pg_notify(channel, id)` — NOTIFY carries the id only (its
 * payload is limited to 8000 bytes), and is sent at commit. Each instance keeps one dedicated
 * LISTEN connection (outside the pool); a notification makes it read the rows after the last id
 * it delivered, so its listeners get every event once, in id order. A lost connection is
 * reconnected with back-off and then caught up the same way, so nothing published meanwhile is
 * missed. Events older than a day are pruned by whoever publishes.
 */
export class PgEventBus implements EventBus {
  private readonly listeners = new KeyedListeners<BusListener>();
  private client: pg.Client | null = null;
  private closed = false;
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private reconnecting = false;
  private attempt = 0;
  private lastPrune = 0;
  private readonly retentionMs: number;
  private readonly pruneEveryMs: number;
  private readonly backoff: { minMs: number; maxMs: number };
  private readonly heartbeatMs: number;
  private stateNow: PgEventBusState = 'lost';

  private constructor(
    private readonly database: PgDatabase,
    readonly epoch: string,
    /** The NOTIFY channel: one per schema, so test schemas on one database do not wake each other. */
    readonly channel: string,
    /** The id of the last event given to this instance's listeners. */
    private delivered: number,
    private readonly options: PgEventBusOptions,
  ) {
    this.retentionMs = options.retentionMs ?? EVENT_RETENTION_MS;
    this.pruneEveryMs = options.pruneEveryMs ?? 10 * 60 * 1000;
    this.backoff = options.reconnect ?? { minMs: 250, maxMs: 10_000 };
    this.heartbeatMs = options.heartbeatMs ?? 30_000;
  }

  /** Starts listening (the first connection must succeed); listeners get events published from now on. */
  static async open(database: PgDatabase, options: PgEventBusOptions = {}): Promise<PgEventBus> {
    const { rows } = await database.pool.query<{ schema: string; table: string; head: string }>(
      `SELECT current_schema() AS schema, 'events'::regclass::oid::text AS table, coalesce((SELECT max(id) FROM events), 0)::text AS head`,
    );
    const row = rows[0];
    if (!row) throw new Error('PgEventBus.open(): the database did not answer');
    // The table's oid changes when the table is created again: ids of the old one are not comparable.
    const bus = new PgEventBus(database, `p${row.table}`, `camsupport_events_${row.schema}`.slice(0, 63), Number(row.head), options);
    await bus.connect();
    bus.heartbeat();
    return bus;
  }

  /** Whether the LISTEN connection is up. */
  get state(): PgEventBusState {
    return this.stateNow;
  }

  async publish<T>(topic: string, payload: T): Promise<BusEvent<T>> {
    const event = await this.publishIn(this.database.pool, topic, payload);
    await this.pruneNow();
    return event;
  }

  /**
   * Publishes inside the caller's transaction (an append and its event commit together, or
   * neither). `client` may also be the pool: one statement is its own transaction.
   */
  async publishIn<T>(client: pg.Pool | pg.PoolClient, topic: string, payload: T): Promise<BusEvent<T>> {
    // The lock is taken before the row (and its id) exists and held until commit.
    const { rows } = await client.query<EventRow>(
      `WITH locked AS (SELECT pg_advisory_xact_lock($1)),
            inserted AS (INSERT INTO events (topic, payload) SELECT $2, $3::jsonb FROM locked RETURNING id, topic, payload, at)
       SELECT id::text AS id, topic, payload, at, pg_notify($4, id::text) FROM inserted`,
      [PUBLISH_LOCK, topic, JSON.stringify(payload ?? null), this.channel],
    );
    const row = rows[0];
    if (!row) throw new Error(`PgEventBus.publish(): no event stored for topic "${topic}"`);
    return toEvent(row) as BusEvent<T>;
  }

  subscribe(topic: string, listener: BusListener): () => void {
    return this.listeners.add(topic, listener);
  }

  async since(topic: string, afterId: number): Promise<BusEvent[] | null> {
    const { rows: bounds } = await this.database.pool.query<{ first: string | null; last: string | null }>(
      'SELECT (SELECT min(id) FROM events)::text AS first, (SELECT max(id) FROM events)::text AS last',
    );
    const first = bounds[0]?.first ? Number(bounds[0].first) : null;
    const last = bounds[0]?.last ? Number(bounds[0].last) : 0;
    // Pruning keeps the newest pruned-up-to event, so everything after `first - 1` is still here.
    if (afterId > last || (first !== null && afterId < first - 1) || (first === null && afterId !== 0)) return null;
    const { rows } = await this.database.pool.query<EventRow>(
      'SELECT id::text AS id, topic, payload, at FROM events WHERE topic = $1 AND id > $2 ORDER BY events.id LIMIT $3',
      [topic, afterId, MAX_REPLAY + 1],
    );
    return rows.length > MAX_REPLAY ? null : rows.map(toEvent);
  }

  async head(): Promise<number> {
    const { rows } = await this.database.pool.query<{ head: string }>('SELECT coalesce(max(id), 0)::text AS head FROM events');
    return Number(rows[0]?.head ?? 0);
  }

  /** Stops listening; the pool belongs to the database and stays open. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
    await this.draining;
    this.listeners.clear();
  }

  /** Deletes events past the retention (at most every `pruneEveryMs` per instance), keeping the newest of them as the horizon `since` checks against. */
  private async pruneNow(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrune < this.pruneEveryMs) return;
    this.lastPrune = now;
    await this.database.pool.query(
      `DELETE FROM events WHERE id < (SELECT max(id) FROM events WHERE at < now() - $1 * interval '1 millisecond')`,
      [this.retentionMs],
    );
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      ...this.database.connection,
      application_name: 'camsupport-events',
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on('notification', (message) => {
      if (message.channel === this.channel && Number(message.payload) > this.delivered) this.wake();
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    // Whatever was published while nobody listened: read from the last id delivered.
    this.wake();
    await this.draining;
    this.setState('listening');
  }

  private lost(client: pg.Client, err: unknown): void {
    if (client !== this.client || this.closed) return;
    this.client = null;
    this.setState('lost');
    this.options.onError?.(err, 'PgEventBus: the LISTEN connection was lost; reconnecting');
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnecting) return;
    this.reconnecting = true;
    // Jittered, so instances that lost the database together do not all come back at once.
    const delay = Math.min(this.backoff.maxMs, this.backoff.minMs * 2 ** this.attempt) * (0.75 + Math.random() / 4);
    this.attempt += 1;
    this.after(delay, async () => {
      this.reconnecting = false;
      try {
        await this.connect();
      } catch (err) {
        this.options.onError?.(err, 'PgEventBus: reconnecting failed; trying again');
        this.scheduleReconnect();
      }
    });
  }

  private heartbeat(): void {
    this.after(this.heartbeatMs, async () => {
      const client = this.client;
      if (client) {
        try {
          await withTimeout(client.query('SELECT 1'), Math.min(5_000, this.heartbeatMs));
        } catch (err) {
          this.lost(client, err);
        }
      }
      this.wake();
      this.heartbeat();
    });
  }

  /** Reads and delivers the events after the last one delivered; one read at a time. */
  private wake(): void {
    if (this.closed) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = (async () => {
      try {
        do {
          this.drainAgain = false;
          await this.drainOnce();
        } while (this.drainAgain && !this.closed);
      } catch (err) {
        this.options.onError?.(err, 'PgEventBus: reading events failed; trying again');
        this.after(this.backoff.minMs, async () => this.wake());
      } finally {
        this.draining = null;
      }
    })();
  }

  private async drainOnce(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const { rows } = await this.database.pool.query<EventRow>(
        'SELECT id::text AS id, topic, payload, at FROM events WHERE id > $1 ORDER BY events.id LIMIT $2',
        [this.delivered, PAGE],
      );
      for (const row of rows) {
        const event = toEvent(row);
        this.delivered = event.id;
        for (const listener of this.listeners.of(event.topic)) {
          try {
            listener(event);
          } catch (err) {
            this.options.onError?.(err, `PgEventBus: listener of ${event.topic} #${event.id}`);
          }
        }
      }
      if (rows.length < PAGE) return;
    }
  }

  private after(ms: number, work: () => Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work().catch((err: unknown) => this.options.onError?.(err, 'PgEventBus: scheduled work failed'));
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private setState(state: PgEventBusState): void {
    if (this.stateNow === state) return;
    this.stateNow = state;
    this.options.onState?.(state);
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function toEvent(row: EventRow): BusEvent {
  return { id: Number(row.id), topic: row.topic, payload: row.payload, at: row.at.toISOString() };
}
