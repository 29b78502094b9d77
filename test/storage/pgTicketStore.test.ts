import { afterAll, describe, expect, test, vi } from 'vitest';
import { TicketService } from '../../src/domain/tickets/TicketService.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { PgTicketStore } from '../../src/storage/postgres/PgTicketStore.js';
import { seedTickets } from '../../bench/seedTickets.js';
import { freshDatabase, freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';
import { manualClock, recordingDeliveries } from '../tickets/helpers.js';
import { ticketStoreContract } from '../tickets/ticketStoreContract.js';

const available = await postgresAvailable('PgTicketStore');

const opened: PgDatabase[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

/** Two instances: two pools on one fresh schema. */
async function pair() {
  const schema = freshSchema();
  // One after the other: CREATE SCHEMA IF NOT EXISTS itself races (the migrations do not).
  const one = await PgDatabase.open(pgUrl, { schema, max: 5 });
  const two = await PgDatabase.open(pgUrl, { schema, max: 5 });
  opened.push(one, two);
  return { a: new PgTicketStore(one), b: new PgTicketStore(two) };
}

describe.skipIf(!available)('PgTicketStore (PostgreSQL)', () => {
  ticketStoreContract(pair);

  test('every list the service asks for is answered from indexes, never a scan of the table, with 20,000 tickets stored', async () => {
    const db = await freshDatabase();
    await seedTickets(db.pool, 20_000);
    const store = new PgTicketStore(db);
    const service = new TicketService(store, recordingDeliveries().deliveries, manualClock().now);
    // The seeded rows read back as whole tickets, newest first.
    const first = await service.list({ limit: 3 });
    expect(first.items.map((t) => t.id)).toEqual(['T-020000', 'T-019999', 'T-019998']);
    expect(first.items[0]).toMatchObject({ status: 'closed', customer: { channelId: 'webchat', userId: 'user-0' }, createdAt: '2025-01-14T21:20:00.000Z' });

    // The SQL the store really sends, explained on a connection of its own.
    const spy = vi.spyOn(db.pool, 'query');
    const client = await db.pool.connect();
    /** The plans of the statements one call sent, one string. */
    const planOf = async (run: () => Promise<unknown>, statements = 1): Promise<string> => {
      spy.mockClear();
      await run();
      expect(spy).toHaveBeenCalledTimes(statements);
      const plans: string[] = [];
      for (const call of spy.mock.calls) {
        const [sql, params] = call as unknown as [string, unknown[]];
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
        plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
      return plans.join('\n---\n');
    };
    const cursor = first.nextCursor ?? '';
    const plans = {
      list: await planOf(() => service.list({})),
      next: await planOf(() => service.list({ cursor })),
      status: await planOf(() => service.list({ status: 'waiting_customer', cursor })),
      assignee: await planOf(() => service.list({ assignee: 'LEE' })),
      mine: await planOf(() => service.listForCustomer({ channelId: 'webchat', userId: 'user-42' })),
      // A common word fills the page from the newest rows; rare words come from the GIN index.
      common: await planOf(() => service.list({ text: 'blurr' })),
      rare: await planOf(() => service.list({ text: 'sn-0042 blurr' }), 2),
    };
    spy.mockRestore();
    client.release();
    expect(plans.list).toMatch(/Index Scan using tickets_newest/);
    expect(plans.next).toMatch(/Index Scan using tickets_newest[^\n]*\n\s+Index Cond: \(ROW\(created_at, number\) < ROW\(/);
    expect(plans.status).toMatch(/Index Scan using tickets_by_status/);
    expect(plans.assignee).toMatch(/Index Scan using tickets_by_assignee/);
    expect(plans.mine).toMatch(/Index Scan using tickets_by_customer/);
    expect(plans.common).toMatch(/Index Scan using tickets_newest/);
    expect(plans.rare.split('---')[1]).toMatch(/Bitmap Index Scan on tickets_search/);
    for (const [name, plan] of Object.entries(plans)) expect(plan, name).not.toMatch(/Seq Scan/);
  });

  test('ticket numbers come from a real sequence, started after the seeded or moved tickets', async () => {
    const db = await freshDatabase();
    await seedTickets(db.pool, 10);
    const service = new TicketService(new PgTicketStore(db), recordingDeliveries().deliveries, manualClock().now);
    expect((await service.open({ customer: { channelId: 'webchat', userId: 'u1' }, summary: 'next' }, 'bot')).id).toBe('T-000011');
  });
});
