import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { isLocalRequest } from '../../src/channels/botframework/BotFrameworkEndpoint.js';
import { isLoopbackUrl } from '../../src/channels/botframework/activitySchema.js';
import { BotCustomerMessenger } from '../../src/bot/BotCustomerMessenger.js';
import { ConversationTransports, UnreachableConversationError } from '../../src/bot/ConversationTransports.js';
import { ClientLimits, DEFAULT_LIMITS } from '../../src/http/ClientLimits.js';
import { messageActivity, startTestServer, testDesk } from '../helpers/testBot.js';
import { startWidgetApp } from '../channels/widgetApp.js';

/**
 * The edge as an attacker meets it (issue 8, findings 3, 4, 5 and 7): who may post activities,
 * where the bot may send, how much one client may take.
 */

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function postActivity(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as { error?: string; message?: string; activities?: Array<{ text?: string }> } };
}

/** A server that records every request: where a bot's proactive POST would land. */
async function listener(host: string) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"id":"x"}');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, hits };
}

describe('/api/messages without an app id is local development only (finding 3)', () => {
  test('a request forwarded by a proxy (X-Forwarded-For or Forwarded) gets 401 with the reason, and no turn runs', async () => {
    const server = await startTestServer();
    closers.push(server.close);
    for (const header of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }] as Array<Record<string, string>>) {
      const res = await postActivity(server.url, messageActivity('what is the status of my ticket T-000001', 'impostor'), header);
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/this machine only/);
      expect(res.body.activities).toBeUndefined();
    }
  });

  test('only a direct loopback peer counts as this machine', () => {
    const req = (remoteAddress: string, headers: Record<string, string> = {}) => ({ headers, socket: { remoteAddress } }) as unknown as http.IncomingMessage;
    expect(isLocalRequest(req('127.0.0.1'))).toBe(true);
    expect(isLocalRequest(req('::1'))).toBe(true);
    expect(isLocalRequest(req('::ffff:127.0.0.1'))).toBe(true);
    expect(isLocalRequest(req('198.51.100.7'))).toBe(false);
    expect(isLocalRequest(req('10.0.0.5'))).toBe(false);
    expect(isLocalRequest(req('127.0.0.1', { 'x-forwarded-for': '198.51.100.7' }))).toBe(false);
  });

  test('the README curl example still works from this machine', async () => {
    const server = await startTestServer();
    closers.push(server.close);
    const res = await postActivity(server.url, messageActivity('my DVR stopped recording', 'curl-example'));
    expect(res.status).toBe(200);
    expect(res.body.activities?.length).toBeGreaterThan(0);
  });

  test('with an app id, an activity without a Bot Framework JWT is refused, from any address', async () => {
    const server = await startTestServer({ appId: '00000000-0000-0000-0000-000000000001' });
    closers.push(server.close);
    const res = await postActivity(server.url, messageActivity('my tickets please', 'no-jwt'));
    expect(res.status).toBe(401);
  });
});

describe('replies go only where a channel proved the conversation lives (finding 4)', () => {
  test.each([
    ['http://127.0.0.2:4199/internal-admin'],
    ['http://0.0.0.0:4199/'],
    ['http://[::ffff:127.0.0.1]:4199/'],
    ['http://2130706434:4199/'],
    ['http://localhost.example.com/'],
    ['http://user@localhost:4199/'],
  ])('anonymous serviceUrl %s is refused, also with expectReplies', async (serviceUrl) => {
    const server = await startTestServer();
    closers.push(server.close);
    const res = await postActivity(server.url, messageActivity('talk to a person', `ssrf-${serviceUrl}`, { serviceUrl }));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/serviceUrl/);
  });

  test('loopback serviceUrls are recognised by parsing, not by matching strings', () => {
    expect(isLoopbackUrl('http://localhost:3978')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:3978/')).toBe(true);
    expect(isLoopbackUrl('http://2130706433/')).toBe(true); // the same address as 127.0.0.1
    expect(isLoopbackUrl('http://127.0.0.2/')).toBe(false);
    expect(isLoopbackUrl('file:///etc/passwd')).toBe(false);
    expect(isLoopbackUrl('not a url')).toBe(false);
  });

  test('a stored address no channel proved is never contacted: the delivery fails as unreachable', async () => {
    const trap = await listener('127.0.0.2');
    const desk = await testDesk();
    const transports = new ConversationTransports();
    transports.add(desk.directLine);
    transports.add(desk.botFramework);
    const messenger = new BotCustomerMessenger(transports);
    const address = { channelId: 'webchat', serviceUrl: `${trap.url}/internal-admin`, conversation: { id: 'c1' }, user: { id: 'u1' }, bot: { id: 'bot' } };
    await expect(messenger.send(address, 'hello')).rejects.toBeInstanceOf(UnreachableConversationError);
    expect(trap.hits).toEqual([]);
  });

  test('with an app id, plain-http serviceUrls other than this machine are not contacted either', async () => {
    const desk = await testDesk(undefined, { appId: '00000000-0000-0000-0000-000000000001' });
    expect(desk.botFramework.reaches({ serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: 'a', isGroup: false, conversationType: '', name: '' } })).toBe(true);
    expect(desk.botFramework.reaches({ serviceUrl: 'http://203.0.113.5/', conversation: { id: 'a', isGroup: false, conversationType: '', name: '' } })).toBe(false);
    expect(desk.botFramework.reaches({ serviceUrl: 'urn:camsupport:directline', conversation: { id: 'a', isGroup: false, conversationType: '', name: '' } })).toBe(false);
  });
});

