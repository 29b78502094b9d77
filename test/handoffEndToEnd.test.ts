import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApp } from '../src/http/app.js';
import { staffApiPlugin } from '../src/http/staffApi.js';
import { listen } from '../src/server.js';
import { relaxedLimits, silentLogger, testDesk } from './helpers/testBot.js';

/**
 * The whole handoff as deployed: the customer talks over /api/messages, an agent over the staff
 * API; agent messages reach the customer's channel (a fake connector) as proactive messages.
 */
let botUrl = '';
let connectorUrl = '';
let token = '';
const delivered: string[] = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const connector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const activity = JSON.parse(body || '{}') as { text?: string };
      if (activity.text) delivered.push(activity.text);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"x"}');
    });
  });
  await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
  connectorUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}`;
  closers.push(() => new Promise((r) => connector.close(() => r())));

  const now = () => new Date();
  const desk = await testDesk(now);
  token = await desk.staffTokens.create('dana');
  const app = createApp({
    logger: silentLogger,
    readiness: { checks: async () => ({ ok: true }) },
    limits: relaxedLimits(),
    plugins: [desk.botFramework, staffApiPlugin(desk.staffApi)],
  });
  botUrl = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  closers.push(() => new Promise((r) => app.close(() => r())));
});

afterAll(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

interface Reply {
  type: string;
  text?: string;
  summary?: string;
  attachments?: Array<{ contentType: string; content?: unknown }>;
}

/** The bot's messages of one customer turn (expectReplies: they come back in the response). */
async function customerTurn(text: string): Promise<Reply[]> {
  const res = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', id: `m${Date.now()}`, text, from: { id: 'cust-1', name: 'Dana Customer' }, recipient: { id: 'bot' }, conversation: { id: 'e2e-1' }, channelId: 'webchat', serviceUrl: connectorUrl, deliveryMode: 'expectReplies' }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { activities?: Reply[] };
  return (body.activities ?? []).filter((a) => a.type === 'message');
}

async function customerSays(text: string): Promise<string[]> {
  return (await customerTurn(text)).map((a) => a.text ?? '');
}

/** Every "title: value" fact of the replies' cards (Adaptive Card FactSets, wherever they sit in the card). */
function cardFacts(replies: Reply[]): string[] {
  const facts: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const element = node as { type?: unknown; facts?: unknown };
      if (element.type === 'FactSet' && Array.isArray(element.facts)) {
        for (const f of element.facts as Array<{ title?: unknown; value?: unknown }>) facts.push(`${String(f.title)}: ${String(f.value)}`);
      }
      Object.values(node).forEach(visit);
    }
  };
  visit(replies.flatMap((r) => r.attachments ?? []).map((a) => a.content));
  return facts;
}

async function staff(method: string, path: string, body?: unknown) {
  const res = await fetch(`${botUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items?: Array<Record<string, unknown>> } };
}

/** Proactive messages arrive after the staff call returns: wait for them (and fail if they never come). */
const waitFor = (check: () => boolean) => expect.poll(check, { timeout: 10_000 }).toBe(true);

test('customer over /api/messages, agent over the staff API: relayed both ways, then back to the bot', async () => {
  expect((await customerSays('my dvr stopped recording, hdd error on screen')).join('\n')).toMatch(/covered by our support/);
  expect((await customerSays('talk to a person')).join('\n')).toMatch(/number 1 in the queue/);

  const queue = await staff('GET', '/api/handoffs?status=waiting');
  const handoff = queue.body.items?.[0] as { id: string; triage: { scope: string }; transcript: Array<{ text: string }> };
  expect(handoff.triage.scope).toBe('in_scope');
  expect(handoff.transcript.map((l) => l.text)).toContain('my dvr stopped recording, hdd error on screen');

  expect((await staff('POST', `/api/handoffs/${handoff.id}/accept`)).status).toBe(200);
  await waitFor(() => delivered.some((t) => /dana.*joined/i.test(t)));
  expect(delivered.join('\n')).toMatch(/dana from our support team has joined/i);

  expect(await customerSays('the disk light blinks red')).toEqual([]); // the bot stays silent
  expect((await staff('POST', `/api/handoffs/${handoff.id}/messages`, { text: 'Please reseat the SATA cable.' })).status).toBe(201);
  await waitFor(() => delivered.includes('Please reseat the SATA cable.'));
  expect(delivered).toContain('Please reseat the SATA cable.');
  const during = await staff('GET', `/api/handoffs/${handoff.id}`);
  expect((during.body.transcript as Array<{ from: string; text: string }>).map((l) => `${l.from}: ${l.text}`)).toEqual(
    expect.arrayContaining(['customer: the disk light blinks red', 'agent: Please reseat the SATA cable.']),
  );

  const ticket = await staff('POST', `/api/handoffs/${handoff.id}/ticket`);
  expect(ticket.status).toBe(201);
  expect((await staff('POST', `/api/handoffs/${handoff.id}/close`, { note: 'Ticket opened for a replacement disk.' })).status).toBe(200);
  await waitFor(() => delivered.some((t) => /back with the support bot/.test(t)));

  expect((await customerSays('no video on channel 2, black screen')).join('\n')).toMatch(/covered by our support/);
  // Answered first: with "Did that fix it?" open, a number in the next message ("T-000001") is taken as choice 1.
  expect((await customerSays('Yes, fixed')).join('\n')).toMatch(/glad it's working again/);

  const ticketId = (ticket.body.ticket as { id: string }).id;
  expect((await staff('PATCH', `/api/tickets/${ticketId}`, { status: 'resolved' })).status).toBe(200);
  await waitFor(() => delivered.some((t) => t.includes(`${ticketId}: the status is now resolved`)));
  expect(delivered.join('\n')).toContain(`Update on your ticket ${ticketId}: the status is now resolved`);
  // The ticket opened from the handoff is the customer's own: asked for it, the bot shows it with
  // the status the agent set (as a card on Web Chat, so the facts are in the attachment, not in text).
  const status = await customerTurn(`status of ${ticketId}`);
  expect(status[0]?.summary).toBe(`Ticket ${ticketId}`);
  expect(cardFacts(status)).toEqual(expect.arrayContaining(['Status: resolved', 'Summary: my dvr stopped recording, hdd error on screen']));
});
