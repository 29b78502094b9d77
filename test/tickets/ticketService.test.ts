import { expect, test } from 'vitest';
import type { TicketDraft, TranscriptLine } from '../../src/domain/tickets/Ticket.js';
import { InMemoryCustomerDeliveries } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import { DeliveryError } from '../../src/domain/ports/CustomerMessenger.js';
import { TicketService } from '../../src/domain/tickets/TicketService.js';
import { DocumentTicketStore } from '../../src/storage/DocumentTicketStore.js';
import { HangingMessenger, ManualTimer, settle } from '../delivery/fakes.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { manualClock, recordingDeliveries } from './helpers.js';

const alice = { channelId: 'webchat', userId: 'alice' };
const bob = { channelId: 'webchat', userId: 'bob' };

function setup() {
  const clock = manualClock('2025-03-01T22:30:00.000Z');
  const { notifier, deliveries, settle } = recordingDeliveries();
  const service = new TicketService(new DocumentTicketStore(new MemoryDocumentStore()), deliveries, clock.now);
  return { clock, notifier, service, settle };
}

/** Where Alice's chat can be reached again. */
const ALICE_CHAT = { channelId: 'webchat', conversation: { id: 'conv-alice' }, serviceUrl: 'https://webchat.example' };

function draft(overrides: Partial<TicketDraft> = {}): TicketDraft {
  return { customer: { ...alice, name: 'Alice Moreau', contact: 'alice@example.com' }, summary: 'NVR shows no video on channel 3', address: ALICE_CHAT, ...overrides };
}

test('open: T- and a 6-digit number, status open, normal priority, created history, due 2 hours later (24x7)', async () => {
  const { service } = setup();
  const ticket = await service.open(draft({ product: { serial: 'NV2024A0001', model: 'NVR-8' } }), 'bot');
  expect(ticket).toMatchObject({
    id: 'T-000001',
    status: 'open',
    priority: 'normal',
    summary: 'NVR shows no video on channel 3',
    createdAt: '2025-03-01T22:30:00.000Z',
    // Saturday night, still two plain hours: fault acceptance is 7x24.
    firstResponseDue: '2025-03-02T00:30:00.000Z',
    history: [{ at: '2025-03-01T22:30:00.000Z', by: 'bot', what: 'created' }],
    comments: [],
    product: { serial: 'NV2024A0001', model: 'NVR-8' },
  });
  expect(await service.get('T-000001')).toEqual(ticket);
  expect((await service.open(draft({ priority: 'urgent' }), 'customer')).priority).toBe('urgent');
});

test('open: the service level is configurable', async () => {
  const clock = manualClock('2025-03-01T10:00:00.000Z');
  const service = new TicketService(new DocumentTicketStore(new MemoryDocumentStore()), recordingDeliveries().deliveries, clock.now, { firstResponseHours: 4 });
  expect((await service.open(draft(), 'bot')).firstResponseDue).toBe('2025-03-01T14:00:00.000Z');
});

test('open: 50 concurrent opens get 50 sequential, unique ids', async () => {
  const { service } = setup();
  const tickets = await Promise.all(Array.from({ length: 50 }, (_, i) => service.open(draft({ summary: `issue ${i}` }), 'bot')));
  const ids = tickets.map((t) => t.id).sort();
  expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `T-${String(i + 1).padStart(6, '0')}`));
  expect((await service.list({ limit: 100 })).items).toHaveLength(50);
});

test('open: the transcript keeps the last 200 lines; an empty summary or a missing identity is refused', async () => {
  const { service } = setup();
  const transcript: TranscriptLine[] = Array.from({ length: 250 }, (_, i) => ({ at: '2025-03-01T22:00:00.000Z', from: i % 2 ? 'bot' : 'customer', text: `line ${i}` }));
  const ticket = await service.open(draft({ transcript }), 'bot');
  expect(ticket.transcript).toHaveLength(200);
  expect(ticket.transcript[0]?.text).toBe('line 50');
  expect(ticket.transcript.at(-1)?.text).toBe('line 249');
  await expect(service.open(draft({ summary: '   ' }), 'bot')).rejects.toThrow(/TicketService\.open\(\): the summary is empty/);
  await expect(service.open(draft({ customer: { channelId: 'webchat', userId: '' } }), 'bot')).rejects.toThrow(/userId/);
});

