import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { InMemoryEventBus } from '../../src/domain/events/InMemoryEventBus.js';
import type { BusEvent, EventBus } from '../../src/domain/ports/EventBus.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { PgEventBus, type PgEventBusOptions, type PgEventBusState } from '../../src/storage/postgres/PgEventBus.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';

/** Collects a topic's events; `until(n)` resolves once n have arrived (signals, not sleeps). */
function collect(bus: EventBus, topic: string) {
  const events: BusEvent[] = [];
  const waiters = new Set<() => void>();
  const off = bus.subscribe(topic, (event) => {
    events.push(event);
    for (const wake of [...waiters]) wake();
  });
  const until = (count: number, timeoutMs = 10_000) =>
    new Promise<BusEvent[]>((resolve, reject) => {
      const wake = () => {
        if (events.length < count) return;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(events);
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`timed out with ${events.length} of ${count} events`));
      }, timeoutMs);
      waiters.add(wake);
      wake();
    });
  return { events, until, off };
}

describe('in memory', () => {
  test('subscribers get the events of their topic, in order, before publish resolves; a throwing one is reported', async () => {
    const errors: string[] = [];
    const bus = new InMemoryEventBus({ onError: (_err, context) => errors.push(context) });
    const seen: string[] = [];
    bus.subscribe('a', () => {
      throw new Error('broken listener');
    });
    bus.subscribe('a', (e) => seen.push(`a${e.id}:${JSON.stringify(e.payload)}`));
    bus.subscribe('b', (e) => seen.push(`b${e.id}`));
    await bus.publish('a', { n: 1 });
    await bus.publish('b', { n: 2 });
    await bus.publish('a', { n: 3 });
    expect(seen).toEqual(['a1:{"n":1}', 'b2', 'a3:{"n":3}']);
    expect(errors).toEqual(['InMemoryEventBus: listener of a #1', 'InMemoryEventBus: listener of a #3']);
    expect(await bus.head()).toBe(3);
  });

  test('a publish from inside a listener is delivered after the current event, so order holds', async () => {
    const bus = new InMemoryEventBus();
    const seen: number[] = [];
    bus.subscribe('t', (e) => {
      seen.push(e.id);
      if (e.id === 1) void bus.publish('t', 'nested');
    });
    bus.subscribe('t', (e) => seen.push(e.id * 10));
    await bus.publish('t', 'first');
    expect(seen).toEqual([1, 10, 2, 20]);
  });

  test('since() replays a topic after an id; null once events were pruned or the id is not from this bus', async () => {
    let now = Date.parse('2026-03-02T10:00:00Z');
    const bus = new InMemoryEventBus({ retentionMs: 60_000, now: () => now });
    await bus.publish('t', 1);
    await bus.publish('u', 2);
    await bus.publish('t', 3);
    expect((await bus.since('t', 0))?.map((e) => e.payload)).toEqual([1, 3]);
    expect((await bus.since('t', 1))?.map((e) => e.payload)).toEqual([3]);
    expect(await bus.since('t', 99)).toBeNull();
    now += 61_000;
    await bus.publish('t', 4);
    expect(await bus.since('t', 0)).toBeNull();
    expect((await bus.since('t', 3))?.map((e) => e.payload)).toEqual([4]);
    expect(new InMemoryEventBus().epoch).not.toBe(bus.epoch);
  });

  test('what it keeps for replays is bounded in bytes too (a handoff event carries the whole transcript)', async () => {
    const bus = new InMemoryEventBus({ maxBytes: 10_000 });
    for (let i = 0; i < 10; i += 1) await bus.publish('t', { transcript: 'x'.repeat(3_000) });
    expect(await bus.since('t', 0)).toBeNull();
    expect(await bus.since('t', 7)).toHaveLength(3);
  });
});

const available = await postgresAvailable('the event bus on PostgreSQL');

