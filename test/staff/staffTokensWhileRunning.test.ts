import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HandoffService } from '../../src/domain/handoff/HandoffService.js';
import { StaffedHours } from '../../src/domain/handoff/StaffedHours.js';
import { AuditLog } from '../../src/domain/staff/AuditLog.js';
import { TicketService } from '../../src/domain/tickets/TicketService.js';
import { StaffTokens } from '../../src/domain/staff/StaffTokens.js';
import { createApp } from '../../src/http/app.js';
import { staffApiPlugin } from '../../src/http/staffApi.js';
import { listen } from '../../src/server.js';
import { AdminSocket, adminSocketPath, sendAdminCommand } from '../../src/staffAdmin/adminSocket.js';
import { staffCli } from '../../src/staffAdmin/staffCli.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { documentStores, openStores, postgresStores, type SupportStores } from '../../src/storage/SupportStores.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';
import { runCli } from '../helpers/runCli.js';
import { relaxedLimits, silentLogger } from '../helpers/testBot.js';

const available = await postgresAvailable('staff tokens created while the bot runs on PostgreSQL');

/** The CLI in this process: its exit code and what it printed. */
async function staff(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await staffCli(argv, env, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** The running bot as far as staff tokens go: the staff API on `stores`, wired as composeSupportDesk does, on a port. */
async function runningServer(stores: SupportStores) {
  const now = () => new Date();
  const deliveries = stores.outbox({ send: async () => undefined });
  const tickets = new TicketService(stores.tickets, deliveries, now);
  const handoffs = new HandoffService(stores.handoffs, tickets, deliveries, new StaffedHours('24x7', 'UTC'), now, { averageMinutes: 6 }, stores.events);
  const staffTokens = new StaffTokens(stores.staffTokens, now);
  const audit = new AuditLog(stores.audit, now);
  const app = createApp({
    logger: silentLogger,
    readiness: { checks: async () => ({ store: true }) },
    limits: relaxedLimits(),
    plugins: [staffApiPlugin({ tokens: staffTokens, audit, tickets, handoffs, logger: silentLogger })],
  });
  const port = await listen(app, 0, '127.0.0.1');
  const me = async (token: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  return { staffTokens, audit, me, close: () => new Promise<void>((resolve) => app.close(() => resolve())) };
}

describe('embedded store: the CLI talks to the running server over DATA_DIR/admin.sock', () => {
  let dataDir: string;
  let stores: SupportStores;
  let server: Awaited<ReturnType<typeof runningServer>>;
  let admin: AdminSocket | null;
  const env = () => ({ DATA_DIR: dataDir, STORE: 'lowdb', DATABASE_URL: '' });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'staff-admin-'));
    // As main.ts: the store holds DATA_DIR's lock, the admin socket is opened next to it.
    stores = await openStores({ store: { kind: 'lowdb' }, dataDir });
    server = await runningServer(stores);
    admin = await AdminSocket.listen(dataDir, { tokens: server.staffTokens, audit: server.audit }, silentLogger);
  });
  afterAll(async () => {
    await admin?.close();
    await server?.close();
    await stores?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a token created by the CLI is accepted by the running staff API at once; revoked, it is refused at once; both audited', async () => {
    expect(admin).not.toBeNull();
    expect((await stat(path.join(dataDir, 'admin.sock'))).mode & 0o777).toBe(0o600);

    const created = await staff(env(), 'create-token', '--name', 'dana');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^cst_[A-Za-z0-9_-]{43}\n$/);
    const token = created.stdout.trim();
    expect(await server.me(token)).toEqual({ status: 200, body: { name: 'dana' } });

    const listed = await staff(env(), 'list-tokens');
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(token);
    expect(JSON.parse(listed.stdout.trim())).toMatchObject({ name: 'dana' });

    expect(await staff(env(), 'revoke-token', '--name=dana')).toEqual({ code: 0, stdout: `${JSON.stringify({ name: 'dana', revoked: 1 })}\n`, stderr: '' });
    expect((await server.me(token)).status).toBe(401);
    const again = await staff(env(), 'revoke-token', '--name', 'dana');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('staff revoke-token: no live token named "dana"\n');

    const audit = await new AuditLog(stores.audit).recent(10);
    expect(audit.map((e) => [e.actor, e.action, e.target, e.detail?.via])).toEqual([
      ['cli', 'token.revoke', 'dana', 'admin-socket'],
      ['cli', 'token.create', 'dana', 'admin-socket'],
    ]);
  });

  test('from another process (npm run staff) while this one holds DATA_DIR', async () => {
    const created = await runCli('staff.ts', ['create-token', '--name', 'lee'], { env: env() });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(await server.me(created.stdout.trim())).toEqual({ status: 200, body: { name: 'lee' } });
  });

  test('the socket answers only its protocol: one line of JSON, zod-checked', async () => {
    const socketPath = adminSocketPath(dataDir) ?? '';
    const raw = (line: string) =>
      new Promise<unknown>((resolve, reject) => {
        const socket = net.createConnection(socketPath, () => socket.end(line));
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('end', () => resolve(JSON.parse(text)));
        socket.on('error', reject);
      });
    expect(await raw('hello\n')).toEqual({ ok: false, code: 'bad_request', error: 'not JSON' });
    expect(await raw(`${JSON.stringify({ v: 1, command: { command: 'drop-tables' } })}\n`)).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await raw(`${JSON.stringify({ v: 1, command: { command: 'create-token', name: 'x y' } })}\n`)).toMatchObject({ ok: false, code: 'bad_request', error: expect.stringMatching(/name/) });
    expect(await raw(`${JSON.stringify({ v: 2, command: { command: 'list-tokens' } })}\n`)).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await raw(`${'x'.repeat(5_000)}\n`)).toEqual({ ok: false, code: 'bad_request', error: 'request longer than 4096 bytes' });
    expect(await sendAdminCommand(socketPath, { command: 'list-tokens' })).toMatchObject({ ok: true, result: { kind: 'tokens' } });
  });
});