test('forCustomer: own ticket in loose forms; another customer\'s id gets the same answer as an unknown id', async () => {
  const { service } = setup();
  await service.open(draft(), 'bot');
  for (const form of ['T-000001', 't-1', 'T000001', '1', 't1', ' #1 ']) {
    expect((await service.forCustomer(alice, form))?.id, form).toBe('T-000001');
  }
  expect(await service.forCustomer(bob, 'T-000001')).toBeNull();
  expect(await service.forCustomer(bob, 'T-000999')).toBeNull();
  expect(await service.forCustomer({ channelId: 'msteams', userId: 'alice' }, 'T-000001')).toBeNull();
  expect(await service.forCustomer(alice, 'not an id')).toBeNull();
  // Exactly the same answer, so an id cannot be probed.
  expect(await service.forCustomer(bob, 'T-000001')).toStrictEqual(await service.forCustomer(bob, 'T-000999'));
});

test('list: 50 a page by default, at most 200; nextCursor leads to the next page; a bad cursor is refused', async () => {
  const { service, clock } = setup();
  for (let i = 1; i <= 45; i += 1) {
    clock.advance(1_000);
    await service.open(draft({ summary: `s${i}` }), 'bot');
  }
  const all = await service.list({});
  expect(all).toMatchObject({ limit: 50, nextCursor: null });
  expect(all.items).toHaveLength(45);
  expect((await service.list({ limit: 500 })).limit).toBe(200);
  const first = await service.list({ limit: 20 });
  expect(first.items.map((t) => t.summary).slice(0, 2)).toEqual(['s45', 's44']);
  expect(first.nextCursor).toEqual(expect.any(String));
  const second = await service.list({ limit: 20, cursor: first.nextCursor ?? '' });
  expect(second.items.map((t) => t.summary).slice(0, 2)).toEqual(['s25', 's24']);
  const third = await service.list({ limit: 20, cursor: second.nextCursor ?? '' });
  expect(third.items.map((t) => t.summary)).toEqual(['s5', 's4', 's3', 's2', 's1']);
  expect(third.nextCursor).toBeNull();
  await expect(service.list({ cursor: 'not-a-cursor' })).rejects.toThrow(/TicketService\.list\(\): not a cursor/);
});

test('update: one history entry per changed field, with who, when, from and to; unchanged fields add none', async () => {
  const { service, clock } = setup();
  const { id } = await service.open(draft(), 'bot');
  clock.advance(30 * 60_000);
  const updated = await service.update(id, { status: 'in_progress', priority: 'high', assignee: 'dana' }, 'staff:dana');
  const at = '2025-03-01T23:00:00.000Z';
  expect(updated?.history.slice(1)).toEqual([
    { at, by: 'staff:dana', what: 'status', from: 'open', to: 'in_progress' },
    { at, by: 'staff:dana', what: 'priority', from: 'normal', to: 'high' },
    { at, by: 'staff:dana', what: 'assignee', from: null, to: 'dana' },
  ]);
  expect(updated).toMatchObject({ status: 'in_progress', priority: 'high', assignee: 'dana', updatedAt: at });

  // Same values again: nothing changes, nothing is recorded.
  const same = await service.update(id, { status: 'in_progress', priority: 'high', assignee: 'dana' }, 'staff:lee');
  expect(same?.history).toHaveLength(4);

  clock.advance(60_000);
  const unassigned = await service.update(id, { assignee: null }, 'staff:lee');
  expect(unassigned?.assignee).toBeUndefined();
  expect(unassigned?.history.at(-1)).toEqual({ at: '2025-03-01T23:01:00.000Z', by: 'staff:lee', what: 'assignee', from: 'dana', to: null });
  expect(await service.get(id)).toEqual(unassigned);
  expect(await service.update('T-000999', { status: 'closed' }, 'staff:lee')).toBeNull();
});

test('the customer is told of a status change and a public comment, not of an internal comment or other fields', async () => {
  const { service, notifier, settle } = setup();
  const { id } = await service.open(draft(), 'bot');
  await service.update(id, { priority: 'urgent', assignee: 'dana' }, 'staff:dana');
  await settle();
  expect(notifier.sent).toEqual([]);

  await service.update(id, { status: 'resolved' }, 'staff:dana');
  await settle();
  expect(notifier.sent).toEqual([{ conversation: 'conv-alice', message: 'Update on your ticket T-000001: the status is now resolved.' }]);

  await service.comment(id, { text: 'Customer called, firmware 5.7 fixes it.', public: false }, 'staff:dana');
  await settle();
  expect(notifier.sent).toHaveLength(1);

  const commented = await service.comment(id, { text: ' Please update the firmware to 5.7. ', public: true }, 'staff:dana');
  await settle();
  expect(notifier.sent[1]).toEqual({ conversation: 'conv-alice', message: 'Update on your ticket T-000001 from our support team: Please update the firmware to 5.7.' });
  expect(commented?.comments.map((c) => [c.text, c.public, c.by])).toEqual([
    ['Customer called, firmware 5.7 fixes it.', false, 'staff:dana'],
    ['Please update the firmware to 5.7.', true, 'staff:dana'],
  ]);
  expect(commented?.history.slice(-2).map((h) => [h.what, h.to])).toEqual([
    ['comment', 'internal'],
    ['comment', 'public'],
  ]);

  await service.update(id, { status: 'waiting_customer' }, 'staff:dana');
  expect(await service.comment('T-000999', { text: 'x', public: true }, 'staff:dana')).toBeNull();
  await settle();
  expect(notifier.sent[2]?.message).toBe('Update on your ticket T-000001: the status is now waiting for information from you.');
  expect(notifier.sent).toHaveLength(3);
  // Delivered: nothing recorded about it.
  expect((await service.get(id))?.unreachable).toBeUndefined();
});

