import { chmod, lstat, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuditLog } from '../domain/staff/AuditLog.js';
import type { StaffTokens } from '../domain/staff/StaffTokens.js';
import { describeZodError } from '../knowledge/jsonl.js';
import { NoLiveTokenError, runStaffCommand, StaffCommandResultSchema, StaffCommandSchema, type StaffCommand } from './staffCommands.js';

/**
 * The running server's local admin channel, for the staff CLI while the embedded store's DATA_DIR
 * is locked by the server: a Unix domain socket `DATA_DIR/admin.sock`, mode 0600. No network
 * client can reach it; a local process can connect only with write access to the socket file, i.e.
 * as the user that runs the server (proof = file-system access to DATA_DIR, as for the store
 * itself). One request per connection: a line of JSON in, a line of JSON out, both zod-checked.
 */
export const ADMIN_SOCKET_FILE = 'admin.sock';
/** A request is one short line; anything longer is not one of ours. */
const MAX_REQUEST_BYTES = 4_096;
/** A connection that sends nothing useful for this long is dropped. */
const IDLE_MS = 5_000;
/** sockaddr_un holds 108 bytes on Linux, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 107;

export const AdminRequestSchema = z.strictObject({ v: z.literal(1), command: StaffCommandSchema });
export type AdminRequest = z.infer<typeof AdminRequestSchema>;

export const AdminResponseSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), result: StaffCommandResultSchema }),
  z.strictObject({ ok: z.literal(false), code: z.enum(['bad_request', 'not_found', 'failed']), error: z.string() }),
]);
export type AdminResponse = z.infer<typeof AdminResponseSchema>;

export interface AdminSocketDeps {
  tokens: Pick<StaffTokens, 'create' | 'revoke' | 'list' | 'setDisplayName'>;
  audit: Pick<AuditLog, 'record'>;
}

/** `DATA_DIR/admin.sock`, as a path short enough to bind or connect to (relative to the working directory if need be); null if neither fits. */
export function adminSocketPath(dataDir: string): string | null {
  const absolute = path.resolve(dataDir, ADMIN_SOCKET_FILE);
  if (Buffer.byteLength(absolute) <= MAX_SOCKET_PATH_BYTES) return absolute;
  const relative = path.relative(process.cwd(), absolute);
  return Buffer.byteLength(relative) <= MAX_SOCKET_PATH_BYTES ? relative : null;
}