describe('embedded store: without a server that answers', () => {
  test('a DATA_DIR locked by a process without the admin socket: the CLI says so and exits 1', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'staff-admin-'));
    const store = await LowdbDocumentStore.open(dataDir);
    try {
      const result = await staff({ DATA_DIR: dataDir, STORE: 'lowdb', DATABASE_URL: '' }, 'list-tokens');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/is in use by another process .*admin socket .*admin\.sock does not answer \(ENOENT\).*Stop it to run this command\.\n$/);
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('a socket file left by a killed server is replaced; anything else at that path is left alone', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'staff-admin-'));
    try {
      const stores = documentStores(await LowdbDocumentStore.open(dataDir));
      const deps = { tokens: new StaffTokens(stores.staffTokens), audit: new AuditLog(stores.audit) };
      // A killed server's socket: a process bound it, then died without removing it.
      const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('up'))", path.join(dataDir, 'admin.sock')], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      expect((await stat(path.join(dataDir, 'admin.sock'))).isSocket()).toBe(true);
      const admin = await AdminSocket.listen(dataDir, deps);
      expect(await sendAdminCommand(admin?.path ?? '', { command: 'list-tokens' })).toEqual({ ok: true, result: { kind: 'tokens', tokens: [] } });
      await admin?.close();
      await expect(stat(path.join(dataDir, 'admin.sock'))).rejects.toThrow(/ENOENT/);

      await writeFile(path.join(dataDir, 'admin.sock'), 'not a socket');
      await expect(AdminSocket.listen(dataDir, deps)).rejects.toThrow(/exists and is not a socket/);
      await stores.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!available)('PostgreSQL: the CLI writes to the database while the bot runs', () => {
  test('a token created by the CLI works at once on the running server, and a revoked one stops at once', async () => {
    const schema = freshSchema();
    const stores = await postgresStores(await PgDatabase.open(pgUrl, { schema }));
    const server = await runningServer(stores);
    // The CLI's own connection, to the same schema (as DATABASE_URL would name a database).
    const env = {
      STORE: 'postgres',
      DATABASE_URL: `${pgUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      DIRECT_LINE_TOKEN_SECRET: 'x'.repeat(40),
    };
    try {
      const created = await staff(env, 'create-token', '--name', 'dana');
      expect(created).toMatchObject({ code: 0, stderr: '' });
      const token = created.stdout.trim();
      expect(await server.me(token)).toEqual({ status: 200, body: { name: 'dana' } });
      expect(await staff(env, 'revoke-token', '--name', 'dana')).toMatchObject({ code: 0, stdout: '{"name":"dana","revoked":1}\n' });
      expect((await server.me(token)).status).toBe(401);
      // In the server's audit log (the audit_log table), not somewhere only the CLI reads.
      const audit = await new AuditLog(stores.audit).recent(10);
      expect(audit.map((e) => [e.actor, e.action, e.target])).toEqual([
        ['cli', 'token.revoke', 'dana'],
        ['cli', 'token.create', 'dana'],
      ]);
    } finally {
      await server.close();
      await stores.close();
    }
  });
});
