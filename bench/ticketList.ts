/**
 * The staff ticket list on PostgreSQL, p50 and p99, with 100 and with 100,000 tickets stored:
 * `TicketService.list()` on `PgTicketStore`, in process — the query the `GET /api/tickets` route
 * runs, without restify and JSON around it (those cost the same at any table size, and would
 * hide the part that could grow with it). Each size gets a schema of its own, seeded with one
 * INSERT … SELECT, dropped afterwards.
 *
 * Part of `npm run bench`; alone: `tsx bench/ticketList.ts [--small=100] [--large=100000]`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { InMemoryCustomerDeliveries } from '../src/domain/delivery/InMemoryCustomerDeliveries.js';
import type { TicketFilter } from '../src/domain/tickets/Ticket.js';
import { TicketService } from '../src/domain/tickets/TicketService.js';
import { PgDatabase } from '../src/storage/postgres/PgDatabase.js';
import { PgTicketStore } from '../src/storage/postgres/PgTicketStore.js';
import { percentile, postgresReachable, timedRuns } from './measure.js';
import { seedTickets } from './seedTickets.js';

const PG_URL = process.env.PG_URL ?? `postgres://${os.userInfo().username}@127.0.0.1:5432/test`;
/** Sequential calls per query after the warm-up: enough for a p99, a second or two per query. */
const ITERATIONS = 400;
const WARM_UP = 40;

const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;

async function timed(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const samples = await timedRuns(run, { warmUp: WARM_UP, runs: ITERATIONS });
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Rows for the bench table: the staff list's queries with `size` tickets stored. */
async function benchSize(size: number): Promise<string[][]> {
  const schema = `bench_tickets_${process.pid}_${size}`;
  const database = await PgDatabase.open(PG_URL, { schema, max: 4 });
  try {
    const seedStart = performance.now();
    await seedTickets(database.pool, size);
    const seeded = ((performance.now() - seedStart) / 1000).toFixed(1);
    const service = new TicketService(new PgTicketStore(database), new InMemoryCustomerDeliveries({ send: async () => undefined }), () => new Date());
    // A cursor half-way down the list: a deep page costs what the first does.
    const middle = await service.list({ limit: Math.max(1, Math.floor(size / 2)) });
    const deep: TicketFilter = middle.nextCursor ? { cursor: middle.nextCursor } : {};
    const queries: Array<[string, () => Promise<unknown>]> = [
      ['first page of 50', () => service.list({})],
      ['page half-way down (cursor)', () => service.list(deep)],
      ['status filter (3% of tickets)', () => service.list({ status: 'waiting_customer' })],
      ['search, a serial (rare: GIN index)', () => service.list({ text: 'SN-004217' })],
      ['search, a common word (1 in 6)', () => service.list({ text: 'blurry' })],
      ['search, no match', () => service.list({ text: 'zebra' })],
      ['"my tickets" (one customer)', () => service.listForCustomer({ channelId: 'webchat', userId: 'user-42' })],
    ];
    const rows: string[][] = [];
    for (const [name, run] of queries) {
      const { p50, p99 } = await timed(run);
      rows.push([`ticket list on PostgreSQL, ${size.toLocaleString('en')} tickets: ${name}`, `p50 ${ms(p50)} · p99 ${ms(p99)}`, `${ITERATIONS} sequential calls; seeded in ${seeded} s`]);
    }
    return rows;
  } finally {
    await database.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await database.close();
  }
}

export async function benchTicketList(sizes: readonly number[]): Promise<string[][]> {
  if (!(await postgresReachable(PG_URL))) return [['ticket list on PostgreSQL', 'skipped', `no PostgreSQL at ${PG_URL} (set PG_URL)`]];
  const rows: string[][] = [];
  for (const size of sizes) rows.push(...(await benchSize(size)));
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, fallback: number) => {
    const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    return value === undefined ? fallback : Number(value);
  };
  const rows = await benchTicketList([arg('small', 100), arg('large', 100_000)]);
  process.stdout.write(`${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
}
