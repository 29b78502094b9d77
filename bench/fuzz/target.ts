import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../freePort.js';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The server under test: where it is, whether it is up, and (when spawned) its process. */
export interface Target {
  /** "http://127.0.0.1:PORT" of the current server process. */
  readonly origin: string;
  readonly agent: http.Agent;
  /** Resolves when requests may be sent (at once, or after a restart). */
  ready(): Promise<void>;
  /** Resident memory of the server process in KiB, when known. */
  rssKb(): number | null;
  /** Whether the server still answers GET /healthz within `ms`. */
  answers(ms: number): Promise<boolean>;
  /**
   * After a request got no answer (refused, reset): resolves 'up' when the server still answers,
   * 'down' when it has gone (a spawned one is then being restarted and `ready()` waits for it).
   */
  checkAfterConnectionError(): Promise<'up' | 'down'>;
  stop(): Promise<void>;
  /** What spawned it (for the report). */
  readonly description: string;
}

export interface CrashInfo {
  exit: string;
  stderrTail: string[];
}

/** GET `url`, resolving with the status or null (no answer within `ms`). */
export function probe(url: string, ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: ms }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}


export function readRssKb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The last `max` lines written to a stream. */
class Tail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.map((l) => l.slice(0, 500)));
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  get(): string[] {
    return [...this.lines, ...(this.partial ? [this.partial.slice(0, 500)] : [])].filter((l) => !/DEP0111|trace-deprecation/.test(l));
  }
}

const newAgent = (concurrency: number) => new http.Agent({ keepAlive: true, maxSockets: concurrency });

/** An already running server (`--url`): it cannot be restarted, so a crash ends the run. */
export class RemoteTarget implements Target {
  readonly agent: http.Agent;
  readonly description: string;
  constructor(
    readonly origin: string,
    concurrency: number,
  ) {
    this.agent = newAgent(concurrency);
    this.description = `running server at ${origin}`;
  }
  ready(): Promise<void> {
    return Promise.resolve();
  }
  rssKb(): number | null {
    return null;
  }
  async answers(ms: number): Promise<boolean> {
    return (await probe(`${this.origin}/healthz`, ms)) !== null;
  }
  async checkAfterConnectionError(): Promise<'up' | 'down'> {
    // A busy server can take seconds to answer: only a long silence means it has gone.
    return (await this.answers(15_000)) ? 'up' : 'down';
  }
  async stop(): Promise<void> {
    this.agent.destroy();
  }
}

export interface SpawnOptions {
  /** The project whose `src/main.ts` is started (default: this one). */
  root?: string;
  concurrency: number;
  readyTimeoutMs: number;
  /** Extra environment for the server (e.g. raised rate limits). */
  env?: Record<string, string>;
  /** Called when the server process ended by itself; the target restarts it afterwards. */
  onCrash: (info: CrashInfo) => void;
  /** Called each time a server process is ready (the first and every restart). */
  onReady: (target: SpawnedTarget) => Promise<void>;
}

/**
 * The project's server as a child process (`node --import tsx src/main.ts`, so the pid is the
 * server's own), on a free loopback port with a fresh DATA_DIR and silent logs. When it exits on
 * its own that is a crash: it is reported and started again (same DATA_DIR), and `ready()` waits.
 */
export class SpawnedTarget implements Target {
  origin = '';
  agent: http.Agent;
  readonly description: string;
  private child: ChildProcess | null = null;
  /** Resolves when the current child exits (one listener, however many requests wait on it). */
  private childExit: Promise<void> = Promise.resolve();
  private readyPromise: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly root: string;
  staffToken: string | null = null;

  private constructor(
    private readonly options: SpawnOptions,
    private readonly dataDir: string,
  ) {
    this.root = options.root ?? PROJECT_ROOT;
    this.agent = newAgent(options.concurrency);
    this.description = `spawned: node --import tsx src/main.ts (in ${this.root})`;
  }

