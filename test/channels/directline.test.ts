import http from 'node:http';
import restify from 'restify';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import WebSocket from 'ws';
import { InMemoryConversationFeeds } from '../../src/channels/directline/ConversationFeeds.js';
import { DirectLineTokens } from '../../src/channels/directline/DirectLineTokens.js';
import { attachDirectLineStream } from '../../src/channels/directline/stream.js';
import { listen } from '../../src/server.js';
import { silentLogger } from '../helpers/testBot.js';
import { startWidgetApp } from './widgetApp.js';

/** The self-hosted Direct Line 3.0 endpoint over real HTTP and its WebSocket stream, as Web Chat's client uses them. */
let app: Awaited<ReturnType<typeof startWidgetApp>>;

beforeAll(async () => {
  app = await startWidgetApp();
});
afterAll(async () => {
  await app.close();
});

interface FeedActivity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; role?: string };
  replyToId?: string;
  channelData?: { clientActivityID?: string };
  suggestedActions?: { actions: Array<{ title: string; value: unknown }> };
}

async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${app.base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** What the demo page does: a token for a new conversation, then start it. */
async function startConversation() {
  const generated = await call('POST', '/v3/directline/tokens/generate');
  expect(generated.status).toBe(200);
  const started = await call('POST', '/v3/directline/conversations', generated.body.token as string);
  expect(started.status).toBe(201);
  expect(started.body).toMatchObject({ conversationId: generated.body.conversationId, expires_in: 1800 });
  return {
    id: started.body.conversationId as string,
    token: started.body.token as string,
    userId: generated.body.userId as string,
    streamUrl: started.body.streamUrl as string,
  };
}

interface ActivitySet {
  activities: FeedActivity[];
  watermark: string;
}

/** A WebSocket client on a streamUrl that keeps every frame; `next` waits for frames until `check` holds. */
async function openStream(url: string) {
  const ws = new WebSocket(url);
  const frames: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(String(data));
    for (const wake of [...waiters]) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  const sets = () => frames.filter((f) => f !== '').map((f) => JSON.parse(f) as ActivitySet);
  const activities = () => sets().flatMap((set) => set.activities);
  const until = (check: (all: FeedActivity[]) => boolean, timeoutMs = 10_000) =>
    new Promise<FeedActivity[]>((resolve, reject) => {
      const wake = () => {
        if (!check(activities())) return;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(activities());
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`stream: timed out; got ${JSON.stringify(activities().map((a) => a.text ?? a.type))}`));
      }, timeoutMs);
      waiters.add(wake);
      wake();
    });
  const close = () =>
    new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.close();
    });
  return { ws, frames, sets, activities, until, close };
}

/** The HTTP status an upgrade to `url` is refused with (0 if it was accepted). */
function refusal(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? -1);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      ws.terminate();
      resolve(0);
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

async function poll(conversation: { id: string; token: string }, watermark?: string) {
  const res = await call('GET', `/v3/directline/conversations/${conversation.id}/activities${watermark ? `?watermark=${watermark}` : ''}`, conversation.token);
  expect(res.status).toBe(200);
  return res.body as { activities: FeedActivity[]; watermark: string };
}

async function say(conversation: { id: string; token: string }, text: string, clientActivityID = `c${Math.random()}`) {
  const res = await call('POST', `/v3/directline/conversations/${conversation.id}/activities`, conversation.token, {
    type: 'message',
    text,
    from: { id: 'someone-else', name: 'Visitor', role: 'user' },
    channelData: { clientActivityID },
    locale: 'en-US',
  });
  expect(res.status).toBe(200);
  return res.body.id as string;
}

const botMessages = (activities: FeedActivity[]) => activities.filter((a) => a.type === 'message' && a.from.role === 'bot');

async function waitForFeed(conversation: { id: string; token: string }, check: (all: FeedActivity[]) => boolean): Promise<FeedActivity[]> {
  let all: FeedActivity[] = [];
  for (let i = 0; i < 100; i += 1) {
    all = (await poll(conversation)).activities;
    if (check(all)) return all;
    await new Promise((r) => setTimeout(r, 50));
  }
  return all;
}

