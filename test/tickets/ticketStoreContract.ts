import { expect, test } from 'vitest';
import type { Ticket, TicketDraft, TicketFilter } from '../../src/domain/tickets/Ticket.js';
import { formatTicketId, TicketService } from '../../src/domain/tickets/TicketService.js';
import { TicketExistsError, type TicketStore } from '../../src/domain/tickets/TicketStore.js';
import { manualClock, recordingDeliveries } from './helpers.js';

/** Two handles on one fresh, empty store: two instances of the bot sharing it. */
export type TicketStorePair = () => Promise<{ a: TicketStore; b: TicketStore }>;

const alice = { channelId: 'webchat', userId: 'alice' };
const bob = { channelId: 'webchat', userId: 'bob' };
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function ticket(n: number, overrides: Partial<Ticket> = {}): Ticket {
  const at = overrides.createdAt ?? '2025-03-01T09:00:00.000Z';
  return {
    id: formatTicketId(n),
    status: 'open',
    priority: 'normal',
    customer: { ...alice },
    summary: 'camera offline',
    transcript: [],
    firstResponseDue: '2025-03-01T11:00:00.000Z',
    createdAt: at,
    updatedAt: at,
    history: [{ at, by: 'bot', what: 'created' }],
    comments: [],
    ...overrides,
  };
}

function draft(overrides: Partial<TicketDraft> = {}): TicketDraft {
  return { customer: { ...alice, name: 'Alice Moreau', contact: 'alice@example.com' }, summary: 'NVR shows no video on channel 3', ...overrides };
}