  static async start(options: SpawnOptions): Promise<SpawnedTarget> {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'camsupport-fuzz-'));
    const target = new SpawnedTarget(options, dataDir);
    target.staffToken = await target.createStaffToken();
    target.readyPromise = target.launch();
    await target.readyPromise;
    return target;
  }

  private env(port: number): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
      LOG_LEVEL: 'silent',
      STAFFED_HOURS: '24x7',
      STORE: 'lowdb',
      // Empty means "not set" to the config: no Bot Framework auth, no Azure, no Teams staff channel.
      DATABASE_URL: '',
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      DIRECT_LINE_SECRET: '',
      TEAMS_STAFF_CONVERSATION: '',
      ...this.options.env,
    };
  }

  /** A staff API token from the project's own CLI, so the fuzz reaches past the staff API's auth. */
  private async createStaffToken(): Promise<string | null> {
    const cli = path.join(this.root, 'src', 'cli', 'staff.ts');
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', cli, 'create-token', '--name', 'fuzz'], { cwd: this.root, env: this.env(0), stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.on('error', () => resolve(null));
      child.on('close', (code) => {
        const token = out.trim().split('\n').at(-1)?.trim() ?? '';
        resolve(code === 0 && /^\S{16,}$/.test(token) ? token : null);
      });
    });
  }

  private async launch(): Promise<void> {
    const port = await freePort();
    this.origin = `http://127.0.0.1:${port}`;
    this.agent.destroy();
    this.agent = newAgent(this.options.concurrency);
    const stderr = new Tail(40);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'main.ts')], { cwd: this.root, env: this.env(port), stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    this.childExit = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.on('data', (d: Buffer) => stderr.push(d));
    const state: { exited: CrashInfo | null; ready: boolean } = { exited: null, ready: false };
    child.once('exit', (code, signal) => {
      const info = { exit: signal ? `signal ${signal}` : `exit code ${code}`, stderrTail: stderr.get() };
      state.exited = info;
      // Before it was ready, launch() itself reports the failure (no restart loop).
      if (!state.ready || this.child !== child || this.stopping) return;
      this.child = null;
      this.options.onCrash(info);
      this.readyPromise = this.launch();
      // A failed restart surfaces through ready(); nothing may be left unhandled here.
      this.readyPromise.catch(() => undefined);
    });
    const deadline = Date.now() + this.options.readyTimeoutMs;
    for (;;) {
      if (state.exited) throw new Error(`the server exited during start-up (${state.exited.exit}):\n${state.exited.stderrTail.join('\n')}`);
      if ((await probe(`${this.origin}/readyz`, 2000)) === 200) {
        state.ready = true;
        break;
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the server was not ready within ${this.options.readyTimeoutMs} ms:\n${stderr.get().join('\n')}`);
      }
      // Polling /readyz: the models take up to ~30 s to train.
      await new Promise((r) => setTimeout(r, 200));
    }
    await this.options.onReady(this);
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  pid(): number | null {
    return this.child?.pid ?? null;
  }

  rssKb(): number | null {
    const pid = this.pid();
    return pid ? readRssKb(pid) : null;
  }

  async answers(ms: number): Promise<boolean> {
    return this.child !== null && (await probe(`${this.origin}/healthz`, ms)) !== null;
  }

  async checkAfterConnectionError(): Promise<'up' | 'down'> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return 'down';
    // Either it answers, or its exit is seen (a dead process's port refuses before 'exit' arrives).
    let timer: NodeJS.Timeout | undefined;
    const exited = this.childExit.then(() => 'down' as const);
    const answered = probe(`${this.origin}/healthz`, 3000).then((status) => (status !== null ? ('up' as const) : exited));
    const gaveUp = new Promise<'up'>((resolve) => (timer = setTimeout(() => resolve('up'), 10_000)));
    try {
      return await Promise.race([answered, exited, gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.agent.destroy();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = this.childExit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
