import { afterEach, expect, test } from 'vitest';
import type { CustomerDeliveries, Delivery, DeliveryEvent } from '../../src/domain/delivery/CustomerDeliveries.js';
import { conversationKeyOf } from '../../src/domain/delivery/CustomerDeliveries.js';
import { DeliveryError, type CustomerMessenger } from '../../src/domain/ports/CustomerMessenger.js';
import { ControlledMessenger, HangingMessenger, Signal, delivery } from './fakes.js';

/** The options every CustomerDeliveries takes (each implementation adds its own). */
export interface ContractOptions {
  attemptTimeoutMs?: number;
  retryDelaysMs?: readonly number[];
  maxConcurrent?: number;
  maxPending?: number;
  onError?: (err: unknown, context: string) => void;
}

export interface DeliveriesUnderTest {
  deliveries: CustomerDeliveries;
  /** Stops it (drain with a short deadline, then whatever the implementation holds). */
  close(): Promise<void>;
}

export type MakeDeliveries = (messenger: CustomerMessenger, options: ContractOptions) => Promise<DeliveriesUnderTest>;

/**
 * The CustomerDeliveries contract on real time, waiting for signals (a call made, an outcome
 * reported), never for fixed pauses: it holds for the in-memory queue and for the PostgreSQL one,
 * whose attempts start asynchronously (after an insert and a claim). What only one of them can
 * promise (the in-memory queue's synchronous first attempt, its drain giving up queued messages)
 * is tested in that implementation's own file.
 */
