import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { pgUrl, postgresAvailable } from './helpers/postgres.js';
import { ServerProcess } from './helpers/serverProcess.js';

/**
 * Issue 9's proof: two real instances on one PostgreSQL database, on two ports, with no sticky
 * sessions — each step below switches instance request by request, as a round-robin load balancer would.
 */

const available = await postgresAvailable('the two-instance scale-out test');
const ROOT = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

const database = `scale_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const databaseUrl = (() => {
  const url = new URL(pgUrl);
  url.pathname = `/${database}`;
  return url.toString();
})();

let a: ServerProcess;
let b: ServerProcess;
let staffToken: string;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const env = {
  STORE: 'postgres',
  DATABASE_URL: databaseUrl,
  DIRECT_LINE_TOKEN_SECRET: 'scale-out-test-secret-0123456789abcdef',
  STAFFED_HOURS: '24x7',
  // Both instances see every request from 127.0.0.1: limits far above what the test sends.
  RATE_REQUESTS_PER_MINUTE: '100000',
  RATE_TOKENS_PER_MINUTE: '10000',
  RATE_CONVERSATIONS_PER_MINUTE: '10000',
  RATE_MESSAGES_PER_MINUTE: '10000',
};

beforeAll(async () => {
  if (!available) return;
  await admin(`CREATE DATABASE ${database}`);
  // Started one after the other: the second finds the schema migrated (and would wait on the lock if not).
  [a, b] = await Promise.all([ServerProcess.start(env), ServerProcess.start(env)]);
  // A staff token created while both run, straight into the shared database.
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/staff.ts', 'create-token', '--name', 'dana'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
  });
  staffToken = stdout.trim();
}, 300_000);

afterAll(async () => {
  if (!available) return;
  await Promise.all([a?.stop(), b?.stop()]);
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
}, 60_000);

interface Activity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; role?: string };
}

async function call(base: string, method: string, route: string, options: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

async function widgetConversation(tokenFrom: ServerProcess, startOn: ServerProcess) {
  const issued = await call(tokenFrom.base, 'POST', '/api/webchat/token');
  expect(issued.status).toBe(200);
  const started = await call(startOn.base, 'POST', '/v3/directline/conversations', { token: issued.body.token as string });
  expect(started.status).toBe(201);
  return { id: started.body.conversationId as string, token: started.body.token as string, streamUrl: started.body.streamUrl as string };
}

function say(on: ServerProcess, conversation: { id: string; token: string }, text: string) {
  return call(on.base, 'POST', `/v3/directline/conversations/${conversation.id}/activities`, {
    token: conversation.token,
    body: { type: 'message', text, from: { id: 'ignored' } },
  });
}

async function feed(on: ServerProcess, conversation: { id: string; token: string }): Promise<Activity[]> {
  const res = await call(on.base, 'GET', `/v3/directline/conversations/${conversation.id}/activities?watermark=`, { token: conversation.token });
  expect(res.status).toBe(200);
  return res.body.activities as Activity[];
}

/** The stream on `on`, collecting activities until `done` says so. */
function streamUntil(on: ServerProcess, conversation: { id: string; streamUrl: string }, done: (seen: Activity[]) => boolean) {
  const url = new URL(conversation.streamUrl);
  url.host = `127.0.0.1:${on.port}`;
  const socket = new WebSocket(url.toString());
  const seen: Activity[] = [];
  const finished = new Promise<Activity[]>((resolve, reject) => {
    socket.on('message', (data: WebSocket.Data) => {
      const text = data.toString();
      if (!text) return;
      seen.push(...((JSON.parse(text) as { activities: Activity[] }).activities ?? []));
      if (done(seen)) {
        socket.close();
        resolve(seen);
      }
    });
    socket.on('error', reject);
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { opened, finished, close: () => socket.close() };
}

/** The console's live stream on `on`, until an event matching `wanted` arrives. */
async function consoleEvent(on: ServerProcess, wanted: (event: { type: string; handoff?: { id: string; status: string } }) => boolean) {
  const controller = new AbortController();
  const res = await fetch(`${on.base}/api/handoffs/events`, { headers: { authorization: `Bearer ${staffToken}` }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const next = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const event = JSON.parse(data.slice(6)) as { type: string; handoff?: { id: string; status: string } };
        if (wanted(event)) {
          controller.abort();
          return event;
        }
      }
    }
  })();
  return { event: next };
}

const botReplies = (activities: Activity[]) => activities.filter((x) => x.type === 'message' && x.from.role === 'bot');

describe.skipIf(!available)('two instances on one PostgreSQL, request by request', () => {
  test('a widget conversation: token from A, posted on B, streamed on A', async () => {
    const conversation = await widgetConversation(a, b);
    // Done when the customer's message and a bot reply after it have come through A's stream.
    const answered = (seen: Activity[]) => {
      const asked = seen.findIndex((x) => x.text === 'my DVR stopped recording');
      return asked >= 0 && botReplies(seen.slice(asked + 1)).length > 0;
    };
    const stream = streamUntil(a, conversation, answered);
    await stream.opened;
    expect((await say(b, conversation, 'my DVR stopped recording')).status).toBe(200);
    const seen = await stream.finished;
    const reply = botReplies(seen.slice(seen.findIndex((x) => x.text === 'my DVR stopped recording') + 1))[0];
    expect(reply?.text ?? JSON.stringify(reply)).toMatch(/hard drive|HDD|record/i);
  }, 60_000);

  test('"talk to a person" on both at once: exactly one open handoff; its accept on B is seen live on A', async () => {
    const conversation = await widgetConversation(a, a);
    const [onA, onB] = await Promise.all([say(a, conversation, 'I want to talk to a person'), say(b, conversation, 'I want to talk to a person')]);
    expect([onA.status, onB.status]).toEqual([200, 200]);
    const listed = await call(b.base, 'GET', '/api/handoffs?status=waiting', { token: staffToken });
    const mine = (listed.body.items as Array<{ id: string; conversationKey: string }>).filter((h) => h.conversationKey.endsWith(conversation.id));
    expect(mine).toHaveLength(1);

    const live = await consoleEvent(a, (e) => e.type === 'accepted' && e.handoff?.id === mine[0]!.id);
    expect((await call(b.base, 'POST', `/api/handoffs/${mine[0]!.id}/accept`, { token: staffToken })).status).toBe(200);
    expect((await live.event).handoff?.status).toBe('active');

    // A ticket made from it on A is listed on B.
    const ticket = await call(a.base, 'POST', `/api/handoffs/${mine[0]!.id}/ticket`, { token: staffToken });
    expect(ticket.status).toBe(201);
    const ticketId = (ticket.body.ticket as { id: string }).id;
    const listedOnB = await call(b.base, 'GET', '/api/tickets', { token: staffToken });
    const items = (Array.isArray(listedOnB.body) ? listedOnB.body : (listedOnB.body.items ?? listedOnB.body.tickets)) as Array<{ id: string }>;
    expect(items.map((t) => t.id)).toContain(ticketId);
  }, 60_000);

  test('kill -9 of A mid-conversation: the conversation finishes on B and nothing acknowledged is lost', async () => {
    const conversation = await widgetConversation(a, a);
    expect((await say(a, conversation, 'I want to open a ticket')).status).toBe(200);
    const before = await feed(a, conversation);
    const acknowledged = before.map((x) => x.id);
    await a.kill9();
    // The ticket dialog asked its first question on A; B answers the rest from the shared state.
    expect((await say(b, conversation, 'my NVR reboots every hour')).status).toBe(200);
    const after = await feed(b, conversation);
    expect(after.map((x) => x.id)).toEqual(expect.arrayContaining(acknowledged));
    const last = botReplies(after).at(-1);
    expect(last?.text ?? '').not.toMatch(/something went wrong/i);
    expect(botReplies(after).length).toBeGreaterThan(botReplies(before).length);
    await a.restart();
  }, 180_000);
});
