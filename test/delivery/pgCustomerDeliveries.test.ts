import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { DeliveryEvent } from '../../src/domain/delivery/CustomerDeliveries.js';
import type { CustomerMessenger } from '../../src/domain/ports/CustomerMessenger.js';
import { PgCustomerDeliveries, type PgDeliveryOptions } from '../../src/storage/postgres/PgCustomerDeliveries.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { freshDatabase, freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';
import { ControlledMessenger, HangingMessenger, Signal, conversationOf, delivery } from './fakes.js';

const available = await postgresAvailable('PgCustomerDeliveries (several instances, leases, drain)');

/** What one instance reported, with a way to wait for it. */
function outcomes(deliveries: PgCustomerDeliveries) {
  const events: DeliveryEvent[] = [];
  const signal = new Signal();
  deliveries.subscribe((e) => {
    events.push(e);
    signal.changed();
  });
  return { events, count: (n: number) => signal.until(() => events.length >= n) };
}

/** Re-checks a database condition until it holds (at most `ms`). */
async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('eventually(): the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!available)('PgCustomerDeliveries', () => {
  const open: PgCustomerDeliveries[] = [];
  const instance = (database: PgDatabase, messenger: CustomerMessenger, options: PgDeliveryOptions = {}) => {
    const deliveries = new PgCustomerDeliveries(database, messenger, { pollIntervalMs: 20, ...options });
    open.push(deliveries);
    return deliveries;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.drain(200)));
  });

  test('two instances on one table: each conversation in order and one message at a time, both instances sending', async () => {
    const database = await freshDatabase();
    const outstanding = new Map<string, number>();
    const overlaps: string[] = [];
    const sent: Array<{ by: string; conversation: string; text: string }> = [];
    const channel = (by: string): CustomerMessenger => ({
      send: async (address, text) => {
        const conversation = conversationOf(address);
        const now = (outstanding.get(conversation) ?? 0) + 1;
        outstanding.set(conversation, now);
        if (now > 1) overlaps.push(`${conversation}: ${text}`);
        sent.push({ by, conversation, text });
        // A channel's round trip.
        await new Promise((resolve) => setTimeout(resolve, 3));
        outstanding.set(conversation, (outstanding.get(conversation) ?? 1) - 1);
      },
    });
    const a = instance(database, channel('A'), { maxConcurrent: 2 });
    const b = instance(database, channel('B'), { maxConcurrent: 2 });
    const [onA, onB] = [outcomes(a), outcomes(b)];
    const conversations = Array.from({ length: 16 }, (_, i) => `c${i}`);
    for (let m = 1; m <= 5; m += 1) {
      // Each conversation's messages are enqueued on one instance (order is per enqueuer), half on each.
      for (const [i, c] of conversations.entries()) (i % 2 === 0 ? a : b).enqueue(delivery(c, `${c}-m${m}`));
    }
    await Promise.all([a.idle(), b.idle()]);

    expect(overlaps).toEqual([]);
    for (const c of conversations) {
      expect(sent.filter((s) => s.conversation === c).map((s) => s.text)).toEqual([1, 2, 3, 4, 5].map((m) => `${c}-m${m}`));
    }
    const reported = [...onA.events, ...onB.events];
    expect(reported).toHaveLength(80);
    expect(new Set(reported.map((e) => e.id)).size).toBe(80);
    expect(reported.every((e) => e.type === 'delivered' && e.attempts === 1)).toBe(true);
    // Two slots each for 16 conversations: the instance that did not enqueue takes its share.
    expect(new Set(sent.map((s) => s.by))).toEqual(new Set(['A', 'B']));
    const { rows } = await database.pool.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM deliveries GROUP BY state');
    expect(rows).toEqual([{ state: 'delivered', n: 80 }]);
  });

  test('an instance killed (SIGKILL) mid-attempt: another sends the message once the lease runs out, then the next one', async () => {
    const schema = freshSchema();
    const database = await PgDatabase.open(pgUrl, { schema, max: 3 });
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'fixtures', 'deliveryWorker.ts'), pgUrl, schema], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('sending first\n')) resolve();
        });
        child.once('exit', () => reject(new Error(`deliveryWorker exited before sending: ${out}`)));
      });
      child.kill('SIGKILL');
      await exited;
      const { rows } = await database.pool.query<{ id: string; state: string }>('SELECT id, state FROM deliveries ORDER BY seq');
      expect(rows.map((r) => r.id)).toEqual(['lease-first', 'lease-second']);
      expect(rows[1]?.state).toBe('pending');

      const channel = new ControlledMessenger();
      channel.resolveAll();
      const b = instance(database, channel);
      const onB = outcomes(b);
      await onB.count(2);
      expect(channel.texts()).toEqual(['first', 'second']);
      expect(onB.events.map((e) => [e.type, e.id])).toEqual([
        ['delivered', 'lease-first'],
        ['delivered', 'lease-second'],
      ]);
      // The killed instance's attempt counts.
      expect(onB.events[0]?.attempts).toBeGreaterThanOrEqual(2);
      await b.idle();
    } finally {
      for (const d of open.splice(0)) await d.drain(200);
      await database.close();
    }
  });

  test('an instance that stops while its listeners record an outcome: another reports it again, without sending again', async () => {
    const database = await freshDatabase();
    const channelA = new ControlledMessenger();
    channelA.resolveAll();
    const a = instance(database, channelA, { attemptTimeoutMs: 200, leaseMs: 400 });
    // A's listener never finishes: as if A died while writing the outcome.
    a.subscribe(() => new Promise<void>(() => undefined));
    const d = delivery('r', 'hello');
    a.enqueue(d);
    await channelA.waitFor(1);

    // A stops (its process would be gone); its lease runs out and B takes the row over.
    await a.drain(0);
    const channelB = new ControlledMessenger();
    const b = instance(database, channelB);
    const onB = outcomes(b);
    await onB.count(1);
    expect(onB.events).toEqual([{ type: 'delivered', id: d.id, conversationKey: 'webchat/r', subject: d.subject, attempts: 1 }]);
    expect(channelB.calls).toHaveLength(0);
    expect(channelA.calls).toHaveLength(1);
    await b.idle();
  });

  test('a row this instance left behind (its outcome could not be written) is taken again by it once the lease runs out', async () => {
    const database = await freshDatabase();
    const d = delivery('left', 'again');
    await database.pool.query(
      `INSERT INTO deliveries (id, conversation_key, address, text, subject, state, attempts, lease_until, lease_token, leased_by)
       VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, 'sending', 1, now() - interval '1 second', gen_random_uuid(), 'me')`,
      [d.id, d.conversationKey, JSON.stringify(d.address), d.text, JSON.stringify(d.subject)],
    );
    const channel = new ControlledMessenger();
    channel.resolveAll();
    const me = instance(database, channel, { instance: 'me' });
    const onMe = outcomes(me);
    await onMe.count(1);
    expect(onMe.events[0]).toMatchObject({ type: 'delivered', id: d.id, attempts: 2 });
    expect(channel.texts()).toEqual(['again']);
  });

  test('drain: claims nothing more and waits for running attempts; what was not started stays queued for another instance', async () => {
    const database = await freshDatabase();
    const channelA = new ControlledMessenger();
    const a = instance(database, channelA, { maxConcurrent: 1 });
    const onA = outcomes(a);
    a.enqueue(delivery('x', 'x1'));
    a.enqueue(delivery('y', 'y1'));
    await channelA.waitFor(1);
    let drained = false;
    const draining = a.drain(5_000).then(() => (drained = true));
    // Enqueued while draining: still stored.
    a.enqueue(delivery('z', 'z1'));
    expect(drained).toBe(false);
    channelA.call('x1').resolve();
    await draining;
    a.enqueue(delivery('w', 'late'));
    await onA.count(2);
    expect(onA.events.map((e) => `${e.type} ${e.attempts}${e.type === 'failed' ? ` ${e.reason}` : ''}`)).toEqual(['delivered 1', 'failed 0 not sent: shutting down']);
    expect(channelA.texts()).toEqual(['x1']);

    const channelB = new ControlledMessenger();
    channelB.resolveAll();
    const b = instance(database, channelB);
    await b.idle();
    expect(channelB.texts().sort()).toEqual(['y1', 'z1']);
  });

  test('a message the database cannot take, or whose id is queued already, is reported failed', async () => {
    const database = await freshDatabase();
    const channel = new ControlledMessenger();
    channel.resolveAll();
    const a = instance(database, channel);
    const onA = outcomes(a);
    const d = delivery('dup', 'once');
    a.enqueue(d);
    a.enqueue(d);
    await onA.count(2);
    expect(onA.events.map((e) => `${e.type} ${e.attempts}${e.type === 'failed' ? ` ${e.reason}` : ''}`).sort()).toEqual([
      'delivered 1',
      'failed 0 not sent: a message with this id is already queued',
    ]);

    const closed = await PgDatabase.open(pgUrl, { schema: freshSchema() });
    await closed.close();
    const errors: string[] = [];
    const broken = instance(closed, new HangingMessenger(), { onError: (_err, context) => errors.push(context) });
    const onBroken = outcomes(broken);
    broken.enqueue(delivery('down', 'lost'));
    await onBroken.count(1);
    expect(onBroken.events[0]).toMatchObject({ type: 'failed', attempts: 0, reason: expect.stringMatching(/^not sent: could not be queued \(.+\)$/) });
  });

  test('delivered rows are kept for the retention time, then pruned', async () => {
    const database = await freshDatabase();
    const channel = new ControlledMessenger();
    channel.resolveAll();
    const keeping = instance(database, channel);
    keeping.enqueue(delivery('p', 'kept'));
    await keeping.idle();
    const count = async () => (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries')).rows[0]?.n;
    expect(await count()).toBe(1);
    await keeping.drain();
    instance(database, channel, { retentionMs: 0 });
    await eventually(async () => (await count()) === 0);
  });

  test('options are checked', async () => {
    const database = await freshDatabase();
    const channel = new HangingMessenger();
    expect(() => new PgCustomerDeliveries(database, channel, { attemptTimeoutMs: 5_000, leaseMs: 5_000 })).toThrow(/options\.leaseMs must be longer than attemptTimeoutMs/);
    expect(() => new PgCustomerDeliveries(database, channel, { maxConcurrent: 0 })).toThrow(/options\.maxConcurrent must be a positive integer/);
    expect(() => new PgCustomerDeliveries(database, channel, { retryDelaysMs: [-1] })).toThrow(/retryDelaysMs/);
  });
});
