import { describe, expect, test } from 'vitest';
import { formatReport, fuzz } from '../bench/fuzz.js';
import { makeBombs } from '../bench/fuzz/mutate.js';
import { Rng } from '../bench/fuzz/prng.js';
import { generateRequest, type Pools } from '../bench/fuzz/requests.js';

describe('fuzz', () => {
  test('a seed gives the same requests every time, another seed other ones', async () => {
    const bombs = await makeBombs();
    const pools = (): Pools => ({ conversations: [{ id: 'conv12345678', token: 'tok' }], spareTokens: [], staffToken: 'staff' });
    const run = (seed: number) => Array.from({ length: 200 }, (_, i) => generateRequest({ rng: new Rng(seed, i), pools: pools(), bombs }));
    const strip = (specs: ReturnType<typeof run>) => specs.map((s) => ({ ...s, body: s.body?.toString('base64') }));
    expect(strip(run(42))).toEqual(strip(run(42)));
    expect(strip(run(43))).not.toEqual(strip(run(42)));
    // The generators reach every kind of public route.
    const routes = new Set(run(42).map((s) => s.route));
    for (const route of ['POST /api/messages', 'POST /v3/directline/conversations/:id/activities', 'GET /api/handoffs', 'POST /v3/directline/tokens/generate']) {
      expect(routes).toContain(route);
    }
  });

  // Issue 8: nothing a client sends stops the process. Spawns the server (waits for /readyz).
  test('400 mutated requests: no crash and no 5xx other than 501 for an unimplemented invoke', { timeout: 240_000 }, async () => {
    const report = await fuzz({ requests: 400, seed: 1, concurrency: 16, maxSeconds: 120 });
    const table = formatReport(report);
    expect(report.fatal, table).toBeNull();
    expect(report.crashes, table).toEqual([]);
    expect(report.fiveXx.filter((e) => !e.allowed), table).toEqual([]);
    expect(report.unresponsiveAtEnd, table).toBe(false);
    expect(report.sent, table).toBe(400);
    expect(report.ok, table).toBe(true);
  });
});
