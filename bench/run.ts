/**
 * `npm run bench`: classifier latency and memory, then full triage turns over HTTP at 50
 * concurrent conversations next to the plain echo bot measured in the same run, with 100 and
 * with 100,000 conversations already stored. Prints one table.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pg from 'pg';
import { z } from 'zod';
import { loadKnowledge } from '../src/knowledge/KnowledgeBase.js';
import { parseJsonLines } from '../src/knowledge/jsonl.js';
import { LabelledUtteranceSchema } from '../src/knowledge/schemas.js';
import { buildTriage } from '../src/language/buildTriage.js';
import { seedConversations } from './seedConversations.js';
import { benchTicketList } from './ticketList.js';
import { benchInsights } from './insights.js';
import { freePort } from './freePort.js';

const ROOT = path.resolve(import.meta.dirname, '..');

const ArgsSchema = z.object({
  duration: z.coerce.number().int().min(1).max(600).default(10),
  connections: z.coerce.number().int().min(1).max(1000).default(50),
  small: z.coerce.number().int().min(0).default(100),
  large: z.coerce.number().int().min(0).default(100_000),
});

function parseArgs(argv: string[]): z.infer<typeof ArgsSchema> {
  const raw: Record<string, string> = {};
  for (const arg of argv) {
    const m = /^--([a-z]+)=(.+)$/.exec(arg);
    if (!m?.[1] || m[2] === undefined) throw new Error(`bad argument "${arg}" (use --duration=10 --connections=50 --small=100 --large=100000)`);
    raw[m[1]] = m[2];
  }
  const parsed = ArgsSchema.strict().safeParse(raw);
  if (!parsed.success) throw new Error(`bad arguments: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function benchClassifier(): Promise<string[][]> {
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const knowledge = await loadKnowledge(path.join(ROOT, 'knowledge'));
  const { triage } = buildTriage(knowledge, 0.55);
  const trainMs = performance.now() - t0;
  global.gc?.();
  const heap = process.memoryUsage().heapUsed - before;
  const texts = parseJsonLines(await readFile(path.join(ROOT, 'test', 'heldout.jsonl'), 'utf8'), LabelledUtteranceSchema).flatMap((r) => (r.ok ? [r.value.text] : []));
  for (const text of texts) triage.triage(text); // warm-up
  const samples: number[] = [];
  for (let round = 0; round < 20; round += 1) {
    for (const text of texts) {
      const s = performance.now();
      triage.triage(text);
      samples.push(performance.now() - s);
    }
  }
  samples.sort((a, b) => a - b);
  return [
    ['classifier: train + load knowledge', `${trainMs.toFixed(0)} ms`, `${knowledge.training.length} utterances`],
    ['classifier: heap after training', mib(heap), ''],
    ['classifier: p50 / p99 per message', `${(percentile(samples, 50) * 1000).toFixed(0)} µs / ${(percentile(samples, 99) * 1000).toFixed(0)} µs`, `${samples.length} classifications`],
  ];
}


interface Target {
  child: ChildProcess;
  port: number;
}

async function startTarget(script: string, env: Record<string, string>): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    // One load generator on loopback is one client: the per-client limits would cap it at 600 requests a minute.
    env: { ...process.env, RATE_REQUESTS_PER_MINUTE: '1000000', RATE_MESSAGES_PER_MINUTE: '1000000', ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${script} did not become ready`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200 || (r.status === 404 && script.includes('echo')), () => false);
    if (ok) return { child, port };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopTarget(target: Target): Promise<void> {
  target.child.kill('SIGTERM');
  await new Promise((r) => target.child.once('exit', r));
}

async function rssOf(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : NaN;
}

const TRIAGE_MESSAGES = ['my dvr stopped recording, hdd error on screen', 'forgot the admin password of the nvr', 'cant see cameras on my phone when im away', 'how do i configure vlan on my cisco switch', 'which ports must my firewall allow for the dvr'];

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  rss: number;
}

async function load(port: number, seconds: number, connections: number, prefix: string): Promise<LoadResult> {
  let n = 0;
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/api/messages`,
      method: 'POST',
      connections,
      duration,
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          // Every request is the first message of its own conversation: a full triage turn.
          setupRequest: (req) => {
            n += 1;
            return {
              ...req,
              body: JSON.stringify({
                type: 'message',
                id: `m${n}`,
                text: TRIAGE_MESSAGES[n % TRIAGE_MESSAGES.length],
                from: { id: `${prefix}-u${n % 500}` },
                recipient: { id: 'bot' },
                conversation: { id: `${prefix}-c${n}` },
                channelId: 'webchat',
                serviceUrl: 'http://localhost:3978',
                deliveryMode: 'expectReplies',
              }),
            };
          },
        },
      ],
    });
  await run(2); // warm-up: JIT, caches
  const result = await run(seconds);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, rss: 0 };
}

async function benchTurns(args: z.infer<typeof ArgsSchema>): Promise<string[][]> {
  const rows: string[][] = [];
  const echo = await startTarget('bench/targets/echoBot.ts', {});
  const echoResult = await load(echo.port, args.duration, args.connections, 'echo');
  echoResult.rss = await rssOf(echo.child.pid);
  await stopTarget(echo);
  const fmt = (name: string, r: LoadResult, ratio: string) => [name, `${r.rps.toFixed(0)} turns/s`, `p50 ${r.p50} ms · p99 ${r.p99} ms · ${r.errors} errors · RSS ${mib(r.rss)}${ratio}`];
  rows.push(fmt(`echo bot (baseline), ${args.connections} conns`, echoResult, ''));

  for (const stored of [args.small, args.large]) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-data-'));
    try {
      const s = performance.now();
      await seedConversations(dataDir, stored);
      const seedS = ((performance.now() - s) / 1000).toFixed(1);
      // Flush the seeding's dirty pages first: a 45 s write burst still draining to disk would be
      // measured as the store's cost, while a server that has held 100k conversations for a while
      // has nothing pending.
      execFileSync('sync');
      const bot = await startTarget('src/main.ts', { DATA_DIR: dataDir });
      const r = await load(bot.port, args.duration, args.connections, `s${stored}`);
      r.rss = await rssOf(bot.child.pid);
      await stopTarget(bot);
      rows.push(fmt(`triage turn, ${stored.toLocaleString('en')} stored (seeded in ${seedS} s)`, r, ` · ${((r.rps / echoResult.rps) * 100).toFixed(0)}% of echo`));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  rows.push(...(await benchPostgresTurns(args, echoResult, fmt)));
  return rows;
}

/**
 * The same full triage turn on STORE=postgres: one instance, then two instances on one database with
 * the load split round-robin (one load generator per instance, half the connections each). Skipped,
 * with a row saying so, when no PostgreSQL answers at PG_URL.
 */
