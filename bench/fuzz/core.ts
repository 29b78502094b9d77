import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { makeBombs, type Bombs } from './mutate.js';
import { Rng } from './prng.js';
import { generateRequest, type Pools, type RequestSpec } from './requests.js';
import { probe, RemoteTarget, SpawnedTarget, type CrashInfo, type Target } from './target.js';

export interface FuzzOptions {
  /** How many requests to send (the run also stops at `maxSeconds`). */
  requests: number;
  seed: number;
  concurrency: number;
  maxSeconds: number;
  /** Fuzz a server that is already running instead of spawning one. */
  url?: string;
  /** With `url`: a staff API token to reach past the staff API's auth. */
  staffToken?: string;
  /** Spawn the server of this project folder (default: this project). */
  root?: string;
  /** Extra environment for a spawned server. */
  env?: Record<string, string>;
  /**
   * Keep the server's production rate limits (RATE_*). By default a spawned server gets them raised
   * so the requests reach the handlers instead of mostly getting 429 (the limiter is fuzzed either way).
   */
  keepRateLimits?: boolean;
  /** Give up on a request after this long (default 20 s; a turn that calls out can take ~6 s). */
  requestTimeoutMs?: number;
  /** How long a (re)started server may take to answer /readyz with 200 (default 90 s). */
  readyTimeoutMs?: number;
  /** Progress lines (e.g. to stderr); silent when absent. */
  progress?: (line: string) => void;
}

/** What one request came to: a status, or why there was none. */
type Outcome = { kind: 'status'; status: number; /** The start of a 5xx body (what the server said). */ sample?: string } | { kind: 'conn'; code: string } | { kind: 'timeout' } | { kind: 'aborted' } | { kind: 'skipped'; reason: string };

/** `conn`: no answer while the server was up (e.g. a reset after 431); `down`: it had crashed. */
const CLASSES = ['2xx', '3xx', '4xx', '5xx', 'conn', 'down', 'timeout', 'abort'] as const;
type OutcomeClass = (typeof CLASSES)[number];

export interface FiveXx {
  route: string;
  status: number;
  count: number;
  allowed: boolean;
  /** The mutations of the first few requests that got it. */
  examples: string[];
}

/** Requests the server never answered while it was up: timeouts and dropped connections. */
export interface Unanswered {
  route: string;
  kind: 'timeout' | 'conn';
  count: number;
  examples: string[];
}

export interface Crash {
  /** Requests sent when the server went away. */
  afterRequests: number;
  exit: string;
  stderrTail: string[];
  /** The requests in flight then, or left without an answer by it (the culprit is among them). */
  inFlight: string[];
}

export interface FuzzReport {
  seed: number;
  target: string;
  rateLimits: 'production' | 'raised' | 'as configured';
  requested: number;
  sent: number;
  concurrency: number;
  requestTimeoutMs: number;
  elapsedMs: number;
  stoppedBy: 'count' | 'time' | 'target-lost';
  /** route → outcome class → count */
  byRoute: Record<string, Partial<Record<OutcomeClass, number>>>;
  statuses: Record<string, number>;
  fiveXx: FiveXx[];
  unanswered: Unanswered[];
  disallowed5xx: number;
  allowed501: number;
  crashes: Crash[];
  /** The server did not answer /healthz at the end (hung, or gone for good). */
  unresponsiveAtEnd: boolean;
  /** A restart failed or the run could not go on: the reason. */
  fatal: string | null;
  rssKb: { atStart: number | null; atEnd: number | null; peak: number | null } | null;
  staffToken: boolean;
  /** GET /healthz once a second during the run: the slowest answer, and how many took over 1 s. */
  healthz: { probes: number; maxMs: number; overOneSecond: number };
  /** Requests the fuzz itself failed to build (its bugs, not the server's). */
  generatorErrors: string[];
  directLineConversations: number;
  ok: boolean;
}

/** The config's maximum for every RATE_* variable. */
const RAISED_RATE_LIMITS: Record<string, string> = {
  RATE_REQUESTS_PER_MINUTE: '1000000',
  RATE_TOKENS_PER_MINUTE: '1000000',
  RATE_CONVERSATIONS_PER_MINUTE: '1000000',
  RATE_MESSAGES_PER_MINUTE: '1000000',
  RATE_FAILED_AUTH_PER_MINUTE: '1000000',
};

const describe = (spec: RequestSpec) => `${spec.route}${spec.notes.length ? ` [${spec.notes.join(', ').slice(0, 160)}]` : ''}`;

