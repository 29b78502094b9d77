import { expect, test } from 'vitest';
import type { Delivery, DeliveryEvent } from '../../src/domain/delivery/CustomerDeliveries.js';
import { conversationKeyOf } from '../../src/domain/delivery/CustomerDeliveries.js';
import { InMemoryCustomerDeliveries, type InMemoryDeliveryOptions } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import { DeliveryError, type CustomerMessenger } from '../../src/domain/ports/CustomerMessenger.js';
import { ControlledMessenger, HangingMessenger, ManualTimer, delivery, flush, settle } from './fakes.js';

function queue(channel: CustomerMessenger, options: InMemoryDeliveryOptions = {}) {
  const timer = new ManualTimer();
  const errors: string[] = [];
  const deliveries = new InMemoryCustomerDeliveries(channel, { timer, onError: (_err, context) => errors.push(context), ...options });
  const events: DeliveryEvent[] = [];
  deliveries.subscribe((e) => {
    events.push(e);
  });
  const texts = new Map<string, string>();
  const enqueue = (...items: Delivery[]) => {
    for (const d of items) {
      texts.set(d.id, d.text);
      deliveries.enqueue(d);
    }
  };
  /** "delivered a1 ×1", "failed a2 ×3: timed out after 10 s", in the order reported. */
  const outcomes = () => events.map((e) => `${e.type} ${texts.get(e.id)} ×${e.attempts}${e.type === 'failed' ? `: ${e.reason}` : ''}`);
  return { deliveries, timer, events, errors, enqueue, outcomes };
}

test('enqueue returns at once; one conversation gets its messages one at a time, in order; another is not held up', async () => {
  const channel = new ControlledMessenger();
  const q = queue(channel);
  q.enqueue(delivery('a', 'a1'), delivery('a', 'a2'), delivery('a', 'a3'), delivery('b', 'b1'));
  // Both conversations' first messages are on their way; a2 waits for a1.
  expect(channel.texts()).toEqual(['a1', 'b1']);
  expect(q.events).toEqual([]);

  channel.call('b1').resolve();
  await flush();
  expect(q.outcomes()).toEqual(['delivered b1 ×1']);
  expect(channel.texts()).toEqual(['a1', 'b1']);

  channel.call('a1').resolve();
  await flush();
  expect(channel.texts()).toEqual(['a1', 'b1', 'a2']);

  // a2 fails once: a3 still waits, for a2's retry (after 1 s).
  channel.call('a2').reject(new Error('socket hang up'));
  await flush();
  expect(q.timer.scheduled()).toEqual([1_000]);
  expect(channel.texts()).toEqual(['a1', 'b1', 'a2']);
  q.timer.fireNext();
  expect(channel.texts()).toEqual(['a1', 'b1', 'a2', 'a2']);
  channel.call('a2').resolve();
  await flush();
  expect(channel.texts().at(-1)).toBe('a3');
  channel.call('a3').resolve();
  await q.deliveries.idle();
  expect(q.outcomes()).toEqual(['delivered b1 ×1', 'delivered a1 ×1', 'delivered a2 ×2', 'delivered a3 ×1']);
});

test('at most maxConcurrent conversations are sent to at once; a retry pause does not hold a slot', async () => {
  const channel = new ControlledMessenger();
  const q = queue(channel, { maxConcurrent: 2 });
  q.enqueue(delivery('a', 'a1'), delivery('b', 'b1'), delivery('c', 'c1'), delivery('d', 'd1'));
  expect(channel.texts()).toEqual(['a1', 'b1']);
  channel.call('a1').reject(new DeliveryError('channel refused: 503', false));
  await flush();
  // a waits 1 s for its retry; its slot went to c meanwhile.
  expect(channel.texts()).toEqual(['a1', 'b1', 'c1']);
  channel.call('b1').resolve();
  await flush();
  expect(channel.texts()).toEqual(['a1', 'b1', 'c1', 'd1']);
  // The retry is due, but both slots are taken: it goes when one is free.
  q.timer.fireNext();
  expect(channel.texts()).toHaveLength(4);
  channel.call('c1').resolve();
  await flush();
  expect(channel.texts().at(-1)).toBe('a1');
  channel.call('a1').resolve();
  channel.call('d1').resolve();
  await q.deliveries.idle();
  expect(q.outcomes()).toEqual(['delivered b1 ×1', 'delivered c1 ×1', 'delivered a1 ×2', 'delivered d1 ×1']);
});

test('a channel that never answers: 3 attempts of 10 s, 1 s and 5 s apart, then "timed out after 10 s"', async () => {
  const channel = new HangingMessenger();
  const q = queue(channel);
  q.enqueue(delivery('a', 'hello?'));
  await settle(q.deliveries, q.timer);
  expect(q.outcomes()).toEqual(['failed hello? ×3: timed out after 10 s']);
  expect(channel.calls.map((c) => c.text)).toEqual(['hello?', 'hello?', 'hello?']);
  expect(q.timer.elapsed).toBe(10_000 + 1_000 + 10_000 + 5_000 + 10_000);
  expect(q.events[0]).toMatchObject({ type: 'failed', conversationKey: 'webchat/a', subject: { kind: 'handoff', handoffId: 'H-000001' } });
});

