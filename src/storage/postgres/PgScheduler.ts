import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { checkJobs, type ScheduledJob, type Scheduler, type SchedulerOptions } from '../../domain/ports/Scheduler.js';
import type { PgDatabase } from './PgDatabase.js';

export interface PgSchedulerOptions extends SchedulerOptions {
  /** Names this instance in `scheduled_jobs.last_run_by` (default host:pid:random). */
  instance?: string;
  /**
   * An instance looks at a job's row at least this often, even when the row says the next period
   * is further away (a period changed by another instance's configuration). Default 60 000.
   */
  maxCheckMs?: number;
  /** Told after every claim attempt (tests wait on it). */
  onClaim?: (job: string, won: boolean) => void;
}

interface ClaimRow {
  won: boolean;
  wait_ms: number | string | null;
}

/**
 * The PostgreSQL scheduler: each job has a row in `scheduled_jobs` (migration 030) holding when
 * its next period starts. Every instance checks the row when that time comes, and runs the job
 * only if its conditional `UPDATE … SET next_run_at = now() + every WHERE name = $1 AND
 * next_run_at <= now()` changed the row: the row lock serialises the instances and the loser's
 * re-checked condition no longer holds, so exactly one instance wins each period. Times are the
 * database's (`now()`), so the instances' clocks need not agree. The schedule is shared and kept:
 * a restart does not start a job's period again.
 *
 * Not pg-boss: pg-boss 11 and 12 declare node >= 22 (these machines run node 20), and three
 * periodic jobs need one table and one statement, not a second queue with its own schema and pool.
 */
export class PgScheduler implements Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly instance: string;
  private readonly maxCheckMs: number;
  private started = false;
  private stopped = false;

  constructor(
    private readonly database: PgDatabase,
    private readonly options: PgSchedulerOptions = {},
  ) {
    this.instance = options.instance ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.maxCheckMs = options.maxCheckMs ?? 60_000;
    if (!(this.maxCheckMs > 0)) throw new Error(`PgScheduler: options.maxCheckMs must be a positive number (got ${this.maxCheckMs})`);
  }

  start(jobs: readonly ScheduledJob[]): void {
    if (this.started) throw new Error('PgScheduler.start(): already started');
    checkJobs('PgScheduler.start()', jobs);
    this.started = true;
    for (const job of jobs) this.after(job.firstAfterMs ?? job.everyMs, () => this.track(this.first(job)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  /**
   * Claims the current period of `name` for this instance: true for exactly one caller per period
   * across every instance, then not again until `everyMs` later (database time).
   */
  async claim(name: string, everyMs: number): Promise<{ won: boolean; waitMs: number }> {
    const { rows } = await this.database.pool.query<ClaimRow>(
      `WITH claimed AS (
         UPDATE scheduled_jobs SET next_run_at = now() + $2 * interval '1 millisecond', last_run_at = now(), last_run_by = $3
         WHERE name = $1 AND next_run_at <= now()
         RETURNING next_run_at
       )
       SELECT EXISTS (SELECT 1 FROM claimed) AS won,
              extract(epoch FROM coalesce((SELECT next_run_at FROM claimed), (SELECT next_run_at FROM scheduled_jobs WHERE name = $1)) - now()) * 1000 AS wait_ms`,
      [name, everyMs, this.instance],
    );
    const row = rows[0];
    const wait = Number(row?.wait_ms ?? everyMs);
    return { won: row?.won === true, waitMs: Number.isFinite(wait) ? wait : everyMs };
  }

  /** Makes sure the job has its row (a new job is due at once), then checks it. */
  private async first(job: ScheduledJob): Promise<void> {
    try {
      // A shorter period configured now takes effect now; a longer one from the next period on.
      await this.database.pool.query(
        `INSERT INTO scheduled_jobs (name, every_ms, next_run_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET every_ms = EXCLUDED.every_ms,
           next_run_at = least(scheduled_jobs.next_run_at, now() + EXCLUDED.every_ms * interval '1 millisecond')`,
        [job.name, job.everyMs],
      );
    } catch (err) {
      this.options.onError?.(err, job.name);
      this.after(Math.min(job.everyMs, this.maxCheckMs), () => this.track(this.first(job)));
      return;
    }
    await this.check(job);
  }

  private async check(job: ScheduledJob): Promise<void> {
    let waitMs: number;
    try {
      const claim = await this.claim(job.name, job.everyMs);
      this.options.onClaim?.(job.name, claim.won);
      waitMs = claim.waitMs;
      if (claim.won) {
        const started = Date.now();
        try {
          await job.run();
        } catch (err) {
          this.options.onError?.(err, job.name);
        }
        waitMs -= Date.now() - started;
      }
    } catch (err) {
      // The database is away: look again later; a period missed meanwhile runs when it is back.
      this.options.onError?.(err, job.name);
      waitMs = Math.min(job.everyMs, this.maxCheckMs);
    }
    // A little jitter, so instances started together do not all queue on the row at the same instant.
    const jitter = Math.random() * Math.min(1_000, job.everyMs / 20);
    this.after(Math.min(Math.max(waitMs, 0) + jitter, this.maxCheckMs), () => this.track(this.check(job)));
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => this.options.onError?.(err, 'scheduler')).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private after(ms: number, callback: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) callback();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }
}
