import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { BotCustomerMessenger } from '../../src/bot/BotCustomerMessenger.js';
import { createAdapter } from '../../src/bot/createRuntime.js';
import { silentLogger } from '../helpers/testBot.js';

/** A stand-in for a channel's connector: records what the bot posts to /v3/conversations/…/activities. */
async function fakeConnector() {
  const received: Array<{ url: string; body: { text?: string; conversation?: { id: string } } }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(body || '{}') as { text?: string } });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sent-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

test('a proactive message (ticket update, agent reply) reaches the customer’s conversation through the adapter', async () => {
  const connector = await fakeConnector();
  closers.push(connector.close);
  const messenger = new BotCustomerMessenger(createAdapter({ MicrosoftAppType: 'MultiTenant' }), '', silentLogger);
  const address = { channelId: 'webchat', serviceUrl: connector.url, conversation: { id: 'conv-42' }, user: { id: 'u1' }, bot: { id: 'bot' } };
  await messenger.send(address, 'Update on your ticket T-000001: the status is now resolved.');
  expect(connector.received).toHaveLength(1);
  expect(connector.received[0]?.url).toMatch(/^\/v3\/conversations\/conv-42\/activities/);
  expect(connector.received[0]?.body.text).toBe('Update on your ticket T-000001: the status is now resolved.');
});

test('an unreachable conversation does not fail the staff action that caused the message', async () => {
  const messenger = new BotCustomerMessenger(createAdapter({ MicrosoftAppType: 'MultiTenant' }), '', silentLogger);
  const address = { channelId: 'webchat', serviceUrl: 'http://127.0.0.1:9', conversation: { id: 'gone' }, user: { id: 'u1' }, bot: { id: 'bot' } };
  await expect(messenger.send(address, 'hello?')).resolves.toBeUndefined();
}, 30_000);
