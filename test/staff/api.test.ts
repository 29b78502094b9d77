import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { conversationKeyOf } from '../../src/domain/delivery/CustomerDeliveries.js';
import { InMemoryCustomerDeliveries } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import { HandoffService } from '../../src/domain/handoff/HandoffService.js';
import { StaffedHours } from '../../src/domain/handoff/StaffedHours.js';
import { DeliveryError } from '../../src/domain/ports/CustomerMessenger.js';
import { AuditLog } from '../../src/domain/staff/AuditLog.js';
import { StaffTokens } from '../../src/domain/staff/StaffTokens.js';
import type { Ticket } from '../../src/domain/tickets/Ticket.js';
import { TicketService } from '../../src/domain/tickets/TicketService.js';
import { createApp } from '../../src/http/app.js';
import { staffApiPlugin } from '../../src/http/staffApi.js';
import type { StaffApiDeps } from '../../src/http/staffApi.js';
import { listen } from '../../src/server.js';
import { DocumentAuditStore } from '../../src/storage/DocumentAuditStore.js';
import { DocumentHandoffStore } from '../../src/storage/DocumentHandoffStore.js';
import { DocumentStaffTokenStore } from '../../src/storage/DocumentStaffTokenStore.js';
import { DocumentTicketStore } from '../../src/storage/DocumentTicketStore.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { relaxedLimits, silentLogger } from '../helpers/testBot.js';

/** A clock that moves one second per reading: stable order, no dependence on today. */
function steppingClock(start = '2026-03-02T10:00:00Z') {
  let t = new Date(start).getTime();
  return () => new Date((t += 1000));
}

interface Api {
  url: string;
  token: string;
  revokedToken: string;
  tokens: StaffTokens;
  audit: AuditLog;
  tickets: TicketService;
  handoffs: HandoffService;
  sent: Array<{ address: unknown; text: string }>;
  /** What ticket customers were told (the messages naming a ticket). */
  notified: Array<{ id: string; message: string }>;
  /** Conversation keys whose channel refuses every message (403). */
  refusing: Set<string>;
  /** The outbox: `await api.deliveries.idle()` before reading `sent`, `notified` or a delivery's outcome. */
  deliveries: InMemoryCustomerDeliveries;
  /** Live SSE subscriptions (to check that a closed stream unsubscribes). */
  live: () => number;
  close: () => Promise<void>;
}

async function startStaffApi(): Promise<Api> {
  const store = new MemoryDocumentStore();
  const clock = steppingClock();
  const sent: Api['sent'] = [];
  const notified: Api['notified'] = [];
  const refusing = new Set<string>();
  const deliveries = new InMemoryCustomerDeliveries({
    send: async (address, text) => {
      if (refusing.has(conversationKeyOf(address))) throw new DeliveryError('channel refused: 403', true);
      sent.push({ address, text });
      const ticketId = /^Update on your ticket (T-\d+)/.exec(text)?.[1];
      if (ticketId) notified.push({ id: ticketId, message: text });
    },
  });
  const tickets = new TicketService(new DocumentTicketStore(store), deliveries, clock);
  const handoffs = new HandoffService(
    new DocumentHandoffStore(store),
    tickets,
    deliveries,
    new StaffedHours('24x7'),
    clock,
    { averageMinutes: 5 },
  );
  const tokens = new StaffTokens(new DocumentStaffTokenStore(store), clock);
  const audit = new AuditLog(new DocumentAuditStore(store), clock);
  let live = 0;
  const counted: StaffApiDeps['handoffs'] = {
    list: (s) => handoffs.list(s),
    get: (id) => handoffs.get(id),
    position: (id) => handoffs.position(id),
    accept: (id, agent) => handoffs.accept(id, agent),
    agentMessage: (id, agent, text) => handoffs.agentMessage(id, agent, text),
    close: (id, agent, note) => handoffs.close(id, agent, note),
    toTicket: (id, agent) => handoffs.toTicket(id, agent),
    subscribe: (listener, id) => {
      live += 1;
      const unsubscribe = handoffs.subscribe(listener, id);
      return () => {
        live -= 1;
        unsubscribe();
      };
    },
  };
  const app = createApp({
    logger: silentLogger,
    readiness: { checks: async () => ({ store: true }) },
    limits: relaxedLimits(),
    plugins: [staffApiPlugin({ tokens, audit, tickets, handoffs: counted, logger: silentLogger, heartbeatMs: 100 })],
  });
  const port = await listen(app, 0, '127.0.0.1');
  const token = await tokens.create('dana');
  const revokedToken = await tokens.create('former');
  await tokens.revoke('former');
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    revokedToken,
    tokens,
    audit,
    tickets,
    handoffs,
    sent,
    notified,
    refusing,
    deliveries,
    live: () => live,
    close: () => new Promise<void>((resolve) => app.close(() => resolve())),
  };
}