/** The server side. Start it only while holding DATA_DIR's lock: a socket file found there is a dead server's, and is replaced. */
export class AdminSocket {
  private readonly connections = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly path: string,
  ) {
    server.on('connection', (socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  /** Listens on DATA_DIR/admin.sock; null (and a warning) when the path is too long for a socket. */
  static async listen(dataDir: string, deps: AdminSocketDeps, logger?: Logger): Promise<AdminSocket | null> {
    const socketPath = adminSocketPath(dataDir);
    if (!socketPath) {
      logger?.warn({ dataDir }, 'admin socket: DATA_DIR is too deep for a Unix socket path; stop the bot to run the staff CLI');
      return null;
    }
    await removeStaleSocket(socketPath);
    // Half-open: a client may end its side right after the request and still read the answer.
    const server = net.createServer({ allowHalfOpen: true }, (socket) => serve(socket, deps, logger));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Created with no access for group and others (the bind happens inside listen(), synchronously);
      // chmod below says the same for a process where umask cannot be changed (a worker thread).
      const previous = trySetUmask(0o177);
      try {
        server.listen(socketPath, () => {
          server.off('error', reject);
          resolve();
        });
      } finally {
        if (previous !== null) trySetUmask(previous);
      }
    });
    await chmod(socketPath, 0o600);
    logger?.info({ socket: socketPath }, 'admin socket: listening (staff CLI while the bot runs)');
    return new AdminSocket(server, socketPath);
  }

  /** Stops listening, lets answers being written finish (or drops them after a second), and removes the socket file. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const timer = setTimeout(() => {
      for (const socket of this.connections) socket.destroy();
    }, 1_000);
    timer.unref();
    await closed;
    clearTimeout(timer);
    await rm(this.path, { force: true });
  }
}

/** The socket is there but nothing answers it (no server, or one without the admin socket). */
export class AdminSocketUnavailableError extends Error {
  constructor(
    readonly socketPath: string,
    cause: unknown,
  ) {
    super(`admin socket ${socketPath} does not answer (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, { cause });
    this.name = 'AdminSocketUnavailableError';
  }
}

/** The client side: one command to the running server, its answer checked against the protocol. */
export function sendAdminCommand(socketPath: string, command: StaffCommand, timeoutMs = 10_000): Promise<AdminResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const chunks: Buffer[] = [];
    let size = 0;
    let connected = false;
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    socket.on('connect', () => {
      connected = true;
      const request: AdminRequest = { v: 1, command };
      socket.end(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_000_000) socket.destroy(new Error('answer too long'));
      else chunks.push(chunk);
    });
    socket.on('error', (err) => reject(connected ? new Error(`admin socket ${socketPath}: ${err.message}`) : new AdminSocketUnavailableError(socketPath, err)));
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        reject(new Error(`admin socket ${socketPath}: the answer is not JSON`));
        return;
      }
      const parsed = AdminResponseSchema.safeParse(json);
      if (parsed.success) resolve(parsed.data);
      else reject(new Error(`admin socket ${socketPath}: unexpected answer (${describeZodError(parsed.error)})`));
    });
  });
}

/** One connection: read one line, run it, answer, close. */
function serve(socket: net.Socket, deps: AdminSocketDeps, logger?: Logger): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let answered = false;
  /** The request line is complete: anything after it is ignored. */
  let complete = false;
  const run = () => {
    complete = true;
    void handle(Buffer.concat(chunks).toString('utf8'), deps, logger).then(answer);
  };
  const answer = (response: AdminResponse) => {
    if (answered) return;
    answered = true;
    socket.end(`${JSON.stringify(response)}\n`);
  };
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    if (answered || complete) return;
    const newline = chunk.indexOf(0x0a);
    const part = newline < 0 ? chunk : chunk.subarray(0, newline);
    size += part.length;
    if (size > MAX_REQUEST_BYTES) {
      answer({ ok: false, code: 'bad_request', error: `request longer than ${MAX_REQUEST_BYTES} bytes` });
      return;
    }
    chunks.push(part);
    if (newline >= 0) run();
  });
  socket.on('end', () => {
    // A client that ended without a newline still gets its one request read.
    if (answered || complete) return;
    if (size > 0) run();
    else answer({ ok: false, code: 'bad_request', error: 'empty request' });
  });
}

async function handle(line: string, deps: AdminSocketDeps, logger?: Logger): Promise<AdminResponse> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, code: 'bad_request', error: 'not JSON' };
  }
  const parsed = AdminRequestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, code: 'bad_request', error: describeZodError(parsed.error) };
  const { command } = parsed.data;
  try {
    const result = await runStaffCommand(command, deps, { via: 'admin-socket' });
    // Never the token itself.
    logger?.info({ command: command.command, ...('name' in command ? { name: command.name } : {}) }, 'admin socket: staff command');
    return { ok: true, result };
  } catch (err) {
    if (err instanceof NoLiveTokenError) return { ok: false, code: 'not_found', error: err.message };
    logger?.warn({ command: command.command, err: { message: (err as Error).message } }, 'admin socket: staff command failed');
    return { ok: false, code: 'failed', error: (err as Error).message };
  }
}

/** A socket file left by a server that is gone; anything else at that path is not ours to delete. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  const found = await lstat(socketPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!found) return;
  if (!found.isSocket()) throw new Error(`AdminSocket.listen(): ${socketPath} exists and is not a socket; remove it or move DATA_DIR`);
  await rm(socketPath, { force: true });
}

/** Sets the umask and returns the previous one; null where a process may not change it (worker threads). */
function trySetUmask(mask: number): number | null {
  try {
    return process.umask(mask);
  } catch {
    return null;
  }
}
