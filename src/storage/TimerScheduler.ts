import { checkJobs, type ScheduledJob, type Scheduler, type SchedulerOptions } from '../domain/ports/Scheduler.js';

/**
 * The embedded store's scheduler: one process owns DATA_DIR, so a timer per job in that process
 * runs each job once per period. The next run is timed from the end of the previous one, so runs
 * of a job never overlap. Timers are unref'd: they never keep the process alive.
 */
export class TimerScheduler implements Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private started = false;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions = {}) {}

  start(jobs: readonly ScheduledJob[]): void {
    if (this.started) throw new Error('TimerScheduler.start(): already started');
    checkJobs('TimerScheduler.start()', jobs);
    this.started = true;
    for (const job of jobs) this.after(job.firstAfterMs ?? job.everyMs, () => this.run(job));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  private run(job: ScheduledJob): void {
    const run = Promise.resolve()
      .then(() => job.run())
      .catch((err: unknown) => this.options.onError?.(err, job.name))
      .finally(() => {
        this.running.delete(run);
        this.after(job.everyMs, () => this.run(job));
      });
    this.running.add(run);
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
