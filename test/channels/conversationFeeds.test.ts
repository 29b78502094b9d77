import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { InMemoryConversationFeeds, type ConversationFeeds, type FeedLimits } from '../../src/channels/directline/ConversationFeeds.js';
import { DocumentConversationFeeds } from '../../src/storage/DocumentConversationFeeds.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { PgConversationFeeds } from '../../src/storage/postgres/PgConversationFeeds.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { PgEventBus } from '../../src/storage/postgres/PgEventBus.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';

test('feeds stay within their memory budget: the least recently used conversations are dropped first', async () => {
  const feeds = new InMemoryConversationFeeds({ maxBytes: 50_000 });
  const text = 'x'.repeat(1_000);
  for (let c = 0; c < 200; c += 1) {
    await feeds.open(`conv-${c}`);
    for (let i = 0; i < 5; i += 1) await feeds.append(`conv-${c}`, { type: 'message', text });
  }
  expect(feeds.bytes).toBeLessThanOrEqual(50_000);
  // The newest conversation is whole; the oldest is gone (its client gets 404 and starts again).
  expect((await feeds.since('conv-199', 0))?.activities).toHaveLength(5);
  expect(await feeds.has('conv-0')).toBe(false);
});

test('a conversation over its activity cap keeps its newest activities and its weight goes down with the dropped ones', async () => {
  const feeds = new InMemoryConversationFeeds({ perConversation: 3 });
  await feeds.open('c');
  for (let i = 0; i < 10; i += 1) await feeds.append('c', { type: 'message', text: `line ${i}` });
  const page = await feeds.since('c', 0);
  expect(page?.activities.map((a) => a.text)).toEqual(['line 7', 'line 8', 'line 9']);
  expect(feeds.bytes).toBe(page!.activities.reduce((sum, a) => sum + JSON.stringify(a).length, 0));
});

/** A clock the test moves. */
function manualClock(start = Date.parse('2026-03-02T10:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

interface FeedsUnderTest {
  feeds: ConversationFeeds;
  /** Moves time past the idle limit (a clock, or the stored timestamps). */
  age?: (conversationId: string, ms: number) => Promise<void>;
}

/** What every implementation of the port must do. */
function feedsContract(name: string, make: (limits: Partial<FeedLimits>) => Promise<FeedsUnderTest>) {
  describe(name, () => {
    test('an activity gets the id <conversation>|<seq>; since() returns what follows a watermark, and the watermark', async () => {
      const { feeds } = await make({});
      expect(await feeds.has('conv-one')).toBe(false);
      await feeds.open('conv-one');
      expect(await feeds.has('conv-one')).toBe(true);
      expect(await feeds.since('conv-one', 0)).toEqual({ activities: [], watermark: 0 });
      const first = await feeds.append('conv-one', { type: 'message', text: 'hello', channelData: { clientActivityID: 'c1' } });
      const second = await feeds.append('conv-one', { type: 'message', text: 'again' });
      expect(first).toMatchObject({ id: 'conv-one|0000001', text: 'hello', channelData: { clientActivityID: 'c1' } });
      expect(second?.id).toBe('conv-one|0000002');
      expect(await feeds.since('conv-one', 0)).toEqual({ activities: [first, second], watermark: 2 });
      expect(await feeds.since('conv-one', 1)).toEqual({ activities: [second], watermark: 2 });
      expect(await feeds.since('conv-one', 2)).toEqual({ activities: [], watermark: 2 });
      // Opening again keeps what is there.
      await feeds.open('conv-one');
      expect((await feeds.since('conv-one', 0))?.activities).toHaveLength(2);
    });

    test('an unknown conversation: append and since answer null', async () => {
      const { feeds } = await make({});
      expect(await feeds.append('conv-none', { type: 'message' })).toBeNull();
      expect(await feeds.since('conv-none', 0)).toBeNull();
    });

    test('appends at once never share a number, and none is lost', async () => {
      const { feeds } = await make({});
      await feeds.open('conv-race');
      const stored = await Promise.all(Array.from({ length: 40 }, (_, i) => feeds.append('conv-race', { type: 'message', text: `m${i}` })));
      const ids = stored.map((a) => a?.id);
      expect(new Set(ids).size).toBe(40);
      const page = await feeds.since('conv-race', 0);
      expect(page?.watermark).toBe(40);
      expect(page?.activities.map((a) => a.id)).toEqual(Array.from({ length: 40 }, (_, i) => `conv-race|${String(i + 1).padStart(7, '0')}`));
      expect(new Set(page?.activities.map((a) => a.text)).size).toBe(40);
    });

    test('past the per-conversation cap only the newest activities are kept', async () => {
      const { feeds } = await make({ perConversation: 3 });
      await feeds.open('conv-cap');
      for (let i = 0; i < 40; i += 1) await feeds.append('conv-cap', { type: 'message', text: `line ${i}` });
      const page = await feeds.since('conv-cap', 0);
      expect(page?.activities.map((a) => a.text)).toEqual(['line 37', 'line 38', 'line 39']);
      expect(page?.watermark).toBe(40);
    });

    test('subscribers are told of every append until they unsubscribe', async () => {
      const { feeds } = await make({});
      await feeds.open('conv-sub');
      let told = 0;
      const woken = new Promise<void>((resolve) => {
        const off = feeds.subscribe('conv-sub', () => {
          told += 1;
          off();
          resolve();
        });
      });
      await feeds.append('conv-sub', { type: 'message', text: 'one' });
      await woken;
      await feeds.append('conv-sub', { type: 'message', text: 'two' });
      expect(told).toBe(1);
    });

    test('an idle conversation ends; opened again it starts empty', async () => {
      const { feeds, age } = await make({ idleMs: 60_000 });
      await feeds.open('conv-idle');
      await feeds.append('conv-idle', { type: 'message', text: 'old' });
      await age?.('conv-idle', 61_000);
      expect(await feeds.has('conv-idle')).toBe(false);
      expect(await feeds.since('conv-idle', 0)).toBeNull();
      expect(await feeds.append('conv-idle', { type: 'message' })).toBeNull();
      expect(await feeds.expireIdle()).toBeGreaterThanOrEqual(0);
      await feeds.open('conv-idle');
      expect(await feeds.since('conv-idle', 0)).toEqual({ activities: [], watermark: 0 });
    });
  });
}

feedsContract('in memory', async (limits) => {
  const clock = manualClock();
  return { feeds: new InMemoryConversationFeeds(limits, clock.now), age: async (_c, ms) => void clock.advance(ms) };
});

feedsContract('on the DocumentStore', async (limits) => {
  const clock = manualClock();
  return { feeds: new DocumentConversationFeeds(new MemoryDocumentStore(), limits, clock.now), age: async (_c, ms) => void clock.advance(ms) };
});

describe('on the DocumentStore, several writers and a restart', () => {
  test('two feeds objects on one shared store (two processes) never take the same number', async () => {
    const store = new MemoryDocumentStore();
    const a = new DocumentConversationFeeds(store);
    const b = new DocumentConversationFeeds(store);
    await a.open('conv-shared');
    const stored = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).append('conv-shared', { type: 'message', text: `m${i}` })));
    expect(new Set(stored.map((s) => s?.id)).size).toBe(30);
    const page = await b.since('conv-shared', 0);
    expect(page?.watermark).toBe(30);
    expect(new Set(page?.activities.map((x) => x.text)).size).toBe(30);
  });

  test('an activity whose writer died before moving the number on is passed over by the next append', async () => {
    const store = new MemoryDocumentStore();
    const feeds = new DocumentConversationFeeds(store);
    await feeds.open('conv-crash');
    await feeds.append('conv-crash', { type: 'message', text: 'one' });
    // What a writer leaves when it dies between its activity and the conversation's `next`.
    await store.write('directline-activities', 'conv-crash|2', { type: 'message', text: 'orphan', id: 'conv-crash|0000002' }, null);
    const next = await feeds.append('conv-crash', { type: 'message', text: 'three' });
    expect(next?.id).toBe('conv-crash|0000003');
    expect((await feeds.since('conv-crash', 0))?.watermark).toBe(3);
  });

  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  test('lowdb: the feed is still there after the store is closed and opened again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'feeds-'));
    dirs.push(dir);
    const first = await LowdbDocumentStore.open(dir);
    const before = new DocumentConversationFeeds(first);
    await before.open('conv-kept');
    await before.append('conv-kept', { type: 'message', text: 'before the restart' });
    await first.close();

    const second = await LowdbDocumentStore.open(dir);
    try {
      const after = new DocumentConversationFeeds(second);
      expect(await after.has('conv-kept')).toBe(true);
      const reply = await after.append('conv-kept', { type: 'message', text: 'after the restart' });
      expect(reply?.id).toBe('conv-kept|0000002');
      expect((await after.since('conv-kept', 0))?.activities.map((a) => a.text)).toEqual(['before the restart', 'after the restart']);
    } finally {
      await second.close();
    }
  });
});