/** Sends one request as specified (raw headers, exact bytes); never rejects. */
function send(target: Target, spec: RequestSpec, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.body && !spec.chunked) headers['content-length'] = String(spec.body.length);
    const url = new URL(target.origin);
    let req: http.ClientRequest;
    try {
      req = http.request({
        host: url.hostname,
        port: url.port,
        method: spec.method,
        path: spec.path,
        headers,
        agent: spec.upgrade || spec.stream || spec.abortAfter !== undefined ? false : target.agent,
        setHost: true,
      });
    } catch (err) {
      return done({ kind: 'skipped', reason: (err as Error).message });
    }
    req.setTimeout(timeoutMs, () => {
      done({ kind: 'timeout' });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (spec.abortAfter !== undefined) return done({ kind: 'aborted' });
      done({ kind: 'conn', code: err.code ?? err.message });
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      done({ kind: 'status', status: res.statusCode ?? 101 });
    });
    req.on('response', (res) => {
      if (spec.stream) {
        done({ kind: 'status', status: res.statusCode ?? 0 });
        req.destroy();
        return;
      }
      // The body is not checked, only that it arrives; a reset after the status line still counts.
      // Of a 5xx the start is kept: it says what went wrong.
      const status = res.statusCode ?? 0;
      let sample = '';
      res.on('data', (chunk: Buffer) => {
        if (status >= 500 && sample.length < 300) sample += chunk.toString('utf8').slice(0, 300 - sample.length);
      });
      res.on('end', () => done({ kind: 'status', status, ...(sample ? { sample } : {}) }));
      res.on('error', () => done({ kind: 'status', status: res.statusCode ?? 0 }));
      res.on('aborted', () => done({ kind: 'status', status: res.statusCode ?? 0 }));
    });
    const body = spec.body;
    if (!body) {
      req.end();
      return;
    }
    if (spec.abortAfter !== undefined) {
      // Part of the body, then the client goes away.
      req.write(body.subarray(0, spec.abortAfter), () => {
        req.destroy();
        done({ kind: 'aborted' });
      });
      return;
    }
    if (spec.chunked && body.length > 1) {
      const half = Math.floor(body.length / 2);
      req.write(body.subarray(0, half));
      req.end(body.subarray(half));
      return;
    }
    req.end(body);
  });
}

function classify(outcome: Outcome, serverWentDown: boolean): OutcomeClass | null {
  switch (outcome.kind) {
    case 'status':
      return outcome.status >= 500 ? '5xx' : outcome.status >= 400 ? '4xx' : outcome.status >= 300 ? '3xx' : '2xx';
    case 'conn':
      return serverWentDown ? 'down' : 'conn';
    case 'timeout':
      return 'timeout';
    case 'aborted':
      return 'abort';
    case 'skipped':
      return null;
  }
}