/** The behaviour every TicketStore must have; run once per engine (memory, lowdb, PostgreSQL). */
export function ticketStoreContract(open: TicketStorePair): void {
  test('a created ticket is read back; a taken id is refused with TicketExistsError and the first kept', async () => {
    const { a, b } = await open();
    await a.create(ticket(1, { product: { serial: 'SN-1', model: 'NVR-8' }, assignee: 'dana' }));
    expect(await b.get('T-000001')).toEqual(ticket(1, { product: { serial: 'SN-1', model: 'NVR-8' }, assignee: 'dana' }));
    expect(await b.get('T-000404')).toBeNull();
    await expect(b.create(ticket(1, { summary: 'other' }))).rejects.toBeInstanceOf(TicketExistsError);
    expect((await a.get('T-000001'))?.summary).toBe('camera offline');
  });

  test('numbers are unique across both handles under concurrency', async () => {
    const { a, b } = await open();
    const numbers = await Promise.all(range(40).map((i) => (i % 2 ? a : b).nextNumber()));
    expect(new Set(numbers).size).toBe(40);
    expect(numbers.every((n) => Number.isSafeInteger(n) && n > 0)).toBe(true);
  });

  test('concurrent updates on both handles are all kept; an unknown id is null; a throwing change writes nothing', async () => {
    const { a, b } = await open();
    await a.create(ticket(1));
    await Promise.all(
      range(8).map((i) => (i % 2 ? a : b).update('T-000001', (t) => ({ ...t, comments: [...t.comments, { at: t.createdAt, by: 'staff:dana', text: `c${i}`, public: false }] }))),
    );
    expect((await b.get('T-000001'))?.comments.map((c) => c.text).sort()).toEqual(range(8).map((i) => `c${i}`));
    expect(await a.update('T-000009', (t) => t)).toBeNull();
    expect(await a.get('T-000009')).toBeNull();
    await expect(
      b.update('T-000001', () => {
        throw new Error('not allowed');
      }),
    ).rejects.toThrow('not allowed');
    expect((await a.get('T-000001'))?.comments).toHaveLength(8);
  });

  test('query: newest first, numbers breaking ties within one millisecond; changed fields are filtered on at once', async () => {
    const { a, b } = await open();
    await a.create(ticket(1, { createdAt: '2025-03-01T09:00:00.000Z' }));
    await b.create(ticket(3, { createdAt: '2025-03-01T09:00:00.000Z' }));
    await a.create(ticket(2, { createdAt: '2025-03-01T09:00:00.000Z' }));
    // Numbers do not order by time (a reset sequence, a slow create): time comes first.
    await b.create(ticket(4, { createdAt: '2025-03-01T08:00:00.000Z' }));
    await a.create(ticket(10, { createdAt: '2025-03-01T10:00:00.000Z' }));
    const page = await b.query({ limit: 10 });
    expect(page.tickets.map((t) => t.id)).toEqual(['T-000010', 'T-000003', 'T-000002', 'T-000001', 'T-000004']);
    expect(page.nextCursor).toBeNull();
    await a.update('T-000002', (t) => ({ ...t, status: 'resolved', assignee: 'Lee' }));
    expect((await b.query({ limit: 10, status: 'resolved' })).tickets.map((t) => t.id)).toEqual(['T-000002']);
    expect((await b.query({ limit: 10, assignee: 'lee' })).tickets.map((t) => t.id)).toEqual(['T-000002']);
    await a.update('T-000002', (t) => {
      const { assignee: _unassigned, ...rest } = t;
      return rest;
    });
    expect((await b.query({ limit: 10, assignee: 'lee' })).tickets).toEqual([]);
    const two = await a.query({ limit: 2 });
    expect(two.tickets.map((t) => t.id)).toEqual(['T-000010', 'T-000003']);
    expect(two.nextCursor).toEqual({ createdAt: '2025-03-01T09:00:00.000Z', number: 3 });
    expect((await a.query({ limit: 2, ...(two.nextCursor ? { after: two.nextCursor } : {}) })).tickets.map((t) => t.id)).toEqual(['T-000002', 'T-000001']);
  });

  test('ofCustomer: only that customer\'s tickets (channel and user id), newest first, at most the limit', async () => {
    const { a, b } = await open();
    await a.create(ticket(1, { createdAt: '2025-03-01T09:00:00.000Z' }));
    await b.create(ticket(2, { createdAt: '2025-03-01T09:01:00.000Z', customer: { ...bob } }));
    await a.create(ticket(3, { createdAt: '2025-03-01T09:02:00.000Z' }));
    await b.create(ticket(4, { createdAt: '2025-03-01T09:03:00.000Z', customer: { channelId: 'msteams', userId: 'alice' } }));
    expect((await b.ofCustomer(alice, 10)).map((t) => t.id)).toEqual(['T-000003', 'T-000001']);
    expect((await a.ofCustomer(bob, 10)).map((t) => t.id)).toEqual(['T-000002']);
    expect((await a.ofCustomer({ channelId: 'msteams', userId: 'alice' }, 10)).map((t) => t.id)).toEqual(['T-000004']);
    expect((await a.ofCustomer(alice, 1)).map((t) => t.id)).toEqual(['T-000003']);
    expect(await a.ofCustomer({ channelId: 'webchat', userId: 'nobody' }, 10)).toEqual([]);
  });

  test('the staff list through the service: status, assignee and word search (id, summary, name, contact, serial, model)', async () => {
    const { a } = await open();
    const clock = manualClock('2025-03-01T22:30:00.000Z');
    const service = new TicketService(a, recordingDeliveries().deliveries, clock.now);
    const opened = async (d: Partial<TicketDraft>): Promise<Ticket> => {
      clock.advance(1_000);
      return service.open(draft(d), 'bot');
    };
    const t1 = await opened({ summary: 'Camera offline after storm', product: { serial: 'CAM-7781', model: 'DomeCam 4K' } });
    const t2 = await opened({ customer: { ...bob, name: 'Bob Ng', contact: '+33 6 12 34 56 78' }, summary: 'Recorder beeps' });
    const t3 = await opened({ summary: 'Night vision blurry', product: { serial: 'CAM-9902', model: 'BulletCam' } });
    const t4 = await opened({ customer: { ...bob, name: 'Åsa Lindqvist', contact: 'asa.lindqvist@example.se' }, summary: 'Mot de passe oublié' });
    await service.update(t2.id, { status: 'in_progress', assignee: 'dana' }, 'staff:dana');
    await service.update(t3.id, { assignee: 'lee' }, 'staff:lee');

    const ids = async (filter: TicketFilter) => (await service.list(filter)).items.map((t) => t.id);
    expect(await ids({})).toEqual([t4.id, t3.id, t2.id, t1.id]);
    expect(await ids({ status: 'open' })).toEqual([t4.id, t3.id, t1.id]);
    expect(await ids({ status: 'in_progress' })).toEqual([t2.id]);
    expect(await ids({ assignee: 'dana' })).toEqual([t2.id]);
    expect(await ids({ assignee: 'LEE' })).toEqual([t3.id]);
    expect(await ids({ status: 'open', assignee: 'lee' })).toEqual([t3.id]);
    expect(await ids({ status: 'resolved', assignee: 'lee' })).toEqual([]);
    expect(await ids({ text: 'STORM' })).toEqual([t1.id]);
    expect(await ids({ text: 'stor off' })).toEqual([t1.id]); // word prefixes, any order
    expect(await ids({ text: 'bob ng' })).toEqual([t2.id]);
    expect(await ids({ text: '12 34' })).toEqual([t2.id]);
    expect(await ids({ text: 'alice@' })).toEqual([t3.id, t1.id]);
    expect(await ids({ text: 'lindqvist' })).toEqual([t4.id]);
    expect(await ids({ text: 'åsa' })).toEqual([t4.id]);
    expect(await ids({ text: 'OUBLIÉ' })).toEqual([t4.id]);
    expect(await ids({ text: 'cam-99' })).toEqual([t3.id]);
    expect(await ids({ text: 'domecam' })).toEqual([t1.id]);
    expect(await ids({ text: 'T-000002' })).toEqual([t2.id]);
    expect(await ids({ text: 't-2' })).toEqual([t2.id]);
    expect(await ids({ text: 't3' })).toEqual([t3.id]); // the id "T-000003"
    expect(await ids({ text: 'blurry', status: 'open', assignee: 'lee' })).toEqual([t3.id]);
    expect(await ids({ text: 'blurry', status: 'in_progress' })).toEqual([]);
    expect(await ids({ text: 'nothing like this' })).toEqual([]);
    expect(await ids({ text: '--- ...' })).toEqual([]);
    expect(await ids({ text: "'; drop table tickets; --" })).toEqual([]);
    // tsquery's own syntax is just separators to the search.
    expect(await ids({ text: "storm & | ! :* () '" })).toEqual([t1.id]);
  });

  test('keyset pagination walks 250 tickets in pages with no duplicate and no gap while new tickets are opened', async () => {
    const { a, b } = await open();
    const clock = manualClock('2025-03-01T09:00:00.000Z');
    const service = new TicketService(a, recordingDeliveries().deliveries, clock.now);
    const other = new TicketService(b, recordingDeliveries().deliveries, clock.now);
    const existing: string[] = [];
    for (const i of range(250)) {
      // Five tickets per millisecond: the number must break ties, or a page boundary would skip or repeat.
      if (i % 5 === 0) clock.advance(1);
      existing.push((await service.open(draft({ summary: `issue ${i}`, customer: i % 2 ? { ...alice } : { ...bob } }), 'bot')).id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await service.list({ limit: 40, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((t) => t.id));
      pages += 1;
      // Between pages another instance opens tickets: they are newer, so they belong before the first page.
      clock.advance(1);
      await Promise.all(range(3).map(() => other.open(draft({ summary: 'opened while paging' }), 'bot')));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
      expect(page.items).toHaveLength(40);
    }
    expect(pages).toBe(7);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...existing].reverse());
    // Filtered pages walk the same way (every other ticket is Bob's).
    const bobs: string[] = [];
    cursor = undefined;
    for (;;) {
      const page = await service.list({ limit: 30, text: 'issue', status: 'open', ...(cursor ? { cursor } : {}) });
      bobs.push(...page.items.filter((t) => t.customer.userId === 'bob').map((t) => t.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(bobs).toEqual(existing.filter((_, i) => i % 2 === 0).reverse());
    // "My tickets": only the customer's own, newest first.
    const mine = await other.listForCustomer(alice);
    expect(mine).toHaveLength(50);
    expect(mine.every((t) => t.customer.userId === 'alice')).toBe(true);
    expect(mine[0]?.summary).toBe('opened while paging');
  });
}
