import { performance } from 'node:perf_hooks';
import pg from 'pg';

/** The p-th percentile of samples sorted ascending (nearest rank; p = 100 is the largest). */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/**
 * Times `runs` sequential calls of `run` after `warmUp` untimed ones (JIT, caches and the
 * database's plan settle first); answers the samples in ms, sorted ascending for `percentile`.
 */
export async function timedRuns(run: () => Promise<unknown>, { warmUp, runs }: { warmUp: number; runs: number }): Promise<number[]> {
  for (let i = 0; i < warmUp; i += 1) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

/** Whether a PostgreSQL server answers at `url` (the PostgreSQL rows are skipped, with a row saying so, when not). */
export async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
