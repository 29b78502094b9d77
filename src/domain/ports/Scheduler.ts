/**
 * Timed work (idle-conversation expiry, first-response due times, queue-position notices) that must
 * run once per period across every instance, not once per process. On the embedded store one
 * process owns the data, so a timer there is enough (storage/TimerScheduler.ts); on PostgreSQL the
 * instances claim each period from a shared table (storage/postgres/PgScheduler.ts).
 */
export interface ScheduledJob {
  /** Unique among the jobs: the instances agree on a period by this name. */
  name: string;
  /** How often it runs (across all instances together). */
  everyMs: number;
  /**
   * The earliest first run after this process starts (default `everyMs`): work that walks the whole
   * store is not worth doing while a restarted server takes its first turns.
   */
  firstAfterMs?: number;
  /**
   * The work. Runs of one job never overlap in one process; across instances a run that takes
   * longer than `everyMs` may overlap the next one elsewhere, so the work must be idempotent.
   */
  run(): Promise<void>;
}

export interface Scheduler {
  /** Starts the jobs' timers (unref'd: they never keep the process alive). Once per scheduler. */
  start(jobs: readonly ScheduledJob[]): void;
  /** Stops the timers and waits for the runs in progress to finish. */
  stop(): Promise<void>;
}

/** What a scheduler tells its owner: a run that failed (the next period runs all the same). */
export interface SchedulerOptions {
  onError?: (err: unknown, job: string) => void;
}

/** Checks a job list once, for both implementations. */
export function checkJobs(where: string, jobs: readonly ScheduledJob[]): void {
  const names = new Set<string>();
  for (const job of jobs) {
    if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(job.name)) throw new Error(`${where}: job name ${JSON.stringify(job.name)} must be 1–63 lower-case letters, digits, ".", "_" or "-"`);
    if (names.has(job.name)) throw new Error(`${where}: job "${job.name}" is listed twice`);
    names.add(job.name);
    if (!(Number.isFinite(job.everyMs) && job.everyMs > 0)) throw new Error(`${where}: job "${job.name}" needs everyMs > 0 (got ${job.everyMs})`);
    if (job.firstAfterMs !== undefined && !(Number.isFinite(job.firstAfterMs) && job.firstAfterMs >= 0)) {
      throw new Error(`${where}: job "${job.name}" needs firstAfterMs >= 0 (got ${job.firstAfterMs})`);
    }
  }
}