describe.skipIf(!available)('on PostgreSQL (two instances on one database)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
  });

  async function instance(schema: string, options: PgEventBusOptions = {}) {
    const db = await PgDatabase.open(pgUrl, { schema, max: 4 });
    const bus = await PgEventBus.open(db, options);
    cleanup.push(async () => {
      await bus.close();
      await db.close();
    });
    return { db, bus };
  }

  test('an event published on A reaches a subscriber on B (and A), NOTIFY carrying only the id', async () => {
    const schema = freshSchema();
    const a = await instance(schema);
    const b = await instance(schema);
    const onB = collect(b.bus, 'handoff');
    const onA = collect(a.bus, 'handoff');
    const other = collect(b.bus, 'other');
    const big = 'x'.repeat(20_000); // past NOTIFY's 8000-byte payload limit: only the id travels
    const published = await a.bus.publish('handoff', { type: 'queued', big });
    const [received] = await onB.until(1);
    expect(received).toEqual(published);
    expect((await onA.until(1))[0]?.id).toBe(published.id);
    expect(other.events).toEqual([]);
    expect(a.bus.epoch).toBe(b.bus.epoch);
  });

  test('events published at once on both instances reach each subscriber once, in id order, none missing', async () => {
    const schema = freshSchema();
    const a = await instance(schema);
    const b = await instance(schema);
    const onA = collect(a.bus, 't');
    const onB = collect(b.bus, 't');
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).bus.publish('t', { i })));
    const gotA = await onA.until(60);
    const gotB = await onB.until(60);
    const stored = (await a.bus.since('t', 0))?.map((e) => e.id);
    expect(stored).toHaveLength(60);
    expect(gotA.map((e) => e.id)).toEqual(stored);
    expect(gotB.map((e) => e.id)).toEqual(stored);
  });

  test('a subscriber whose connection was lost catches up from the last id it delivered once it is back', async () => {
    const schema = freshSchema();
    const a = await instance(schema);
    const states: PgEventBusState[] = [];
    const waiters = new Set<() => void>();
    const b = await instance(schema, {
      reconnect: { minMs: 200, maxMs: 1_000 },
      onState: (state) => {
        states.push(state);
        for (const wake of [...waiters]) wake();
      },
    });
    const stateIs = (state: PgEventBusState, count: number) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          if (states.filter((s) => s === state).length < count) return;
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
        wake();
      });
    const onB = collect(b.bus, 't');
    await a.bus.publish('t', 'before');
    await onB.until(1);

    // The database drops B's LISTEN connection (a restart, a network cut, an administrator).
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${b.bus.channel}"`]);
      expect(rowCount).toBe(2); // A's and B's (A reconnects on its own)
    } finally {
      await admin.end();
    }
    await stateIs('lost', 1);
    // Published while B cannot hear a NOTIFY: only its catch-up can deliver these.
    await a.bus.publish('t', 'while away 1');
    await a.bus.publish('t', 'while away 2');
    expect(b.bus.state).toBe('lost');
    await stateIs('listening', 2);
    await a.bus.publish('t', 'after');
    const got = await onB.until(4);
    expect(got.map((e) => e.payload)).toEqual(['before', 'while away 1', 'while away 2', 'after']);
    expect(states).toEqual(['listening', 'lost', 'listening']);
  });

  test('old events are pruned; since() then answers null for an id before them, and replays after them', async () => {
    const schema = freshSchema();
    const { bus, db } = await instance(schema, { retentionMs: 60_000, pruneEveryMs: 0 });
    const first = await bus.publish('t', 1);
    const second = await bus.publish('t', 2);
    // Make the first two a day old; the next publish prunes.
    await db.pool.query(`UPDATE events SET at = at - interval '1 day' WHERE id <= $1`, [second.id]);
    const third = await bus.publish('t', 3);
    const { rows } = await db.pool.query<{ id: string }>('SELECT id::text FROM events ORDER BY id');
    // The newest pruned-up-to event stays as the horizon.
    expect(rows.map((r) => Number(r.id))).toEqual([second.id, third.id]);
    expect(await bus.since('t', first.id - 1)).toBeNull();
    expect((await bus.since('t', first.id))?.map((e) => e.payload)).toEqual([2, 3]);
    expect((await bus.since('t', second.id))?.map((e) => e.payload)).toEqual([3]);
    expect(await bus.since('t', third.id + 5)).toBeNull();
    expect(await bus.head()).toBe(third.id);
  });
});