export function customerDeliveriesContract(make: MakeDeliveries): void {
  const open: DeliveriesUnderTest[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((q) => q.close()));
  });

  async function queue(channel: CustomerMessenger, options: ContractOptions = {}) {
    const errors: string[] = [];
    const made = await make(channel, { attemptTimeoutMs: 5_000, retryDelaysMs: [20, 40], onError: (_err, context) => errors.push(context), ...options });
    open.push(made);
    const { deliveries } = made;
    const events: DeliveryEvent[] = [];
    const reported = new Signal();
    deliveries.subscribe((e) => {
      events.push(e);
      reported.changed();
    });
    const texts = new Map<string, string>();
    const enqueue = (...items: Delivery[]) => {
      for (const d of items) {
        texts.set(d.id, d.text);
        expect(deliveries.enqueue(d)).toBeUndefined();
      }
    };
    /** "delivered a1 ×1", "failed a2 ×3: timed out after 10 s", in the order reported. */
    const outcomes = () => events.map((e) => `${e.type} ${texts.get(e.id)} ×${e.attempts}${e.type === 'failed' ? `: ${e.reason}` : ''}`);
    const reportedCount = (n: number) => reported.until(() => events.length >= n);
    return { deliveries, events, errors, enqueue, outcomes, reportedCount };
  }

  test('an agent’s line reaches the channel with the agent as its sender; the bot’s lines have none', async () => {
    const channel = new ControlledMessenger();
    const q = await queue(channel);
    q.enqueue(delivery('s', 'from dana', { from: { name: 'dana' } }), delivery('t', 'from the bot'));
    await channel.waitFor(2);
    expect(channel.calls.find((c) => c.text === 'from dana')?.from).toEqual({ name: 'dana' });
    expect(channel.calls.find((c) => c.text === 'from the bot')?.from).toBeUndefined();
    for (const call of channel.calls) call.resolve();
    await q.reportedCount(2);
  });

  test('enqueue returns at once; one conversation gets its messages one at a time, in order; another is not held up', async () => {
    const channel = new ControlledMessenger();
    const q = await queue(channel);
    q.enqueue(delivery('a', 'a1'), delivery('a', 'a2'), delivery('a', 'a3'), delivery('b', 'b1'));
    expect(q.events).toEqual([]);
    // Both conversations' first messages go out; a2 waits for a1.
    await channel.waitFor(2);
    expect(channel.texts().sort()).toEqual(['a1', 'b1']);

    channel.call('b1').resolve();
    await q.reportedCount(1);
    expect(q.outcomes()).toEqual(['delivered b1 ×1']);
    expect(channel.texts()).toHaveLength(2);

    channel.call('a1').resolve();
    await channel.waitFor(3);
    expect(channel.texts()[2]).toBe('a2');
    // a2 fails once: its retry comes before a3.
    channel.call('a2').reject(new Error('socket hang up'));
    await channel.waitFor(4);
    expect(channel.texts()[3]).toBe('a2');
    channel.call('a2').resolve();
    await channel.waitFor(5);
    expect(channel.texts()[4]).toBe('a3');
    channel.call('a3').resolve();
    await q.deliveries.idle();
    expect(q.outcomes()).toEqual(['delivered b1 ×1', 'delivered a1 ×1', 'delivered a2 ×2', 'delivered a3 ×1']);
    expect(channel.maxOutstanding).toBe(2);
  });

  test('at most maxConcurrent attempts at once; a retry pause does not hold a slot', async () => {
    const channel = new ControlledMessenger();
    // A retry pause long enough that the slot surely goes to c1 and d1 first.
    const q = await queue(channel, { maxConcurrent: 2, retryDelaysMs: [1_000] });
    q.enqueue(delivery('a', 'a1'), delivery('b', 'b1'), delivery('c', 'c1'), delivery('d', 'd1'));
    await channel.waitFor(2);
    expect(channel.texts()).toEqual(['a1', 'b1']);
    channel.call('a1').reject(new DeliveryError('channel refused: 503', false));
    await channel.waitFor(3);
    expect(channel.texts()[2]).toBe('c1');
    channel.call('b1').resolve();
    await channel.waitFor(4);
    expect(channel.texts()[3]).toBe('d1');
    // a1's retry goes once a slot is free.
    channel.call('c1').resolve();
    await channel.waitFor(5);
    expect(channel.texts()[4]).toBe('a1');
    channel.call('a1').resolve();
    channel.call('d1').resolve();
    await q.deliveries.idle();
    expect(channel.maxOutstanding).toBe(2);
    expect([...q.outcomes()].sort()).toEqual(['delivered a1 ×2', 'delivered b1 ×1', 'delivered c1 ×1', 'delivered d1 ×1']);
  });

  test('a channel that never answers: every attempt times out, then "timed out after …"', async () => {
    const channel = new HangingMessenger();
    const q = await queue(channel, { attemptTimeoutMs: 100, retryDelaysMs: [20, 40] });
    q.enqueue(delivery('a', 'hello?'));
    await q.reportedCount(1);
    expect(q.outcomes()).toEqual(['failed hello? ×3: timed out after 0.1 s']);
    expect(channel.calls.map((c) => c.text)).toEqual(['hello?', 'hello?', 'hello?']);
    expect(q.events[0]).toMatchObject({ type: 'failed', conversationKey: 'webchat/a', subject: { kind: 'handoff', handoffId: 'H-000001' } });
  });

  test('a permanent failure is not retried; other errors get a short reason', async () => {
    const refusing: CustomerMessenger = {
      send: async (address) => {
        if (conversationKeyOf(address) === 'webchat/gone') throw new DeliveryError('channel refused: 403', true);
        throw new Error(`connect ECONNREFUSED 10.0.0.7:443\n    at TCPConnectWrap.afterConnect ${'x'.repeat(200)}`);
      },
    };
    const q = await queue(refusing, { retryDelaysMs: [10] });
    q.enqueue(delivery('gone', 'one'), delivery('flaky', 'two'));
    await q.deliveries.idle();
    expect([...q.outcomes()].sort()).toEqual([
      'failed one ×1: channel refused: 403',
      expect.stringMatching(/^failed two ×2: failed: connect ECONNREFUSED 10\.0\.0\.7:443 at TCPConnectWrap\.afterConnect x+…$/),
    ]);
    expect(q.events.find((e) => e.type === 'failed' && e.attempts === 2)).toMatchObject({ reason: expect.stringMatching(/^.{1,90}$/) });
  });

  test('a bounded queue: past maxPending a message fails at once ("delivery queue full") and is never sent', async () => {
    const channel = new ControlledMessenger();
    const q = await queue(channel, { maxPending: 3 });
    q.enqueue(delivery('a', 'a1'), delivery('a', 'a2'), delivery('b', 'b1'), delivery('c', 'c1'), delivery('a', 'a3'));
    await q.reportedCount(2);
    expect(q.outcomes()).toEqual(['failed c1 ×0: not sent: delivery queue full', 'failed a3 ×0: not sent: delivery queue full']);
    await channel.waitFor(2);
    expect(channel.texts().sort()).toEqual(['a1', 'b1']);
    // Room again once one is done.
    channel.call('b1').resolve();
    await q.reportedCount(3);
    q.enqueue(delivery('d', 'd1'));
    await channel.waitFor(3);
    expect(channel.texts()[2]).toBe('d1');
    channel.resolveAll();
    await q.deliveries.idle();
    expect(channel.texts()).not.toContain('c1');
  });

  test('idle() waits for the listeners of an outcome; a listener that fails is reported and does not stop the others', async () => {
    const channel = new ControlledMessenger();
    const q = await queue(channel);
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let recorded = false;
    q.deliveries.subscribe(() => {
      throw new Error('listener broke');
    });
    q.deliveries.subscribe(async () => {
      await held;
      recorded = true;
    });
    const d = delivery('a', 'a1');
    q.enqueue(d);
    let idle = false;
    void q.deliveries.idle().then(() => (idle = true));
    await channel.waitFor(1);
    channel.call('a1').resolve();
    await q.reportedCount(1);
    expect(idle).toBe(false);
    release();
    await q.deliveries.idle();
    expect(recorded).toBe(true);
    expect(q.errors).toEqual([`listener of delivery delivered ${d.id}`]);
  });
}
