import { afterEach, describe, expect, test } from 'vitest';
import type { ScheduledJob, Scheduler } from '../../src/domain/ports/Scheduler.js';
import { PgScheduler } from '../../src/storage/postgres/PgScheduler.js';
import { TimerScheduler } from '../../src/storage/TimerScheduler.js';
import { Signal } from '../delivery/fakes.js';
import { freshDatabase, postgresAvailable } from '../helpers/postgres.js';

const available = await postgresAvailable('PgScheduler (one run per period across instances)');

const started: Scheduler[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

/** A job that counts its runs, can be held open, and tells the test when something happened. */
function countingJob(name: string, everyMs: number, options: { firstAfterMs?: number; failFirst?: boolean } = {}) {
  const signal = new Signal();
  let runs = 0;
  let running = 0;
  let maxRunning = 0;
  let gate: Promise<void> | null = null;
  let open = (): void => undefined;
  const job: ScheduledJob = {
    name,
    everyMs,
    ...(options.firstAfterMs !== undefined ? { firstAfterMs: options.firstAfterMs } : {}),
    run: async () => {
      runs += 1;
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      signal.changed();
      try {
        if (gate) await gate;
        if (options.failFirst && runs === 1) throw new Error('first run fails');
      } finally {
        running -= 1;
        signal.changed();
      }
    },
  };
  return {
    job,
    signal,
    runs: () => runs,
    running: () => running,
    maxRunning: () => maxRunning,
    untilRuns: (n: number) => signal.until(() => runs >= n),
    hold: () => {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release: () => {
      gate = null;
      open();
    },
  };
}

describe('TimerScheduler (embedded store)', () => {
  test('runs each job periodically; runs of a job never overlap; a failed run is reported and the next one runs', async () => {
    const errors: string[] = [];
    const scheduler = new TimerScheduler({ onError: (err, job) => errors.push(`${job}: ${(err as Error).message}`) });
    started.push(scheduler);
    const quick = countingJob('quick', 5, { firstAfterMs: 0, failFirst: true });
    const slow = countingJob('slow', 5, { firstAfterMs: 0 });
    slow.hold();
    scheduler.start([quick.job, slow.job]);
    await quick.untilRuns(3);
    expect(errors).toEqual(['quick: first run fails']);
    // slow's first run is still held: no second one started meanwhile.
    expect(slow.runs()).toBe(1);
    slow.release();
    await slow.untilRuns(3);
    expect(slow.maxRunning()).toBe(1);
  });

  test('stop() waits for a run in progress and nothing runs after it; job lists are checked', async () => {
    const scheduler = new TimerScheduler();
    const job = countingJob('held', 5, { firstAfterMs: 0 });
    job.hold();
    scheduler.start([job.job]);
    await job.untilRuns(1);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    job.release();
    await stopping;
    expect(job.running()).toBe(0);
    expect(job.runs()).toBe(1);

    expect(() => new TimerScheduler().start([job.job, job.job])).toThrow(/listed twice/);
    expect(() => new TimerScheduler().start([{ ...job.job, name: 'Bad Name' }])).toThrow(/job name/);
    expect(() => new TimerScheduler().start([{ ...job.job, everyMs: 0 }])).toThrow(/everyMs > 0/);
  });
});

describe.skipIf(!available)('PgScheduler (scheduled_jobs)', () => {
  test('of many instances claiming one period at once, exactly one wins; the next period is everyMs away (database time)', async () => {
    const database = await freshDatabase();
    await database.pool.query("INSERT INTO scheduled_jobs (name, every_ms, next_run_at) VALUES ('race', 60000, now())");
    const instances = Array.from({ length: 4 }, (_, i) => new PgScheduler(database, { instance: `i${i}` }));
    const claims = await Promise.all(instances.flatMap((s) => Array.from({ length: 5 }, () => s.claim('race', 60_000))));
    expect(claims.filter((c) => c.won)).toHaveLength(1);
    for (const c of claims) expect(c.waitMs).toBeGreaterThan(55_000);
    const { rows } = await database.pool.query<{ last_run_by: string }>("SELECT last_run_by FROM scheduled_jobs WHERE name = 'race'");
    expect(rows[0]?.last_run_by).toMatch(/^i[0-3]$/);
  });

  test('two running instances: one run per period between them; the schedule outlives them', async () => {
    const database = await freshDatabase();
    const job = countingJob('periodic', 60_000, { firstAfterMs: 0 });
    const lost = [0, 0];
    const signal = new Signal();
    const schedulers = [0, 1].map(
      (i) =>
        new PgScheduler(database, {
          instance: `s${i}`,
          // Both look at the row every few ms, so a second run in one period would show up.
          maxCheckMs: 10,
          onClaim: (_name, won) => {
            if (!won) lost[i] = (lost[i] ?? 0) + 1;
            signal.changed();
          },
        }),
    );
    started.push(...schedulers);
    for (const s of schedulers) s.start([job.job]);
    for (let period = 1; period <= 4; period += 1) {
      if (period > 1) await database.pool.query("UPDATE scheduled_jobs SET next_run_at = now() WHERE name = 'periodic'");
      await job.untilRuns(period);
      // Both instances have looked again since this period's run (and lost).
      const seen = [...lost];
      await signal.until(() => (lost[0] ?? 0) > (seen[0] ?? 0) + 1 && (lost[1] ?? 0) > (seen[1] ?? 0) + 1);
      expect(job.runs()).toBe(period);
    }
    await Promise.all(schedulers.map((s) => s.stop()));
    // A restart does not start the period again: the next run is a minute after the last one.
    const restarted = await new PgScheduler(database).claim('periodic', 60_000);
    expect(restarted.won).toBe(false);
    expect(restarted.waitMs).toBeGreaterThan(50_000);
  });
});
