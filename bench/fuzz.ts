/**
 * `npm run fuzz -- --requests=10000`: starts the server as a child process (fresh DATA_DIR, loopback
 * only), sends mutated requests to every public route and prints statuses by route, 5xx answers,
 * crashes (the server is restarted after each) and the server's memory. Exits 1 on a crash, a 5xx
 * other than botbuilder's 501 for an unimplemented invoke, or a server that stopped answering.
 *
 *   --requests=N (2000)  --seed=N (1)  --concurrency=N (16)  --max-seconds=N (120)
 *   --url=http://127.0.0.1:PORT   fuzz a running server instead (no restarts: a crash ends the run)
 *   --staff-token=TOKEN           with --url: a staff API token (a spawned server gets its own)
 *   --keep-rate-limits=true       keep the spawned server's RATE_* limits (raised by default so
 *                                 requests reach the handlers rather than mostly getting 429)
 */
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { formatReport, fuzz, type FuzzOptions } from './fuzz/core.js';

export { formatReport, fuzz, type FuzzOptions, type FuzzReport } from './fuzz/core.js';

const ArgsSchema = z
  .object({
    requests: z.coerce.number().int().min(1).max(10_000_000).default(2000),
    seed: z.coerce.number().int().min(0).max(2 ** 32 - 1).default(1),
    concurrency: z.coerce.number().int().min(1).max(256).default(16),
    'max-seconds': z.coerce.number().positive().max(24 * 3600).default(120),
    url: z
      .url({ protocol: /^https?$/ })
      .refine((u) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname), 'must be a loopback address (the fuzz never leaves this machine)')
      .optional(),
    'staff-token': z.string().min(1).optional(),
    'keep-rate-limits': z.enum(['true', 'false']).optional(),
  })
  .strict();

export function parseArgs(argv: readonly string[]): FuzzOptions {
  const raw: Record<string, string> = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!m?.[1] || m[2] === undefined) throw new Error(`bad argument "${arg}" (use --requests=N --seed=N --concurrency=N --max-seconds=N --url=URL --staff-token=T --keep-rate-limits=true)`);
    raw[m[1]] = m[2];
  }
  const parsed = ArgsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`bad arguments: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'argument'}: ${i.message}`).join('; ')}`);
  const a = parsed.data;
  return {
    requests: a.requests,
    seed: a.seed,
    concurrency: a.concurrency,
    maxSeconds: a['max-seconds'],
    ...(a.url ? { url: a.url } : {}),
    ...(a['staff-token'] ? { staffToken: a['staff-token'] } : {}),
    ...(a['keep-rate-limits'] === 'true' ? { keepRateLimits: true } : {}),
  };
}

async function main(): Promise<void> {
  let options: FuzzOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`fuzz: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const report = await fuzz({ ...options, progress: (line) => process.stderr.write(`fuzz: ${line}\n`) });
  process.stdout.write(`${formatReport(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
}

// Run only as a script: the test imports this module's exports.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: Error) => {
    process.stderr.write(`fuzz: ${err.message}\n`);
    process.exit(2);
  });
}