const available = await postgresAvailable('Direct Line feeds on PostgreSQL');

describe.skipIf(!available)('on PostgreSQL', () => {
  const opened: Array<{ db: PgDatabase; bus: PgEventBus; feeds: PgConversationFeeds }> = [];
  afterAll(async () => {
    for (const { db, bus, feeds } of opened.splice(0)) {
      feeds.close();
      await bus.close();
      await db.close();
    }
  });

  /** One instance on the schema: its own pool, bus (LISTEN connection) and feeds. */
  async function instance(schema: string, limits: Partial<FeedLimits> = {}) {
    const db = await PgDatabase.open(pgUrl, { schema, max: 4 });
    const bus = await PgEventBus.open(db);
    const feeds = new PgConversationFeeds(db, bus, limits);
    opened.push({ db, bus, feeds });
    return { db, bus, feeds };
  }

  feedsContract('PgConversationFeeds', async (limits) => {
    const { db, feeds } = await instance(freshSchema(), limits);
    return {
      feeds,
      age: async (conversationId, ms) => {
        await db.pool.query(`UPDATE dl_conversations SET touched_at = touched_at - $2 * interval '1 millisecond' WHERE id = $1`, [conversationId, ms]);
      },
    };
  });

  test('two instances: appends on both never share a number, and an append on A wakes a subscriber on B', async () => {
    const schema = freshSchema();
    const a = await instance(schema);
    const b = await instance(schema);
    await a.feeds.open('conv-two');
    expect(await b.feeds.has('conv-two')).toBe(true);
    const woken = new Promise<void>((resolve) => {
      const off = b.feeds.subscribe('conv-two', () => {
        off();
        resolve();
      });
    });
    await a.feeds.append('conv-two', { type: 'message', text: 'from A' });
    await woken;
    expect((await b.feeds.since('conv-two', 0))?.activities.map((x) => x.text)).toEqual(['from A']);

    const stored = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).feeds.append('conv-two', { type: 'message', text: `m${i}` })));
    expect(new Set(stored.map((s) => s?.id)).size).toBe(30);
    expect((await a.feeds.since('conv-two', 0))?.watermark).toBe(31);
  });
});