test('timeout and retries are configurable; a permanent failure is not retried; other errors get a short reason', async () => {
  const refusing: CustomerMessenger = {
    send: async (address) => {
      if (conversationKeyOf(address) === 'webchat/gone') throw new DeliveryError('channel refused: 403', true);
      throw new Error(`connect ECONNREFUSED 10.0.0.7:443\n    at TCPConnectWrap.afterConnect ${'x'.repeat(200)}`);
    },
  };
  const q = queue(refusing, { retryDelaysMs: [50], attemptTimeoutMs: 2_000 });
  q.enqueue(delivery('gone', 'one'), delivery('flaky', 'two'));
  await settle(q.deliveries, q.timer);
  expect(q.outcomes()).toEqual(['failed one ×1: channel refused: 403', expect.stringMatching(/^failed two ×2: failed: connect ECONNREFUSED 10\.0\.0\.7:443 at TCPConnectWrap\.afterConnect x+…$/)]);
  expect(q.events.find((e) => e.type === 'failed' && e.attempts === 2)).toMatchObject({ reason: expect.stringMatching(/^.{1,90}$/) });
  expect(q.timer.elapsed).toBe(50);
});

test('a bounded queue: past maxPending a message fails at once ("delivery queue full") and is never sent', async () => {
  const channel = new ControlledMessenger();
  const q = queue(channel, { maxPending: 3 });
  q.enqueue(delivery('a', 'a1'), delivery('a', 'a2'), delivery('b', 'b1'), delivery('c', 'c1'), delivery('a', 'a3'));
  await flush();
  expect(q.outcomes()).toEqual(['failed c1 ×0: not sent: delivery queue full', 'failed a3 ×0: not sent: delivery queue full']);
  expect(channel.texts()).toEqual(['a1', 'b1']);
  // Room again once one is done.
  channel.call('b1').resolve();
  await flush();
  q.enqueue(delivery('d', 'd1'));
  expect(channel.texts()).toEqual(['a1', 'b1', 'd1']);
});

test('idle() waits for the listeners of an outcome; a listener that fails is reported and does not stop the others', async () => {
  const channel = new ControlledMessenger();
  const q = queue(channel);
  let recorded = false;
  q.deliveries.subscribe(() => {
    throw new Error('listener broke');
  });
  q.deliveries.subscribe(async () => {
    await flush();
    recorded = true;
  });
  const d = delivery('a', 'a1');
  q.enqueue(d);
  let idle = false;
  void q.deliveries.idle().then(() => (idle = true));
  channel.call('a1').resolve();
  await flush();
  expect(q.events).toHaveLength(1);
  expect(idle).toBe(false);
  await q.deliveries.idle();
  expect(recorded).toBe(true);
  expect(q.errors).toEqual([`listener of delivery delivered ${d.id}`]);
});

test('drain: takes no more messages; at the deadline waiting retries and queued messages are given up', async () => {
  const channel = new ControlledMessenger();
  const q = queue(channel);
  q.enqueue(delivery('a', 'a1'), delivery('a', 'a2'), delivery('b', 'b1'));
  channel.call('a1').reject(new Error('socket hang up'));
  await flush();
  let drained = false;
  void q.deliveries.drain(500).then(() => (drained = true));
  q.enqueue(delivery('c', 'late'));
  await flush();
  expect(q.outcomes()).toEqual(['failed late ×0: not sent: shutting down']);
  // The deadline (500 ms) comes before a1's retry (1 s): a1 and a2 are given up, b1's attempt runs on.
  expect(q.timer.scheduled()).toEqual([500, 1_000, 10_000]);
  q.timer.fireNext();
  await flush();
  expect(q.outcomes().slice(1)).toEqual(['failed a1 ×1: failed: socket hang up (not retried: shutting down)', 'failed a2 ×0: not sent: shutting down']);
  expect(drained).toBe(false);
  channel.call('b1').resolve();
  await flush();
  expect(drained).toBe(true);
  expect(channel.texts()).toEqual(['a1', 'b1']);
});

test('options are checked', () => {
  const channel = new HangingMessenger();
  expect(() => new InMemoryCustomerDeliveries(channel, { maxConcurrent: 0 })).toThrow(/options\.maxConcurrent must be a positive integer/);
  expect(() => new InMemoryCustomerDeliveries(channel, { attemptTimeoutMs: Number.NaN })).toThrow(/attemptTimeoutMs/);
  expect(() => new InMemoryCustomerDeliveries(channel, { retryDelaysMs: [-1] })).toThrow(/retryDelaysMs/);
  expect(() => new InMemoryCustomerDeliveries(channel, { maxPending: 1.5 })).toThrow(/maxPending/);
});