/** A response body of many shapes (tickets, pages, handoffs, errors), read field by field by the assertions. */
type JsonBody = Record<string, any>;

let api: Api;

async function call(method: string, path: string, options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? api.token : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${api.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as JsonBody };
}

async function seedTickets(): Promise<Ticket[]> {
  const opened: Ticket[] = [];
  for (let i = 1; i <= 25; i += 1) {
    opened.push(
      await api.tickets.open(
        {
          customer: { channelId: 'webchat', userId: `u${i}`, name: i === 7 ? 'Mira Lindqvist' : `Customer ${i}` },
          summary: i % 5 === 0 ? `NVR ${i} does not boot` : `Camera ${i} offline at night`,
          product: { serial: `SN-${1000 + i}` },
          address: { channelId: 'webchat', conversation: { id: `ticket-conv-${i}` } },
        },
        'bot',
      ),
    );
  }
  for (const t of opened.slice(0, 4)) await api.tickets.update(t.id, { status: 'in_progress', assignee: 'lee' }, 'staff:lee');
  await api.deliveries.idle();
  return opened;
}

function requestHandoff(n: number) {
  return api.handoffs.request({
    reason: 'asked',
    customer: { channelId: 'webchat', userId: `hu${n}`, name: `Waiting ${n}` },
    conversationKey: `webchat/conv-${n}`,
    address: { conversation: { id: `conv-${n}` } },
    summary: `help ${n}`,
    transcript: [{ at: '2026-03-02T09:59:00.000Z', from: 'customer', text: `I want a person (${n})` }],
  });
}

