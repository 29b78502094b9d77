import { expect, test } from 'vitest';
import { InMemoryCustomerDeliveries } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import { HandoffService } from '../../src/domain/handoff/HandoffService.js';
import { StaffedHours } from '../../src/domain/handoff/StaffedHours.js';
import { QUEUE_NOTICES_COLLECTION, QueuePositionNotices, stillWaitingMessage } from '../../src/domain/jobs/QueuePositionNotices.js';
import { TicketService } from '../../src/domain/tickets/TicketService.js';
import { DocumentHandoffStore } from '../../src/storage/DocumentHandoffStore.js';
import { DocumentTicketStore } from '../../src/storage/DocumentTicketStore.js';
import { FixedClock, RecordingMessenger, request } from '../handoff/fakes.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';

function queue() {
  const store = new MemoryDocumentStore();
  const clock = new FixedClock();
  const messenger = new RecordingMessenger();
  // No retries: the queue's retries are not what this is about.
  const deliveries = new InMemoryCustomerDeliveries(messenger, { retryDelaysMs: [] });
  const tickets = new TicketService(new DocumentTicketStore(store), deliveries, clock.now);
  const handoffs = new HandoffService(new DocumentHandoffStore(store), tickets, deliveries, new StaffedHours('24x7', 'UTC'), clock.now, { averageMinutes: 6 });
  const notices = new QueuePositionNotices(handoffs, deliveries, store, clock.now, { everyMs: 5 * 60_000 });
  /** Runs the job and returns what customers were sent since the last call, as "conversation: text". */
  let seen = 0;
  const take = () => {
    const sent = messenger.sent.slice(seen).map((m) => `${m.conversation}: ${m.text}`);
    seen = messenger.sent.length;
    return sent;
  };
  const run = async () => {
    await notices.run();
    await deliveries.idle();
    return take();
  };
  return { store, clock, messenger, deliveries, handoffs, run, take };
}

test('a customer whose place has not changed for 5 minutes is told it again, through the delivery queue; then at most every 5 minutes', async () => {
  const q = queue();
  const ids: string[] = [];
  for (const c of ['a', 'b', 'c']) {
    const result = await q.handoffs.request(request(c));
    if (result.kind !== 'queued') throw new Error(`expected queued, got ${result.kind}`);
    ids.push(result.handoff.id);
  }
  q.clock.advance(1);
  expect(await q.run()).toEqual([]);
  q.clock.advance(4);
  expect(await q.run()).toEqual([
    `a: ${stillWaitingMessage(1, 6)}`,
    `b: ${stillWaitingMessage(2, 12)}`,
    `c: ${stillWaitingMessage(3, 18)}`,
  ]);
  expect(stillWaitingMessage(2, 12)).toBe("You're still number 2 in the queue. Estimated wait: about 12 minutes. Thanks for waiting.");
  // Run again at once (another instance, a restart): nothing more.
  expect(await q.run()).toEqual([]);

  // The queue moves: b and c are told by the handoff service; that counts as their notice.
  q.clock.advance(1);
  await q.handoffs.accept(ids[0] ?? '', 'dana');
  await q.deliveries.idle();
  expect(q.take().slice(1)).toEqual(["b: You're next in the queue. Estimated wait: about 6 minutes.", "c: You're now number 2 in the queue. Estimated wait: about 12 minutes."]);
  expect(await q.run()).toEqual([]);
  q.clock.advance(4);
  expect(await q.run()).toEqual([]);
  q.clock.advance(1);
  expect(await q.run()).toEqual([`b: ${stillWaitingMessage(1, 6)}`, `c: ${stillWaitingMessage(2, 12)}`]);

  // Only waiting customers are remembered: a's record went when a was accepted.
  expect((await q.store.list(QUEUE_NOTICES_COLLECTION)).map((d) => d.id).sort()).toEqual([ids[1], ids[2]].sort());
});

test('a notice that cannot be delivered marks the handoff unreachable, as any message to the customer does', async () => {
  const q = queue();
  const result = await q.handoffs.request(request('gone'));
  if (result.kind !== 'queued') throw new Error(`expected queued, got ${result.kind}`);
  q.messenger.failFor.add('gone');
  q.clock.advance(5);
  await q.run();
  expect((await q.handoffs.get(result.handoff.id))?.unreachable).toMatchObject({ reason: 'unreachable: ECONNREFUSED' });
});
