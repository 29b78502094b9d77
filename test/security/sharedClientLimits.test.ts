import { afterAll, describe, expect, test } from 'vitest';
import pino from 'pino';
import type { Request, Response, Server } from 'restify';
import { createApp } from '../../src/http/app.js';
import { ClientLimits, DEFAULT_LIMITS } from '../../src/http/ClientLimits.js';
import { listen } from '../../src/server.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { pgClientLimiters } from '../../src/storage/postgres/PgClientLimiters.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';

/**
 * On STORE=postgres the per-client limits are counted in the `client_limits` table: N instances give
 * a client its allowance once, not N times, and a database that errs degrades to per-instance limits.
 */

const available = await postgresAvailable('per-client limits shared across instances');

const ALLOWED = 5;
const logger = pino({ level: 'silent' });
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

/** One "instance": its own pool on the shared schema, its own limits, a real HTTP server. */
async function startInstance(schema: string) {
  const database = await PgDatabase.open(pgUrl, { schema, max: 2 });
  // Loopback is a trusted proxy, so each test names its own client in X-Forwarded-For.
  const limits = new ClientLimits({ ...DEFAULT_LIMITS, requestsPerMinute: ALLOWED, trustedProxies: ['loopback'] }, pgClientLimiters(database));
  const ping = {
    name: 'ping',
    register(server: Server) {
      server.get('/api/ping', async (_req: Request, res: Response) => {
        res.json({ pong: true });
      });
    },
  };
  const app = createApp({ logger, limits, readiness: { checks: async () => ({}) }, plugins: [ping] });
  const port = await listen(app, 0, '127.0.0.1');
  let closed = false;
  const closeDatabase = async () => {
    if (closed) return;
    closed = true;
    await database.close();
  };
  closers.push(async () => {
    await new Promise<void>((resolve) => app.close(() => resolve()));
    await closeDatabase();
  });
  return { url: `http://127.0.0.1:${port}`, database, closeDatabase };
}

async function ping(instance: { url: string }, client: string) {
  const res = await fetch(`${instance.url}/api/ping`, { headers: { 'x-forwarded-for': client } });
  const body = (await res.json()) as { error?: string; message?: string };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}

describe.skipIf(!available)('per-client limits on PostgreSQL, shared by the instances', () => {
  test('a client allowed N a minute gets N in total across two instances; the N+1th is 429 on either', async () => {
    const schema = freshSchema();
    const [a, b] = [await startInstance(schema), await startInstance(schema)];
    const client = '198.51.100.10';

    const statuses: number[] = [];
    for (let i = 0; i < ALLOWED; i++) statuses.push((await ping(i % 2 === 0 ? a : b, client)).status);
    expect(statuses).toEqual(Array(ALLOWED).fill(200));

    for (const instance of [a, b]) {
      const refused = await ping(instance, client);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toBe('too_many_requests');
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    }

    // Another client's allowance is its own.
    expect((await ping(b, '198.51.100.11')).status).toBe(200);

    // The counts are rows of the shared table, not this process's memory: an instance started
    // now (a restart, or a third one behind the balancer) refuses the spent client at once.
    const c = await startInstance(schema);
    expect((await ping(c, client)).status).toBe(429);
    const { rows } = await a.database.pool.query<{ key: string; points: number }>('SELECT key, points FROM client_limits ORDER BY key');
    expect(rows).toContainEqual({ key: `req:${client}`, points: ALLOWED + 3 });
  });

  test('with its database gone, an instance still limits each client (per instance) and never answers 500', async () => {
    const schema = freshSchema();
    const [a, b] = [await startInstance(schema), await startInstance(schema)];
    const client = '198.51.100.20';
    expect((await ping(a, client)).status).toBe(200);
    expect((await ping(b, client)).status).toBe(200);

    // Instance a loses PostgreSQL: every query on its pool now fails.
    await a.closeDatabase();
    const statuses: number[] = [];
    for (let i = 0; i < ALLOWED + 2; i++) statuses.push((await ping(a, client)).status);
    // The in-memory insurance counts from zero on this instance: N allowed, then 429 — never 500, never unlimited.
    expect(statuses).toEqual([...Array(ALLOWED).fill(200), 429, 429]);
    expect((await ping(a, '198.51.100.21')).status).toBe(200);

    // Instance b still counts in the table: its 2 + 3 more reach the allowance.
    const onB: number[] = [];
    for (let i = 0; i < ALLOWED - 1; i++) onB.push((await ping(b, client)).status);
    expect(onB).toEqual([200, 200, 200, 429]);
  });

  test('with its database stalled (no error, no answer), an instance limits each client in memory after a short wait, never hanging', async () => {
    // A pool whose queries never settle: what a stalled PostgreSQL looks like from here.
    const stalled = { pool: { query: () => new Promise(() => undefined) } } as unknown as PgDatabase;
    const limits = new ClientLimits({ ...DEFAULT_LIMITS, requestsPerMinute: ALLOWED, trustedProxies: ['loopback'] }, pgClientLimiters(stalled));
    const app = createApp({ logger, limits, readiness: { checks: async () => ({}) }, plugins: [
        {
          name: 'ping',
          register: (server: Server) =>
            server.get('/api/ping', async (_req: Request, res: Response) => {
              res.json({ pong: true });
            }),
        },
      ],
    });
    const instance = { url: `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}` };
    closers.push(() => new Promise<void>((resolve) => app.close(() => resolve())));
    const statuses: number[] = [];
    for (let i = 0; i < ALLOWED + 1; i++) statuses.push((await ping(instance, '198.51.100.30')).status);
    expect(statuses).toEqual([...Array(ALLOWED).fill(200), 429]);
  });
});