/** Reads an SSE response as text, event by event, until a predicate holds. */
async function openStream(path: string) {
  const controller = new AbortController();
  const res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${api.token}` }, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events = () =>
    buffer
      .split('\n\n')
      .filter((block) => block.startsWith('event: '))
      .map((block) => {
        const [eventLine = '', dataLine = ''] = block.split('\n');
        return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) as Record<string, unknown> };
      });
  const until = async (done: (text: string) => boolean, timeoutMs = 3000) => {
    const deadline = Date.now() + timeoutMs;
    while (!done(buffer)) {
      if (Date.now() > deadline) throw new Error(`stream: timed out; got ${JSON.stringify(buffer)}`);
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(1, deadline - Date.now())));
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === 'timeout') continue;
      if (chunk.done) throw new Error(`stream: ended early; got ${JSON.stringify(buffer)}`);
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    res,
    until,
    events,
    close: async () => {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}

beforeAll(async () => {
  api = await startStaffApi();
});
afterAll(async () => api.close());

describe('authentication', () => {
  const routes: Array<[string, string, unknown?]> = [
    ['GET', '/api/me'],
    ['GET', '/api/tickets'],
    ['GET', '/api/tickets/T-000001'],
    ['PATCH', '/api/tickets/T-000001', { status: 'closed' }],
    ['POST', '/api/tickets/T-000001/comments', { text: 'x', public: false }],
    ['GET', '/api/handoffs'],
    ['GET', '/api/handoffs/H-000001'],
    ['GET', '/api/handoffs/events'],
    ['GET', '/api/handoffs/H-000001/events'],
    ['POST', '/api/handoffs/H-000001/accept'],
    ['POST', '/api/handoffs/H-000001/messages', { text: 'hi' }],
    ['POST', '/api/handoffs/H-000001/close', {}],
    ['POST', '/api/handoffs/H-000001/ticket'],
  ];

  test('every route refuses a missing token with 401 and a reason', async () => {
    for (const [method, path, body] of routes) {
      const res = await call(method, path, { body, token: null });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toEqual({ error: 'unauthorized', message: expect.stringMatching(/Authorization: Bearer/) });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  test('a wrong, a malformed and a revoked token are 401 too', async () => {
    const wrong = `cst_${'A'.repeat(43)}`;
    for (const [method, path, body] of routes) {
      for (const token of [wrong, api.revokedToken, 'not-a-token']) {
        const res = await call(method, path, { body, token });
        expect(res.status, `${method} ${path} with ${token.slice(0, 8)}`).toBe(401);
        expect(res.body.message).toMatch(/unknown or revoked/);
      }
    }
    expect((await call('GET', '/api/me', { token: null, headers: { authorization: `Basic ${api.token}` } })).status).toBe(401);
  });

  test('a good token names its owner; revoking it locks the owner out at once', async () => {
    expect(await call('GET', '/api/me')).toMatchObject({ status: 200, body: { name: 'dana' } });
    const temp = await api.tokens.create('temp.user');
    expect((await call('GET', '/api/me', { token: temp })).body).toEqual({ name: 'temp.user' });
    await api.tokens.revoke('temp.user');
    expect((await call('GET', '/api/me', { token: temp })).status).toBe(401);
  });

  test('the bot routes are unchanged: /healthz needs no token', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });
});

describe('tickets', () => {
  let seeded: Ticket[];
  beforeAll(async () => {
    seeded = await seedTickets();
  });

  test('list: newest first, a page at a time; nextCursor leads on until the last page', async () => {
    const first = await call('GET', '/api/tickets?limit=10');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ limit: 10, nextCursor: expect.any(String) });
    expect(first.body.items.map((t: Ticket) => t.id)).toEqual(Array.from({ length: 10 }, (_, i) => `T-0000${25 - i}`));
    const second = await call('GET', `/api/tickets?limit=10&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items[0].id).toBe('T-000015');
    const third = await call('GET', `/api/tickets?limit=10&cursor=${encodeURIComponent(second.body.nextCursor)}`);
    expect(third.body.items.map((t: Ticket) => t.id)).toEqual(['T-000005', 'T-000004', 'T-000003', 'T-000002', 'T-000001']);
    expect(third.body.nextCursor).toBeNull();
    // 50 by default: all 25 on one page.
    expect((await call('GET', '/api/tickets')).body).toMatchObject({ limit: 50, nextCursor: null, items: expect.any(Array) });
    expect((await call('GET', '/api/tickets?limit=200')).body.items).toHaveLength(25);
  });

  test('list: filters by status, assignee and text, together too', async () => {
    const ids = async (query: string) => (await call('GET', `/api/tickets?${query}`)).body.items.map((t: Ticket) => t.id);
    expect(await ids('status=in_progress')).toHaveLength(4);
    expect(await ids('assignee=LEE')).toHaveLength(4);
    expect(await ids('assignee=nobody')).toEqual([]);
    expect(await ids(`text=${encodeURIComponent('does not boot')}`)).toEqual(['T-000025', 'T-000020', 'T-000015', 'T-000010', 'T-000005']);
    expect(await ids('text=lindqvist')).toEqual(['T-000007']);
    expect(await ids('text=SN-1003&status=in_progress&assignee=lee')).toHaveLength(1);
    expect(await ids('status=&text=&cursor=')).toHaveLength(25);
  });

  test('list: a bad filter is a 400 naming the parameter; page numbers are refused with the way to page now', async () => {
    const status = await call('GET', '/api/tickets?status=done');
    expect(status.status).toBe(400);
    expect(status.body).toEqual({ error: 'bad_request', message: expect.stringMatching(/^query: status/) });
    for (const q of ['limit=0', 'limit=abc', 'limit=201', 'limit=1.5', 'cursor=abc', `cursor=${'x'.repeat(101)}`]) {
      const res = await call('GET', `/api/tickets?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.message, q).toMatch(new RegExp(`^query: ${q.split('=')[0]}`));
    }
    for (const q of ['page=2', 'pageSize=10']) {
      const res = await call('GET', `/api/tickets?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.message, q).toMatch(/nextCursor/);
    }
  });

  test('get: by id; unknown is 404; a malformed id is 400', async () => {
    const one = await call('GET', '/api/tickets/T-000007');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: 'T-000007', customer: { name: 'Mira Lindqvist' } });
    const missing = await call('GET', '/api/tickets/T-999999');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('not_found');
    const bad = await call('GET', '/api/tickets/drop-table');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^id: not a ticket id/);
  });

  test('patch: changes status, priority and assignee, records who did it, tells the customer', async () => {
    const target = seeded[9]!;
    const res = await call('PATCH', `/api/tickets/${target.id}`, { body: { status: 'waiting_customer', priority: 'high', assignee: 'dana' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: target.id, status: 'waiting_customer', priority: 'high', assignee: 'dana' });
    const changes = (res.body as Ticket).history.filter((h) => h.by === 'staff:dana').map((h) => h.what);
    expect(changes).toEqual(['status', 'priority', 'assignee']);
    await api.deliveries.idle();
    expect(api.notified.at(-1)).toMatchObject({ id: target.id, message: expect.stringMatching(/waiting for information/) });
    const unassigned = await call('PATCH', `/api/tickets/${target.id}`, { body: { assignee: null } });
    expect(unassigned.body.assignee).toBeUndefined();
  });

  test('patch: bad input is a 400 with the reason, and nothing changes', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ status: 'done' }, /status/],
      [{ priority: 7 }, /priority/],
      [{}, /at least one of status, priority, assignee/],
      [{ status: 'closed', owner: 'x' }, /owner/],
      [[1, 2], /expected object/],
    ];
    for (const [body, reason] of cases) {
      const res = await call('PATCH', '/api/tickets/T-000011', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe('bad_request');
      expect(res.body.message, JSON.stringify(body)).toMatch(reason);
    }
    const noBody = await call('PATCH', '/api/tickets/T-000011');
    expect(noBody.status).toBe(400);
    expect((await api.tickets.get('T-000011'))?.status).toBe('open');
    expect((await call('PATCH', '/api/tickets/T-999999', { body: { status: 'closed' } })).status).toBe(404);
  });

  test('comments: public ones reach the customer, internal ones do not; 201 with the ticket', async () => {
    const before = api.notified.length;
    const internal = await call('POST', '/api/tickets/T-000012/comments', { body: { text: 'checked the logs', public: false } });
    expect(internal.status).toBe(201);
    expect(internal.body.comments).toEqual([{ at: expect.any(String), by: 'staff:dana', text: 'checked the logs', public: false }]);
    await api.deliveries.idle();
    expect(api.notified.length).toBe(before);
    const pub = await call('POST', '/api/tickets/T-000012/comments', { body: { text: 'A replacement is on its way.', public: true } });
    expect(pub.status).toBe(201);
    expect(pub.body.comments).toHaveLength(2);
    await api.deliveries.idle();
    expect(api.notified.at(-1)?.message).toMatch(/replacement is on its way/);
    const bad = await call('POST', '/api/tickets/T-000012/comments', { body: { text: '  ' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/text/);
    expect(bad.body.message).toMatch(/public/);
    expect((await call('POST', '/api/tickets/T-999999/comments', { body: { text: 'x', public: false } })).status).toBe(404);
  });
});

