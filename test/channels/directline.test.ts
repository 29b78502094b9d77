import { afterAll, beforeAll, expect, test } from 'vitest';
import { startWidgetApp } from './widgetApp.js';

/** The self-hosted Direct Line 3.0 endpoint over real HTTP, as Web Chat's polling client uses it. */
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
  return { id: started.body.conversationId as string, token: started.body.token as string, userId: generated.body.userId as string };
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

test('an expired token gets 403, as Web Chat expects', async () => {
  const shortLived = await startWidgetApp({ tokenLifetimeSeconds: 1 });
  try {
    const generated = (await (await fetch(`${shortLived.base}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string };
    await new Promise((r) => setTimeout(r, 2100));
    const res = await fetch(`${shortLived.base}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${generated.token}` } });
    expect(res.status).toBe(403);
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
