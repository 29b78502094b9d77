import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { messageActivity, startTestServer } from './helpers/testBot.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
interface Reply {
  type: string;
  text?: string;
  suggestedActions?: { actions: Array<{ title: string }> };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { activities?: Reply[]; error?: string; message?: string }) : {} };
}

const replyTexts = (activities: Reply[] | undefined) => (activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '');

describe('anonymous server (no app id)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  test('the README curl gets the triage answer in the response body (expectReplies)', async () => {
    const res = await post(server.url, {
      type: 'message', id: '1', text: 'my DVR stopped recording', from: { id: 'u1' }, recipient: { id: 'bot' },
      conversation: { id: 'c1' }, channelId: 'webchat', serviceUrl: 'http://localhost:3978', deliveryMode: 'expectReplies',
    });
    expect(res.status).toBe(200);
    const texts = replyTexts(res.body.activities).join('\n');
    expect(texts).toMatch(/covered by our support/i);
    expect(texts).toMatch(/record/i);
    const buttons = res.body.activities?.flatMap((a) => a.suggestedActions?.actions.map((x) => x.title) ?? []);
    expect(buttons).toContain('Yes, fixed');
  });

  test('state carries over between HTTP turns of one conversation', async () => {
    await post(server.url, messageActivity('no picture on channel 2 of my dvr, video loss', 'c-state'));
    const second = await post(server.url, messageActivity('no', 'c-state'));
    expect(replyTexts(second.body.activities).join('\n')).toMatch(/open a ticket/i);
  });

  test('an out-of-scope question cites the policy clause', async () => {
    const res = await post(server.url, messageActivity('how do I set up port forwarding on my netgear router, its the router menu i dont understand', 'c-oos'));
    expect(res.status).toBe(200);
    expect(replyTexts(res.body.activities).join('\n')).toMatch(/other manufacturers/i);
  });

  test('malformed JSON is a 400, not a crash', async () => {
    const res = await post(server.url, '{"type": "message", ');
    expect(res.status).toBe(400);
  });

  test('an empty object is a 400 naming the missing fields', async () => {
    const res = await post(server.url, {});
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_activity');
    expect(res.body.message).toMatch(/type/);
    expect(res.body.message).toMatch(/conversation/);
  });

  test('a JSON array, a missing conversation id and an oversized text are 400s with a reason', async () => {
    expect((await post(server.url, [1, 2])).status).toBe(400);
    const noConversation = await post(server.url, { ...messageActivity('hi', 'x'), conversation: {} });
    expect(noConversation.status).toBe(400);
    expect(noConversation.body.message).toMatch(/conversation\.id/);
    const huge = await post(server.url, messageActivity('a'.repeat(10_001), 'x'));
    expect(huge.status).toBe(400);
    expect(huge.body.message).toMatch(/text/);
  });

  test('a non-JSON content type is refused with 415', async () => {
    const res = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
  });

  test('without an app id, replies cannot be sent to a foreign serviceUrl', async () => {
    const res = await post(server.url, { ...messageActivity('hi', 'x'), deliveryMode: undefined, serviceUrl: 'https://attacker.example.com' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/serviceUrl/);
  });

  test('healthz and readyz answer, and the server survived all of the above', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { knowledge: true, store: true } });
  });

  test('a conversationUpdate welcomes the new member', async () => {
    const res = await post(server.url, {
      type: 'conversationUpdate', from: { id: 'u9' }, recipient: { id: 'bot' }, conversation: { id: 'c-welcome' }, channelId: 'webchat',
      serviceUrl: 'http://localhost:3978', deliveryMode: 'expectReplies', membersAdded: [{ id: 'u9' }],
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body.activities)).toMatch(/support assistant/i);
  });
});

test('readyz is 503 while a store or the knowledge is not ready, and messages wait', async () => {
  const server = await startTestServer({ ready: false, readiness: { checks: async () => ({ knowledge: false, store: true }) } });
  try {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, checks: { knowledge: false } });
    expect((await post(server.url, messageActivity('hi', 'c'))).status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  } finally {
    await server.close();
  }
});

test('with an app id configured, a request without a Bot Framework token is a 401', async () => {
  const server = await startTestServer({ appId: '00000000-0000-0000-0000-000000000001' });
  try {
    const res = await post(server.url, messageActivity('my dvr is not recording', 'c-auth'));
    expect(res.status).toBe(401);
    const forged = await post(server.url, messageActivity('my dvr is not recording', 'c-auth'), { authorization: 'Bearer not.a.jwt' });
    expect(forged.status).toBe(401);
  } finally {
    await server.close();
  }
});
