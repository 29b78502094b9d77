import { afterAll, describe, expect, test } from 'vitest';
import { TICKET_TOPIC, type FirstResponseBreachedEvent } from '../../src/domain/tickets/FirstResponseWatch.js';
import type { Ticket, TicketDraft } from '../../src/domain/tickets/Ticket.js';
import { documentStores, postgresStores, type SupportStores } from '../../src/storage/SupportStores.js';
import { JOB_NAMES, supportJobs } from '../../src/supportJobs.js';
import { FixedClock, request } from '../handoff/fakes.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { freshDatabase, postgresAvailable } from '../helpers/postgres.js';
import { silentLogger, testDesk } from '../helpers/testBot.js';

const available = await postgresAvailable('the first-response due-time check on PostgreSQL');

const draft = (summary: string): TicketDraft => ({ customer: { channelId: 'webchat', userId: `u-${summary}`, name: 'Lindqvist' }, summary });

/** The desk and its jobs as main.ts wires them, on the given stores, with a clock the test moves. */
async function deskWithJobs(stores: SupportStores) {
  const clock = new FixedClock(new Date('2026-03-02T10:00:00.000Z'));
  const desk = await testDesk(clock.now, { stores });
  const jobs = supportJobs({ desk, stores, conversationTtlMs: 30 * 86_400_000, logger: silentLogger, now: clock.now });
  return { clock, desk, jobs };
}

function describeFirstResponse(engine: string, open: () => Promise<SupportStores>, skip = false) {
  describe.skipIf(skip)(`first-response due time (${engine})`, () => {
    const opened: SupportStores[] = [];
    afterAll(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });

    test('a ticket past its due time without a staff response is marked breached once, with a history entry and an event', async () => {
      const stores = await open();
      opened.push(stores);
      const { clock, desk, jobs } = await deskWithJobs(stores);
      const silent = await desk.tickets.open(draft('silent'), 'customer');
      const answered = await desk.tickets.open(draft('answered'), 'customer');
      const internalOnly = await desk.tickets.open(draft('internal'), 'customer');
      const late = await desk.tickets.open(draft('late'), 'customer');
      clock.advance(30);
      await desk.tickets.comment(answered.id, { text: 'Please send a photo of the label.', public: true }, 'staff:dana');
      await desk.tickets.comment(internalOnly.id, { text: 'probably the PSU', public: false }, 'staff:dana');
      await desk.tickets.update(internalOnly.id, { assignee: 'dana' }, 'staff:dana');
      clock.advance(60);
      const fresh = await desk.tickets.open(draft('fresh'), 'customer');

      // Not due yet (2 hours): nothing happens.
      expect(await jobs.firstResponse.check()).toEqual({ breached: [], met: 0 });
      clock.advance(31); // 2 h 1 min after the first four were opened
      await desk.tickets.update(late.id, { status: 'in_progress' }, 'staff:dana');
      const eventsBefore = await stores.events.head();
      const result = await jobs.firstResponse.check();
      expect([...result.breached].sort()).toEqual([silent.id, internalOnly.id, late.id].sort());
      expect(result.met).toBe(1);

      const get = async (id: string) => (await desk.tickets.get(id)) as Ticket;
      const breached = await get(silent.id);
      expect(breached.firstResponseBreachedAt).toBe(clock.now().toISOString());
      expect(breached.firstResponseAt).toBeUndefined();
      expect(breached.history.at(-1)).toEqual({ at: clock.now().toISOString(), by: 'bot', what: 'first_response_breached', to: silent.firstResponseDue });
      // A late response is recorded, and the ticket is breached all the same.
      expect(await get(late.id)).toMatchObject({ firstResponseBreachedAt: clock.now().toISOString(), firstResponseAt: clock.now().toISOString() });
      // Answered in time: the time of the response is kept, quietly (no history entry, updatedAt unchanged).
      const met = await get(answered.id);
      expect(met.firstResponseAt).toBe('2026-03-02T10:30:00.000Z');
      expect(met.firstResponseBreachedAt).toBeUndefined();
      expect(met.history.map((h) => h.what)).toEqual(['created', 'comment']);
      expect(met.updatedAt).toBe('2026-03-02T10:30:00.000Z');
      expect((await get(fresh.id)).firstResponseBreachedAt).toBeUndefined();

      const events = ((await stores.events.since(TICKET_TOPIC, eventsBefore)) ?? []).map((e) => e.payload as FirstResponseBreachedEvent);
      expect(events.map((e) => e.ticketId).sort()).toEqual([silent.id, internalOnly.id, late.id].sort());
      expect(events.find((e) => e.ticketId === silent.id)).toEqual({ type: 'first_response_breached', ticketId: silent.id, due: silent.firstResponseDue, at: clock.now().toISOString() });

      // Once: the next runs find nothing more until the fresh ticket is due.
      expect(await jobs.firstResponse.check()).toEqual({ breached: [], met: 0 });
      clock.advance(90);
      expect(await jobs.firstResponse.check()).toEqual({ breached: [fresh.id], met: 0 });
      expect((await get(silent.id)).history.filter((h) => h.what === 'first_response_breached')).toHaveLength(1);
    });

    test('a ticket staff opened from a live chat counts as answered; tickets due longer ago than the look-back are left alone', async () => {
      const stores = await open();
      opened.push(stores);
      const { clock, desk, jobs } = await deskWithJobs(stores);
      const old = await desk.tickets.open(draft('old'), 'customer');
      clock.advance(8 * 24 * 60);
      const queued = await desk.handoffs.request(request('chat'));
      if (queued.kind !== 'queued') throw new Error(`expected a queued handoff, got ${queued.kind}`);
      await desk.handoffs.accept(queued.handoff.id, 'dana');
      const { ticket } = await desk.handoffs.toTicket(queued.handoff.id, 'dana');
      clock.advance(3 * 60);
      expect(await jobs.firstResponse.check()).toEqual({ breached: [], met: 1 });
      expect((await desk.tickets.get(ticket.id))?.firstResponseAt).toBe(ticket.createdAt);
      expect((await desk.tickets.get(old.id))?.firstResponseBreachedAt).toBeUndefined();
    });
  });
}

describeFirstResponse('embedded store', async () => documentStores(new MemoryDocumentStore()));
describeFirstResponse('PostgreSQL', async () => postgresStores(await freshDatabase()), !available);

test('the desk has four jobs: expiry hourly (first after 10 minutes), first-response checks, queue notices and first-response warnings every minute', async () => {
  const stores = documentStores(new MemoryDocumentStore());
  const { jobs } = await deskWithJobs(stores);
  expect(jobs.jobs.map((j) => [j.name, j.everyMs, j.firstAfterMs])).toEqual([
    [JOB_NAMES.expiry, 3_600_000, 600_000],
    [JOB_NAMES.firstResponse, 60_000, undefined],
    [JOB_NAMES.queueNotices, 60_000, undefined],
    [JOB_NAMES.firstResponseAtRisk, 60_000, undefined],
  ]);
  await stores.close();
});
