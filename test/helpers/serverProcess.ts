import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../bench/freePort.js';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');


/**
 * The real server (`src/main.ts`) as a child process on a loopback port: what an instance behind a
 * load balancer is. `kill9()` ends it as a crash would.
 */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private stderr: string[] = [];

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(env: Record<string, string>, readyTimeoutMs = 120_000): Promise<ServerProcess> {
    const server = new ServerProcess(await freePort(), env);
    await server.restart(readyTimeoutMs);
    return server;
  }

  /** Starts (again) on the same port and environment; resolves once /readyz answers 200. */
  async restart(readyTimeoutMs = 120_000): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(this.port), ...this.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    this.stderr = [];
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk.toString('utf8'));
      if (this.stderr.length > 50) this.stderr.shift();
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`ServerProcess: the server exited (${child.exitCode}) before it was ready:\n${this.stderr.join('')}`);
      const status = await fetch(`${this.base}/readyz`).then((r) => r.status).catch(() => null);
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`ServerProcess: not ready after ${readyTimeoutMs} ms:\n${this.stderr.join('')}`);
      // Polling /readyz is the signal; the pause only spaces out the probes.
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already acknowledged. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM and wait for the exit (graceful). */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