async function benchPostgresTurns(
  args: z.infer<typeof ArgsSchema>,
  echo: LoadResult,
  fmt: (name: string, r: LoadResult, ratio: string) => string[],
): Promise<string[][]> {
  const adminUrl = process.env.PG_URL ?? `postgres://${os.userInfo().username}@127.0.0.1:5432/test`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return [['triage turn on PostgreSQL', 'skipped', `no PostgreSQL at ${adminUrl} (set PG_URL)`]];
  }
  const database = `bench_turns_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const env = { STORE: 'postgres', DATABASE_URL: url.toString(), DIRECT_LINE_TOKEN_SECRET: 'bench-secret-0123456789abcdef0123456789' };
  const rows: string[][] = [];
  const ratio = (r: LoadResult) => ` · ${((r.rps / echo.rps) * 100).toFixed(0)}% of echo`;
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const first = await startTarget('src/main.ts', env);
    try {
      const one = await load(first.port, args.duration, args.connections, 'pg1');
      one.rss = await rssOf(first.child.pid);
      rows.push(fmt('triage turn, PostgreSQL, 1 instance', one, ratio(one)));
      const second = await startTarget('src/main.ts', env);
      try {
        const half = Math.max(1, Math.floor(args.connections / 2));
        const [x, y] = await Promise.all([load(first.port, args.duration, half, 'pg2a'), load(second.port, args.duration, half, 'pg2b')]);
        const both: LoadResult = {
          rps: x.rps + y.rps,
          // Per-instance percentiles combined conservatively: the mean of the medians, the worse p99.
          p50: Math.round((x.p50 + y.p50) / 2),
          p99: Math.max(x.p99, y.p99),
          errors: x.errors + y.errors,
          rss: (await rssOf(first.child.pid)) + (await rssOf(second.child.pid)),
        };
        rows.push(fmt('triage turn, PostgreSQL, 2 instances round-robin (RSS of both)', both, ratio(both)));
      } finally {
        await stopTarget(second);
      }
    } finally {
      await stopTarget(first);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  return rows;
}

function printTable(rows: string[][]): void {
  const header = ['measure', 'value', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(`${[line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  process.stderr.write(`bench: node ${process.version}, ${os.cpus().length} cpus, ${args.connections} connections, ${args.duration} s per run\n`);
  const rows = await benchClassifier();
  rows.push(...(await benchTurns(args)));
  // The staff ticket list on PostgreSQL (skipped with a row saying so when none is reachable).
  rows.push(...(await benchTicketList([args.small, args.large])));
  // The Insights figures for 30 days with `large` recorded conversations, lowdb and PostgreSQL.
  rows.push(...(await benchInsights(args.large)));
  printTable(rows);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.message}\n`);
  process.exit(1);
});