interface Feed {
  activities: Array<{ type: string; text?: string; from: { role?: string } }>;
}

async function call(base: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

async function startConversation(base: string) {
  const generated = await call(base, 'POST', '/v3/directline/tokens/generate');
  const started = await call(base, 'POST', '/v3/directline/conversations', { token: generated.body.token as string });
  return { status: started.status, id: started.body.conversationId as string, token: started.body.token as string };
}

/** Polls the feed until `done` holds (the bot answers within the request, so this is quick). */
async function feedOf(base: string, conversation: { id: string; token: string }) {
  const res = await call(base, 'GET', `/v3/directline/conversations/${conversation.id}/activities`, { token: conversation.token });
  return res.body as unknown as Feed;
}

describe('the widget with an app id set: one deployment serves the widget, Teams and Slack (finding 7)', () => {
  test('a widget conversation runs in-process under its Direct Line token, and an agent reply lands in its feed', async () => {
    const app = await startWidgetApp({ appId: '00000000-0000-0000-0000-000000000001' });
    closers.push(app.close);
    const conversation = await startConversation(app.base);
    expect(conversation.status).toBe(201);
    expect((await feedOf(app.base, conversation)).activities.some((a) => a.from.role === 'bot' && a.type === 'message')).toBe(true);

    const sent = await call(app.base, 'POST', `/v3/directline/conversations/${conversation.id}/activities`, {
      token: conversation.token,
      body: { type: 'message', text: 'I want to talk to a person', from: { id: 'someone-else' } },
    });
    expect(sent.status).toBe(200);
    const [waiting] = await app.handoffs.list('waiting');
    expect(waiting).toBeDefined();
    await app.handoffs.accept(waiting!.id, 'Dana');
    await app.handoffs.agentMessage(waiting!.id, 'Dana', 'Hi, Dana here. Which recorder is it?');
    await app.desk.deliveries?.idle?.();
    const feed = await feedOf(app.base, conversation);
    expect(feed.activities.map((a) => a.text)).toContain('Hi, Dana here. Which recorder is it?');
    // Bot Framework's endpoint still wants its JWT.
    const anonymous = await postActivity(app.base, messageActivity('hello', 'x'));
    expect(anonymous.status).toBe(401);
  });
});

describe('limits per client (finding 5)', () => {
  const tight = (extra: Partial<typeof DEFAULT_LIMITS> = {}) =>
    new ClientLimits({ ...DEFAULT_LIMITS, tokensPerMinute: 3, conversationsPerMinute: 2, messagesPerMinute: 2, failedAuthPerMinute: 2, ...extra });

  test('tokens past the allowance get 429 with Retry-After; X-Forwarded-For from an untrusted peer changes nothing', async () => {
    const app = await startWidgetApp({ limits: tight() });
    closers.push(app.close);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await call(app.base, 'POST', '/v3/directline/tokens/generate')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const spoofed = await call(app.base, 'POST', '/v3/directline/tokens/generate', { headers: { 'x-forwarded-for': '198.51.100.23' } });
    expect(spoofed.status).toBe(429);
    expect(Number(spoofed.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(spoofed.body.error).toBe('too_many_requests');
  });

  test('behind a trusted proxy, each forwarded client has its own allowance', async () => {
    const app = await startWidgetApp({ limits: tight({ trustedProxies: ['loopback'] }) });
    closers.push(app.close);
    for (let i = 0; i < 3; i += 1) await call(app.base, 'POST', '/v3/directline/tokens/generate', { headers: { 'x-forwarded-for': '198.51.100.1' } });
    expect((await call(app.base, 'POST', '/v3/directline/tokens/generate', { headers: { 'x-forwarded-for': '198.51.100.1' } })).status).toBe(429);
    expect((await call(app.base, 'POST', '/v3/directline/tokens/generate', { headers: { 'x-forwarded-for': '198.51.100.2' } })).status).toBe(200);
  });

  test('a flood of new conversations from one client is cut off at the allowance', async () => {
    const app = await startWidgetApp({ limits: new ClientLimits({ ...DEFAULT_LIMITS, tokensPerMinute: 1000 }) });
    closers.push(app.close);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) statuses.push((await startConversation(app.base)).status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(DEFAULT_LIMITS.conversationsPerMinute);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - DEFAULT_LIMITS.conversationsPerMinute);
  });

  test('messages into one conversation past the allowance get 429, and the bot does not run for them', async () => {
    const app = await startWidgetApp({ limits: tight() });
    closers.push(app.close);
    const conversation = await startConversation(app.base);
    const post = (text: string) => call(app.base, 'POST', `/v3/directline/conversations/${conversation.id}/activities`, { token: conversation.token, body: { type: 'message', text } });
    expect((await post('my DVR stopped recording')).status).toBe(200);
    expect((await post('still not recording')).status).toBe(200);
    const third = await post('hello?');
    expect(third.status).toBe(429);
    const feed = await feedOf(app.base, conversation);
    expect(feed.activities.some((a) => a.text === 'hello?')).toBe(false);
  });

  test('bad staff tokens past the allowance lock the address out, even with a good token', async () => {
    const app = await startWidgetApp({ limits: tight() });
    closers.push(app.close);
    const tickets = (token: string) => call(app.base, 'GET', '/api/tickets', { token });
    expect((await tickets('wrong-1')).status).toBe(401);
    expect((await tickets('wrong-2')).status).toBe(401);
    const locked = await tickets(app.staffToken);
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThanOrEqual(1);
  });
});