test('a ticket without a conversation address has nobody to tell: the change is made, nothing is sent', async () => {
  const { service, notifier, settle } = setup();
  const { id } = await service.open(draft({ address: undefined }), 'bot');
  expect((await service.update(id, { status: 'resolved' }, 'staff:dana'))?.status).toBe('resolved');
  await settle();
  expect(notifier.sent).toEqual([]);
  expect((await service.get(id))?.history.map((h) => h.what)).toEqual(['created', 'status']);
});

test('a notification that cannot be delivered: the change is made at once; the failure is flagged on the ticket and in its history; a later one clears the flag', async () => {
  const { service, notifier, settle, clock } = setup();
  const { id } = await service.open(draft(), 'bot');
  notifier.failWith = new DeliveryError('channel refused: 403', true);
  clock.advance(60_000);
  const closed = await service.update(id, { status: 'closed' }, 'staff:dana');
  expect(closed?.status).toBe('closed');
  expect(closed?.unreachable).toBeUndefined();
  clock.advance(60_000);
  await settle();
  const flagged = await service.get(id);
  expect(flagged?.unreachable).toEqual({ at: '2025-03-01T22:32:00.000Z', reason: 'channel refused: 403' });
  expect(flagged?.history.at(-1)).toEqual({ at: '2025-03-01T22:32:00.000Z', by: 'bot', what: 'notification_failed', to: 'channel refused: 403' });
  // Nobody changed the ticket: its updatedAt stays the staff change's.
  expect(flagged?.updatedAt).toBe('2025-03-01T22:31:00.000Z');

  notifier.failWith = null;
  await service.comment(id, { text: 'Are you still there?', public: true }, 'staff:dana');
  await settle();
  const cleared = await service.get(id);
  expect(cleared?.unreachable).toBeUndefined();
  expect(cleared?.history.slice(-2).map((h) => h.what)).toEqual(['comment', 'notification_delivered']);
  expect(notifier.sent.map((m) => m.message)).toEqual(['Update on your ticket T-000001 from our support team: Are you still there?']);
});

test('staff never wait on the customer\'s channel: a channel that never answers fails after the timeout and retries', async () => {
  const clock = manualClock('2025-03-01T22:30:00.000Z');
  const timer = new ManualTimer();
  const channel = new HangingMessenger();
  const deliveries = new InMemoryCustomerDeliveries(channel, { timer });
  const service = new TicketService(new DocumentTicketStore(new MemoryDocumentStore()), deliveries, clock.now);
  const { id } = await service.open(draft(), 'bot');
  let reported = false;
  deliveries.subscribe(() => {
    reported = true;
  });
  // The channel never answers: these resolve only because nothing waits for it.
  expect((await service.update(id, { status: 'in_progress' }, 'staff:dana'))?.status).toBe('in_progress');
  expect((await service.comment(id, { text: 'On it.', public: true }, 'staff:dana'))?.comments).toHaveLength(1);
  expect(reported).toBe(false);
  expect(channel.calls).toHaveLength(1); // the comment waits behind the status message (same conversation)
  await settle(deliveries, timer);
  const ticket = await service.get(id);
  expect(ticket?.unreachable?.reason).toBe('timed out after 10 s');
  expect(ticket?.history.filter((h) => h.what === 'notification_failed')).toHaveLength(2);
  expect(channel.calls).toHaveLength(6);
});

test('appendTranscript adds lines and keeps the last 200', async () => {
  const { service } = setup();
  const { id } = await service.open(draft({ transcript: [{ at: '2025-03-01T22:00:00.000Z', from: 'customer', text: 'hello' }] }), 'bot');
  const lines: TranscriptLine[] = Array.from({ length: 205 }, (_, i) => ({ at: '2025-03-01T22:31:00.000Z', from: 'agent', text: `a${i}` }));
  const updated = await service.appendTranscript(id, lines);
  expect(updated?.transcript).toHaveLength(200);
  expect(updated?.transcript[0]?.text).toBe('a5');
  expect(await service.appendTranscript('T-000404', lines)).toBeNull();
});