describe('handoffs', () => {
  test('the queue lists waiting customers with their place; a bad status is 400', async () => {
    await requestHandoff(1);
    await requestHandoff(2);
    await requestHandoff(3);
    const waiting = await call('GET', '/api/handoffs?status=waiting');
    expect(waiting.status).toBe(200);
    expect(waiting.body.items.map((h: { id: string; position: number }) => [h.id, h.position])).toEqual([
      ['H-000001', 1],
      ['H-000002', 2],
      ['H-000003', 3],
    ]);
    expect(waiting.body.items[0]).toMatchObject({ customer: { name: 'Waiting 1' }, summary: 'help 1', transcript: [{ from: 'customer' }] });
    expect((await call('GET', '/api/handoffs?status=active')).body.items).toEqual([]);
    const bad = await call('GET', '/api/handoffs?status=open');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^query: status/);
    expect((await call('GET', '/api/handoffs/H-000002')).body).toMatchObject({ id: 'H-000002', position: 2 });
    expect((await call('GET', '/api/handoffs/H-000099')).status).toBe(404);
    expect((await call('GET', '/api/handoffs/42')).status).toBe(400);
  });

  test('accept, chat, close, ticket: the whole lifecycle, with 409 on a wrong state and 404 on an unknown id', async () => {
    const early = await call('POST', '/api/handoffs/H-000001/messages', { body: { text: 'hello?' } });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: 'conflict', message: expect.stringMatching(/not active/) });

    const accepted = await call('POST', '/api/handoffs/H-000001/accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ id: 'H-000001', status: 'active', agent: 'dana' });
    await api.deliveries.idle();
    expect(api.sent.some((m) => /dana from our support team has joined/.test(m.text))).toBe(true);
    expect((await call('POST', '/api/handoffs/H-000001/accept')).status).toBe(409);
    expect((await call('GET', '/api/handoffs/H-000002')).body.position).toBe(1);

    const message = await call('POST', '/api/handoffs/H-000001/messages', { body: { text: 'Hi, I am Dana. Let us look at the camera.' } });
    expect(message.status).toBe(201);
    expect(message.body.transcript.at(-1)).toMatchObject({ from: 'agent', text: 'Hi, I am Dana. Let us look at the camera.', delivery: { state: 'pending' } });
    await api.deliveries.idle();
    expect(api.sent.at(-1)).toEqual({ address: { conversation: { id: 'conv-1' } }, text: 'Hi, I am Dana. Let us look at the camera.' });
    const empty = await call('POST', '/api/handoffs/H-000001/messages', { body: { text: '' } });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/^body: text/);

    const ticket = await call('POST', '/api/handoffs/H-000001/ticket');
    expect(ticket.status).toBe(201);
    expect(ticket.body.handoff).toMatchObject({ id: 'H-000001', ticketId: ticket.body.ticket.id });
    expect(ticket.body.ticket).toMatchObject({ summary: 'help 1', customer: { userId: 'hu1' }, history: [{ by: 'staff:dana', what: 'created' }] });
    expect((await call('POST', '/api/handoffs/H-000001/ticket')).status).toBe(409);

    const closed = await call('POST', '/api/handoffs/H-000001/close', { body: { note: 'Firmware update fixed it.' } });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed' });
    await api.deliveries.idle();
    expect(api.sent.at(-1)?.text).toMatch(/back with the support bot.*Firmware update fixed it/);
    expect((await call('POST', '/api/handoffs/H-000001/close', { body: {} })).status).toBe(409);
    expect((await call('POST', '/api/handoffs/H-000001/messages', { body: { text: 'still there?' } })).status).toBe(409);

    // A waiting handoff can be closed without accepting it; a body is optional.
    expect((await call('POST', '/api/handoffs/H-000003/close')).body.status).toBe('closed');
    expect((await call('POST', '/api/handoffs/H-000003/close', { body: { note: 5 } })).status).toBe(400);
    for (const action of ['accept', 'close', 'ticket']) {
      const res = await call('POST', `/api/handoffs/H-000077/${action}`);
      expect(res.status, action).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
    expect((await call('POST', '/api/handoffs/H-000077/messages', { body: { text: 'x' } })).status).toBe(404);
  });

  test('the live stream of one handoff: a snapshot, then a message event after POST messages; closing it unsubscribes', async () => {
    await call('POST', '/api/handoffs/H-000002/accept');
    const before = api.live();
    const stream = await openStream('/api/handoffs/H-000002/events');
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await stream.until((t) => t.includes('event: snapshot'));
      expect(api.live()).toBe(before + 1);
      expect((await call('POST', '/api/handoffs/H-000002/messages', { body: { text: 'On my way' } })).status).toBe(201);
      await stream.until((t) => t.includes('event: message'));
      const message = stream.events().find((e) => e.event === 'message');
      expect(message?.data).toMatchObject({ type: 'message', handoffId: 'H-000002', line: { from: 'agent', text: 'On my way', delivery: { state: 'pending' } } });
      // Once sent, the line's delivery is confirmed on the stream.
      await api.deliveries.idle();
      await stream.until((t) => t.includes('event: delivered'));
      const deliveryId = (message?.data.line as { delivery?: { id?: string } } | undefined)?.delivery?.id;
      expect(stream.events().find((e) => e.event === 'delivered')?.data).toEqual({ type: 'delivered', handoffId: 'H-000002', deliveryId });
      expect(stream.events()[0]).toMatchObject({ event: 'snapshot', data: { handoff: { id: 'H-000002', status: 'active' } } });
      // The customer's side is relayed too, and other handoffs' events are not on this stream.
      await api.handoffs.customerMessage('webchat/conv-2', 'thanks');
      await requestHandoff(4);
      await stream.until((t) => t.includes('"thanks"'));
      await stream.until((t) => t.includes(': heartbeat'));
      expect(stream.events().map((e) => e.event)).toEqual(['snapshot', 'message', 'delivered', 'message']);
    } finally {
      await stream.close();
    }
    await expect.poll(() => api.live(), { timeout: 2000 }).toBe(before);
  });

  test('the queue stream carries every handoff event; an unknown handoff stream is 404', async () => {
    const stream = await openStream('/api/handoffs/events');
    try {
      await stream.until((t) => t.includes('event: snapshot'));
      expect(stream.events()[0]?.data.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'H-000004', position: 1 })]));
      await requestHandoff(5);
      await call('POST', '/api/handoffs/H-000004/accept');
      await stream.until((t) => t.includes('event: accepted'));
      expect(stream.events().map((e) => e.event)).toEqual(['snapshot', 'queued', 'accepted']);
      expect(stream.events()[1]?.data).toMatchObject({ handoff: { id: 'H-000005' }, position: 2 });
    } finally {
      await stream.close();
    }
    const missing = await call('GET', '/api/handoffs/H-000099/events');
    expect(missing.status).toBe(404);
  });

  test('a customer whose channel refuses: accept and message answer at once; then the handoff JSON says unreachable, the line "failed", and the stream says delivery_failed', async () => {
    const queued = await requestHandoff(6);
    if (queued.kind !== 'queued') throw new Error(`expected queued, got ${queued.kind}`);
    const id = queued.handoff.id;
    api.refusing.add('undefined/conv-6');
    const stream = await openStream(`/api/handoffs/${id}/events`);
    try {
      await stream.until((t) => t.includes('event: snapshot'));
      const accepted = await call('POST', `/api/handoffs/${id}/accept`);
      expect(accepted.status).toBe(200);
      expect(accepted.body.unreachable).toBeUndefined();
      const message = await call('POST', `/api/handoffs/${id}/messages`, { body: { text: 'Can you hear me?' } });
      expect(message.status).toBe(201);
      expect(message.body.transcript.at(-1)).toMatchObject({ text: 'Can you hear me?', delivery: { state: 'pending' } });

      await api.deliveries.idle();
      const reason = 'channel refused: 403';
      const after = await call('GET', `/api/handoffs/${id}`);
      expect(after.body.unreachable).toEqual({ at: expect.any(String), reason });
      expect(after.body.transcript.at(-1)).toMatchObject({ text: 'Can you hear me?', delivery: { state: 'failed', reason } });
      const active = await call('GET', '/api/handoffs?status=active');
      expect(active.body.items.find((h: { id: string }) => h.id === id)?.unreachable).toEqual({ at: expect.any(String), reason });

      await stream.until((t) => (t.match(/event: delivery_failed/g) ?? []).length >= 2);
      const failed = stream.events().filter((e) => e.event === 'delivery_failed');
      expect(failed.map((e) => e.data)).toEqual([
        { type: 'delivery_failed', handoffId: id, deliveryId: expect.any(String), reason, at: expect.any(String) },
        { type: 'delivery_failed', handoffId: id, deliveryId: after.body.transcript.at(-1).delivery.id, reason, at: expect.any(String) },
      ]);
      expect(api.sent.some((m) => m.text === 'Can you hear me?')).toBe(false);
    } finally {
      await stream.close();
    }
  });

  test('a ticket whose customer cannot be told: a public comment answers 201, then the ticket JSON is flagged unreachable with a history entry', async () => {
    const ticket = await api.tickets.open(
      { customer: { channelId: 'webchat', userId: 'u-gone', name: 'Gone Customer' }, summary: 'Camera offline', address: { channelId: 'webchat', conversation: { id: 'conv-gone' } } },
      'bot',
    );
    api.refusing.add('webchat/conv-gone');
    const res = await call('POST', `/api/tickets/${ticket.id}/comments`, { body: { text: 'A technician calls you tomorrow.', public: true } });
    expect(res.status).toBe(201);
    expect(res.body.unreachable).toBeUndefined();
    await api.deliveries.idle();
    const after = await call('GET', `/api/tickets/${ticket.id}`);
    expect(after.body.unreachable).toEqual({ at: expect.any(String), reason: 'channel refused: 403' });
    expect(after.body.history.at(-1)).toMatchObject({ by: 'bot', what: 'notification_failed', to: 'channel refused: 403' });
  });
});

test('every staff change is in the audit log with the staff name; reads are not', async () => {
  const entries = await api.audit.recent(100);
  expect(entries.every((e) => e.actor === 'staff:dana')).toBe(true);
  const actions = entries.map((e) => `${e.action} ${e.target}`).reverse();
  expect(actions).toEqual(
    expect.arrayContaining([
      'ticket.update T-000010',
      'ticket.comment T-000012',
      'handoff.accept H-000001',
      'handoff.message H-000001',
      'handoff.ticket H-000001',
      'handoff.close H-000001',
      'handoff.close H-000003',
      'handoff.message H-000002',
    ]),
  );
  expect(actions.some((a) => a.startsWith('ticket.list') || a.startsWith('ticket.get'))).toBe(false);
  expect(entries.find((e) => e.action === 'ticket.update')?.detail).toMatchObject({ assignee: null });
  expect(entries.find((e) => e.action === 'handoff.close' && e.target === 'H-000001')?.detail).toEqual({ note: 'Firmware update fixed it.' });
  // Refused calls (400, 404, 409) are not recorded as changes.
  expect(entries.filter((e) => e.action === 'handoff.accept' && e.target === 'H-000001')).toHaveLength(1);
});