test('the bot welcomes the visitor when the conversation starts', async () => {
  const conversation = await startConversation();
  const feed = await poll(conversation);
  expect(botMessages(feed.activities).length).toBeGreaterThan(0);
  expect(Number(feed.watermark)).toBeGreaterThan(0);
});

test('the user activity is echoed with an id and its clientActivityID, then the triage answer follows', async () => {
  const conversation = await startConversation();
  const before = await poll(conversation);
  const id = await say(conversation, 'my dvr stopped recording, hdd error on screen', 'client-42');
  expect(id).toMatch(new RegExp(`^${conversation.id}\\|\\d+$`));

  const after = await poll(conversation, before.watermark);
  const echo = after.activities[0];
  expect(echo).toMatchObject({ id, type: 'message', text: 'my dvr stopped recording, hdd error on screen', channelData: { clientActivityID: 'client-42' } });
  // The sender is the token's user, not whatever the client wrote.
  expect(echo?.from).toMatchObject({ id: conversation.userId, role: 'user' });
  const replies = botMessages(after.activities);
  expect(replies.map((a) => a.text).join('\n')).toMatch(/covered by our support/);
  expect(replies.every((a) => a.replyToId === id)).toBe(true);
  expect(Number(after.watermark)).toBeGreaterThan(Number(before.watermark));

  // Polling from the new watermark returns nothing new.
  expect((await poll(conversation, after.watermark)).activities).toEqual([]);
});

test('a token is scoped to its conversation: 403 on another one, 401 without or with a forged token', async () => {
  const a = await startConversation();
  const b = await startConversation();
  expect((await call('GET', `/v3/directline/conversations/${b.id}/activities`, a.token)).status).toBe(403);
  expect((await call('POST', `/v3/directline/conversations/${b.id}/activities`, a.token, { type: 'message', text: 'hi' })).status).toBe(403);
  expect((await call('GET', `/v3/directline/conversations/${a.id}/activities`)).status).toBe(401);
  const [payload, signature] = a.token.split('.') as [string, string];
  const forged = `${Buffer.from(JSON.stringify({ c: b.id, u: a.userId, e: 9_999_999_999 })).toString('base64url')}.${signature}`;
  expect((await call('GET', `/v3/directline/conversations/${b.id}/activities`, forged)).status).toBe(401);
  expect(payload.length).toBeGreaterThan(0);
});

test('refresh keeps the conversation; bad bodies and unknown conversations get reasons', async () => {
  const conversation = await startConversation();
  const refreshed = await call('POST', '/v3/directline/tokens/refresh', conversation.token);
  expect(refreshed.status).toBe(200);
  expect(refreshed.body.conversationId).toBe(conversation.id);
  expect((await poll({ id: conversation.id, token: refreshed.body.token as string })).activities.length).toBeGreaterThan(0);

  const bad = await call('POST', `/v3/directline/conversations/${conversation.id}/activities`, conversation.token, { type: 'message', text: 7 });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toMatch(/text/);
  const badWatermark = await call('GET', `/v3/directline/conversations/${conversation.id}/activities?watermark=abc`, conversation.token);
  expect(badWatermark.status).toBe(400);

  // A validly signed token for a conversation that was never started.
  const generated = await call('POST', '/v3/directline/tokens/generate');
  const notStarted = await call('GET', `/v3/directline/conversations/${generated.body.conversationId as string}/activities`, generated.body.token as string);
  expect(notStarted.status).toBe(404);
});