/** Polls GET /readyz until it answers 200, or throws at the deadline. */
async function waitUntilReady(origin: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number | null = null;
  while (Date.now() < deadline) {
    last = await probe(`${origin}/readyz`, 2000);
    if (last === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${origin}/readyz did not answer 200 within ${timeoutMs} ms (last: ${last ?? 'no answer'})`);
}

/** Direct Line conversations (and spare tokens) for the generators, from the server just started. */
async function seedPools(target: Target, pools: Pools, staffToken: string | null): Promise<void> {
  pools.conversations = [];
  pools.spareTokens = [];
  pools.staffToken = staffToken;
  const call = async (path: string, token?: string): Promise<unknown> => {
    const res = await fetch(`${target.origin}${path}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    return res.ok && text ? (JSON.parse(text) as unknown) : null;
  };
  const tokenOf = (v: unknown): string | null => (typeof v === 'object' && v !== null && 'token' in v && typeof v.token === 'string' ? v.token : null);
  const idOf = (v: unknown): string | null => (typeof v === 'object' && v !== null && 'conversationId' in v && typeof v.conversationId === 'string' ? v.conversationId : null);
  for (let i = 0; i < 14; i += 1) {
    try {
      const token = tokenOf(await call('/v3/directline/tokens/generate'));
      if (!token) continue;
      if (i >= 6) {
        pools.spareTokens.push(token);
        continue;
      }
      const started = await call('/v3/directline/conversations', token);
      const id = idOf(started);
      const conversationToken = tokenOf(started);
      if (id && conversationToken) pools.conversations.push({ id, token: conversationToken });
    } catch {
      // A server that will not hand out tokens is fuzzed with made-up ones.
    }
  }
}

/**
 * Sends `requests` requests (or as many as fit in `maxSeconds`) mutated from valid seeds to every
 * public route, `concurrency` at a time, and reports statuses by route, 5xx answers, crashes (a
 * spawned server is restarted after each) and the server's memory.
 */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const progress = options.progress ?? (() => undefined);
  const timeoutMs = options.requestTimeoutMs ?? 20_000;
  const pools: Pools = { conversations: [], spareTokens: [], staffToken: null };
  const crashes: Crash[] = [];
  const inFlight = new Map<number, RequestSpec>();
  let sent = 0;
  let targetLost = false;

  progress('preparing compressed bodies (gzip/deflate/br bombs)…');
  const bombs: Bombs = await makeBombs();

  /** Requests of the current server process that got no answer: the crash's culprit is among them or in flight. */
  let unanswered: RequestSpec[] = [];
  const onCrash = (info: CrashInfo) => {
    const suspects = [...new Set([...unanswered, ...inFlight.values()])];
    unanswered = [];
    crashes.push({ afterRequests: sent, exit: info.exit, stderrTail: info.stderrTail, inFlight: suspects.map(describe) });
    progress(`the server exited (${info.exit}) after ${sent} requests; restarting it`);
  };
  let target: Target;
  if (options.url) {
    target = new RemoteTarget(options.url.replace(/\/+$/, ''), options.concurrency);
    await waitUntilReady(target.origin, options.readyTimeoutMs ?? 90_000);
    await seedPools(target, pools, options.staffToken ?? null);
  } else {
    progress('starting the server (waiting for /readyz)…');
    target = await SpawnedTarget.start({
      ...(options.root ? { root: options.root } : {}),
      env: { ...(options.keepRateLimits ? {} : RAISED_RATE_LIMITS), ...options.env },
      concurrency: options.concurrency,
      readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
      onCrash,
      onReady: async (t) => {
        unanswered = [];
        await seedPools(t, pools, t.staffToken);
      },
    });
  }

  // How long GET /healthz takes while the fuzz runs: a blocked event loop shows here first.
  const health = { probes: 0, overOneSecond: 0, maxMs: 0, probing: false };
  const healthSampler = setInterval(() => {
    if (health.probing) return;
    health.probing = true;
    const t0 = performance.now();
    probe(`${target.origin}/healthz`, 30_000)
      .then((status) => {
        if (status === null) return;
        const ms = performance.now() - t0;
        health.probes += 1;
        health.maxMs = Math.max(health.maxMs, ms);
        if (ms > 1000) health.overOneSecond += 1;
      })
      .finally(() => (health.probing = false));
  }, 1000);

  const rssAtStart = target.rssKb();
  let rssPeak = rssAtStart;
  const sampler = setInterval(() => {
    const rss = target.rssKb();
    if (rss !== null) rssPeak = Math.max(rssPeak ?? 0, rss);
  }, 250);

  const byRoute: FuzzReport['byRoute'] = {};
  const statuses: Record<string, number> = {};
  const fiveXx = new Map<string, FiveXx>();
  const noAnswer = new Map<string, Unanswered>();
  let fatal: string | null = null;
  const generatorErrors: string[] = [];
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  let next = 0;
  let lastProgress = 0;

  const record = (spec: RequestSpec, outcome: Outcome, serverWentDown: boolean) => {
    const cls = classify(outcome, serverWentDown);
    if (!cls) {
      // The client library refused to send it (not the server's doing): counted, not tabled.
      statuses.skipped = (statuses.skipped ?? 0) + 1;
      return;
    }
    const row = (byRoute[spec.route] ??= {});
    row[cls] = (row[cls] ?? 0) + 1;
    const statusKey = outcome.kind === 'status' ? String(outcome.status) : outcome.kind === 'conn' ? `${cls}:${outcome.code}` : outcome.kind;
    statuses[statusKey] = (statuses[statusKey] ?? 0) + 1;
    if (cls === 'timeout' || cls === 'conn') {
      const key = `${spec.route} ${cls}`;
      const entry = noAnswer.get(key) ?? { route: spec.route, kind: cls, count: 0, examples: [] };
      entry.count += 1;
      if (entry.examples.length < 3) entry.examples.push(`${outcome.kind === 'conn' ? `${outcome.code}: ` : ''}${spec.notes.join(', ').slice(0, 140) || '(unmutated)'}`);
      noAnswer.set(key, entry);
    }
    if (outcome.kind === 'status' && outcome.status >= 500) {
      const allowed = outcome.status === 501 && spec.allow501 === true;
      const key = `${spec.route} ${outcome.status} ${allowed}`;
      const entry = fiveXx.get(key) ?? { route: spec.route, status: outcome.status, count: 0, allowed, examples: [] };
      entry.count += 1;
      if (entry.examples.length < 3) entry.examples.push(`${spec.notes.join(', ').slice(0, 160) || '(unmutated)'}${outcome.sample ? ` → ${outcome.sample.replace(/\s+/g, ' ').slice(0, 160)}` : ''}`);
      fiveXx.set(key, entry);
    }
  };

  const worker = async () => {
    for (;;) {
      if (next >= options.requests || performance.now() > deadline || targetLost || fatal) return;
      const i = next;
      next += 1;
      try {
        await target.ready();
      } catch (err) {
        fatal ??= `the server could not be restarted: ${(err as Error).message}`;
        return;
      }
      let spec: RequestSpec;
      try {
        spec = generateRequest({ rng: new Rng(options.seed, i), pools, bombs });
      } catch (err) {
        // A bug in a generator is the fuzz's own: counted and shown, not a reason to stop.
        generatorErrors.push(`request ${i}: ${(err as Error).message}`);
        continue;
      }
      inFlight.set(i, spec);
      sent += 1;
      const crashesBefore = crashes.length;
      const outcome = await send(target, spec, timeoutMs);
      inFlight.delete(i);
      let wentDown = crashes.length !== crashesBefore;
      if (outcome.kind === 'conn') unanswered.push(spec);
      if (outcome.kind === 'conn' && !wentDown) {
        // Wait until it is clear whether the server is gone, so workers do not burn requests on a dead port.
        const state = await target.checkAfterConnectionError();
        wentDown = state === 'down';
        // Still up: this one was just refused (431 and the like), not a suspect.
        if (state === 'up') unanswered = unanswered.filter((s) => s !== spec);
        if (state === 'down' && target instanceof RemoteTarget) {
          // A server we did not start cannot be restarted: note the crash and stop.
          if (!targetLost) crashes.push({ afterRequests: sent, exit: 'stopped answering', stderrTail: [], inFlight: [describe(spec), ...[...inFlight.values()].map(describe)] });
          targetLost = true;
        }
      }
      record(spec, outcome, wentDown);
      if (sent - lastProgress >= 500) {
        lastProgress = sent;
        progress(`${sent} requests sent, ${crashes.length} crash(es)`);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const elapsedMs = performance.now() - started;
    let unresponsiveAtEnd = false;
    if (!fatal) {
      try {
        await target.ready();
        unresponsiveAtEnd = !(await target.answers(15_000));
      } catch (err) {
        fatal = `the server could not be restarted: ${(err as Error).message}`;
      }
    }
    const rssAtEnd = target.rssKb();
    const list = [...fiveXx.values()].sort((a, b) => b.count - a.count);
    const disallowed5xx = list.filter((e) => !e.allowed).reduce((n, e) => n + e.count, 0);
    const report: FuzzReport = {
      seed: options.seed,
      target: target.description,
      rateLimits: options.url ? 'as configured' : options.keepRateLimits ? 'production' : 'raised',
      requested: options.requests,
      sent,
      concurrency: options.concurrency,
      requestTimeoutMs: timeoutMs,
      elapsedMs,
      stoppedBy: targetLost ? 'target-lost' : next >= options.requests ? 'count' : 'time',
      byRoute,
      statuses,
      fiveXx: list,
      unanswered: [...noAnswer.values()].sort((a, b) => b.count - a.count),
      disallowed5xx,
      allowed501: list.filter((e) => e.allowed).reduce((n, e) => n + e.count, 0),
      crashes,
      unresponsiveAtEnd,
      fatal,
      rssKb: target instanceof RemoteTarget ? null : { atStart: rssAtStart, atEnd: rssAtEnd, peak: rssPeak === null || rssAtEnd === null ? rssPeak : Math.max(rssPeak, rssAtEnd) },
      staffToken: pools.staffToken !== null,
      healthz: { probes: health.probes, maxMs: Math.round(health.maxMs), overOneSecond: health.overOneSecond },
      generatorErrors,
      directLineConversations: pools.conversations.length,
      ok: false,
    };
    report.ok = crashes.length === 0 && disallowed5xx === 0 && !unresponsiveAtEnd && !fatal;
    return report;
  } finally {
    clearInterval(sampler);
    clearInterval(healthSampler);
    await target.stop();
  }
}

/** The error line of a crash's stderr ("Error: incorrect header check"), or its exit. */
function crashSignature(c: Crash): string {
  const line = c.stderrTail.find((l) => /^\s*[A-Za-z]*(Error|Exception)\b.*:/.test(l) && !/^\s*at /.test(l));
  return line ? line.trim().slice(0, 100) : c.exit;
}

const mib = (kb: number | null) => (kb === null ? 'n/a' : `${(kb / 1024).toFixed(0)} MiB`);

/** The report as the table `npm run fuzz` prints. */
export function formatReport(r: FuzzReport): string {
  const lines: string[] = [];
  lines.push(`fuzz: seed ${r.seed}, ${r.sent} of ${r.requested} requests in ${(r.elapsedMs / 1000).toFixed(1)} s, concurrency ${r.concurrency} (stopped by ${r.stoppedBy})`);
  lines.push(`target: ${r.target}; rate limits: ${r.rateLimits}; staff token: ${r.staffToken ? 'yes' : 'no'}; Direct Line conversations: ${r.directLineConversations}`);
  lines.push('');
  const routes = Object.keys(r.byRoute).sort();
  const width = Math.max(5, ...routes.map((x) => x.length));
  const cell = (v: string | number) => String(v).padStart(8);
  lines.push(`${'route'.padEnd(width)}${CLASSES.map(cell).join('')}${cell('total')}`);
  const totals: Record<string, number> = {};
  for (const route of routes) {
    const row = r.byRoute[route] ?? {};
    let total = 0;
    const cells = CLASSES.map((c) => {
      const n = row[c] ?? 0;
      total += n;
      totals[c] = (totals[c] ?? 0) + n;
      return cell(n || '.');
    });
    lines.push(`${route.padEnd(width)}${cells.join('')}${cell(total)}`);
  }
  lines.push(`${'total'.padEnd(width)}${CLASSES.map((c) => cell(totals[c] ?? 0)).join('')}${cell(Object.values(totals).reduce((a, b) => a + b, 0))}`);
  lines.push('');
  lines.push(`statuses: ${Object.entries(r.statuses).sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}×${n}`).join('  ')}`);
  lines.push(`5xx: ${r.disallowed5xx} not allowed; ${r.allowed501} × 501 for an invoke no handler implements (allowed)`);
  for (const e of r.fiveXx) lines.push(`  ${e.allowed ? 'allowed ' : 'NOT OK  '} ${e.status} ×${e.count}  ${e.route}   e.g. ${e.examples.join(' | ')}`);
  if (r.unanswered.length) {
    lines.push(`no answer while the server was up: ${r.unanswered.reduce((n, u) => n + u.count, 0)} (timeouts after ${r.requestTimeoutMs / 1000} s, dropped connections)`);
    for (const u of r.unanswered) lines.push(`  ${u.kind.padEnd(7)} ×${u.count}  ${u.route}   e.g. ${u.examples.join(' | ')}`);
  }
  // Crashes grouped by their error line; the first of each kind in full.
  const kinds = new Map<string, Crash[]>();
  for (const c of r.crashes) kinds.set(crashSignature(c), [...(kinds.get(crashSignature(c)) ?? []), c]);
  lines.push(`crashes: ${r.crashes.length}${kinds.size ? ` (${[...kinds].map(([k, cs]) => `${cs.length} × ${k}`).join('; ')})` : ''}`);
  for (const [kind, cs] of kinds) {
    const c = cs[0];
    if (!c) continue;
    lines.push(`  ${kind}: first after ${c.afterRequests} requests (${c.exit}); at ${cs.map((x) => x.afterRequests).join(', ')}`);
    lines.push(`     in flight or unanswered then (the culprit is among them):${c.inFlight.length ? '' : ' (none)'}`);
    for (const f of c.inFlight.slice(0, 20)) lines.push(`       ${f}`);
    lines.push('     last stderr lines:');
    for (const l of c.stderrTail.slice(-12)) lines.push(`       | ${l}`);
  }
  if (r.generatorErrors.length) lines.push(`fuzz generator errors: ${r.generatorErrors.length} (first: ${r.generatorErrors[0]})`);
  if (r.unresponsiveAtEnd) lines.push('the server did not answer GET /healthz at the end (hung)');
  if (r.fatal) lines.push(`fatal: ${r.fatal}`);
  lines.push(`GET /healthz during the run: ${r.healthz.probes} probes, slowest ${r.healthz.maxMs} ms, ${r.healthz.overOneSecond} over 1 s`);
  if (r.rssKb) lines.push(`server RSS: ${mib(r.rssKb.atStart)} when ready → ${mib(r.rssKb.atEnd)} at the end (peak ${mib(r.rssKb.peak)})${r.crashes.length ? ' (end = the last restarted process)' : ''}`);
  lines.push(`result: ${r.ok ? 'OK' : 'FAIL'} (${r.crashes.length} crash(es), ${r.disallowed5xx} disallowed 5xx${r.unresponsiveAtEnd ? ', unresponsive' : ''}${r.fatal ? ', fatal' : ''})`);
  return lines.join('\n');
}