test('an expired token gets 403, as Web Chat expects; so does an expired stream token', async () => {
  const shortLived = await startWidgetApp({ tokenLifetimeSeconds: 1 });
  try {
    const generate = async () => (await (await fetch(`${shortLived.base}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    const generated = await generate();
    const started = (await (await fetch(`${shortLived.base}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${(await generate()).token}` } })).json()) as {
      streamUrl: string;
    };
    await new Promise((r) => setTimeout(r, 2100));
    const res = await fetch(`${shortLived.base}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${generated.token}` } });
    expect(res.status).toBe(403);
    expect(await refusal(started.streamUrl)).toBe(403);
  } finally {
    await shortLived.close();
  }
});

test('proactive messages (an agent joining and writing during a handoff) appear in the feed', async () => {
  const conversation = await startConversation();
  await say(conversation, 'my dvr stopped recording, hdd error on screen');
  await say(conversation, 'talk to a person');
  const staff = (method: string, path: string, body?: unknown) => call(method, path, app.staffToken, body);
  const queue = await staff('GET', '/api/handoffs?status=waiting');
  const handoff = (queue.body.items as Array<{ id: string; conversation?: unknown }>).at(-1) as { id: string };
  expect((await staff('POST', `/api/handoffs/${handoff.id}/accept`)).status).toBe(200);
  expect((await staff('POST', `/api/handoffs/${handoff.id}/messages`, { text: 'Please reseat the SATA cable.' })).status).toBe(201);

  const feed = await waitForFeed(conversation, (all) => botMessages(all).some((a) => a.text === 'Please reseat the SATA cable.'));
  const texts = botMessages(feed).map((a) => a.text ?? '');
  expect(texts.join('\n')).toMatch(/dana from our support team has joined/i);
  expect(texts).toContain('Please reseat the SATA cable.');
});

test('the connector accepts activities for known conversations only', async () => {
  const res = await call('POST', '/directline-connector/v3/conversations/unknownconversation1/activities', undefined, { type: 'message', text: 'x' });
  expect(res.status).toBe(404);
});

test('POST /conversations returns a streamUrl on the request\'s host, with a conversation-scoped stream token', async () => {
  const conversation = await startConversation();
  const url = new URL(conversation.streamUrl);
  expect(`${url.protocol}//${url.host}`).toBe(app.base.replace('http:', 'ws:'));
  expect(url.pathname).toBe(`/v3/directline/conversations/${conversation.id}/stream`);
  const t = url.searchParams.get('t') ?? '';
  expect(t).not.toBe('');
  // The stream token is no Bearer token, and the Bearer token is no stream token.
  expect((await call('GET', `/v3/directline/conversations/${conversation.id}/activities`, t)).status).toBe(401);
  const withBearer = new URL(conversation.streamUrl);
  withBearer.searchParams.set('t', conversation.token);
  expect(await refusal(withBearer.toString())).toBe(403);

  // Behind a proxy: the host the client used, and wss when the proxy terminated TLS.
  // (fetch cannot set Host.)
  const reconnect = await new Promise<{ streamUrl: string }>((resolve, reject) => {
    const req = http.get(
      `${app.base}/v3/directline/conversations/${conversation.id}?watermark=3`,
      { headers: { authorization: `Bearer ${conversation.token}`, 'x-forwarded-proto': 'https', host: 'support.example.com' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body) as { streamUrl: string }));
      },
    );
    req.on('error', reject);
  });
  expect(reconnect.streamUrl).toMatch(new RegExp(`^wss://support\\.example\\.com/v3/directline/conversations/${conversation.id}/stream\\?watermark=3&t=`));
});

test('the stream delivers the backlog, then the echo (with clientActivityID) and the bot\'s reply to an activity posted over HTTP', async () => {
  const conversation = await startConversation();
  const stream = await openStream(conversation.streamUrl);
  try {
    // The welcome, sent before the socket was open, comes first.
    const welcome = await stream.until((all) => botMessages(all).length > 0);
    const polled = await poll(conversation);
    expect(welcome).toEqual(polled.activities);
    expect(stream.sets().at(-1)?.watermark).toBe(polled.watermark);

    const id = await say(conversation, 'my dvr stopped recording, hdd error on screen', 'client-ws-1');
    const all = await stream.until((acts) => acts.some((a) => a.replyToId === id && /covered by our support/.test(a.text ?? '')));
    const after = all.slice(welcome.length);
    expect(after[0]).toMatchObject({ id, type: 'message', from: { id: conversation.userId, role: 'user' }, channelData: { clientActivityID: 'client-ws-1' } });
    expect(botMessages(after).every((a) => a.replyToId === id)).toBe(true);
    // Every frame has the polling shape, watermarks only grow, and nothing is sent twice.
    const marks = stream.sets().map((set) => Number(set.watermark));
    expect(marks).toEqual([...marks].sort((a, b) => a - b));
    expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
    expect(stream.sets().every((set) => set.activities.length > 0)).toBe(true);
    expect(stream.sets().at(-1)?.watermark).toBe((await poll(conversation)).watermark);
  } finally {
    await stream.close();
  }
});

test('a reconnect (GET the conversation with the watermark) gets a new streamUrl that resumes after it', async () => {
  const conversation = await startConversation();
  await say(conversation, 'my dvr stopped recording');
  const seen = await waitForFeed(conversation, (all) => botMessages(all).length > 1);
  const watermark = (await poll(conversation)).watermark;
  const reconnect = await call('GET', `/v3/directline/conversations/${conversation.id}?watermark=${watermark}`, conversation.token);
  expect(reconnect.status).toBe(200);
  const streamUrl = reconnect.body.streamUrl as string;
  expect(new URL(streamUrl).searchParams.get('watermark')).toBe(watermark);
  const stream = await openStream(streamUrl);
  try {
    await new Promise((r) => setTimeout(r, 150));
    // Nothing new: nothing sent.
    expect(stream.frames).toEqual([]);
    const id = await say(conversation, 'talk to a person');
    const fresh = await stream.until((all) => botMessages(all).length > 0);
    expect(fresh[0]?.id).toBe(id);
    expect(fresh.some((a) => seen.some((old) => old.id === a.id))).toBe(false);
  } finally {
    await stream.close();
  }
});

test('the stream refuses (403, before upgrading) a token for another conversation, a forged or missing one', async () => {
  const a = await startConversation();
  const b = await startConversation();
  const aToken = new URL(a.streamUrl).searchParams.get('t') ?? '';
  const onB = new URL(b.streamUrl);
  onB.searchParams.set('t', aToken);
  expect(await refusal(onB.toString())).toBe(403);
  onB.searchParams.set('t', `${aToken.slice(0, -2)}xx`);
  expect(await refusal(onB.toString())).toBe(403);
  onB.searchParams.delete('t');
  expect(await refusal(onB.toString())).toBe(403);
  // Unknown paths and conversations are 404s.
  expect(await refusal(`${app.base.replace('http:', 'ws:')}/v3/directline/conversations/${a.id}/nope`)).toBe(404);
  // And the right token still works.
  const ok = await openStream(b.streamUrl);
  await ok.close();
});

test('the stream pings as a heartbeat, drops a client that stops answering, and unsubscribes on close', async () => {
  const feeds = new InMemoryConversationFeeds();
  const tokens = new DirectLineTokens('stream-test-secret-stream-test-secret');
  const unsubscribed = vi.fn();
  const subscribe = feeds.subscribe.bind(feeds);
  vi.spyOn(feeds, 'subscribe').mockImplementation((id, listener) => {
    const off = subscribe(id, listener);
    return () => (unsubscribed(), off());
  });
  const server = restify.createServer();
  attachDirectLineStream(server, { tokens, feeds, logger: silentLogger, heartbeatMs: 50 });
  const port = await listen(server, 0, '127.0.0.1');
  try {
    const id = DirectLineTokens.newConversationId();
    await feeds.open(id);
    const url = `ws://127.0.0.1:${port}/v3/directline/conversations/${id}/stream?t=${tokens.issueStream(id, DirectLineTokens.newUserId())}`;
    const stream = await openStream(url);
    let pings = 0;
    stream.ws.on('ping', () => (pings += 1));
    await new Promise((r) => setTimeout(r, 200));
    expect(pings).toBeGreaterThan(1);
    // An empty conversation: nothing but pings.
    expect(stream.frames).toEqual([]);
    await feeds.append(id, { type: 'message', text: 'hello' });
    expect((await stream.until((all) => all.length === 1))[0]).toMatchObject({ type: 'message', text: 'hello', id: `${id}|0000001` });
    expect(stream.sets()).toEqual([{ activities: [expect.objectContaining({ text: 'hello' })], watermark: '1' }]);
    await stream.close();
    await vi.waitFor(() => expect(unsubscribed).toHaveBeenCalledTimes(1));

    // A client that never answers pings (its socket paused) is terminated and unsubscribed.
    const silent = await openStream(url);
    (silent.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await vi.waitFor(() => expect(unsubscribed).toHaveBeenCalledTimes(2), { timeout: 2000 });
    silent.ws.terminate();
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
