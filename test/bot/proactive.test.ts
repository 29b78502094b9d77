import { afterEach, expect, test } from 'vitest';
import { BotCustomerMessenger } from '../../src/bot/BotCustomerMessenger.js';
import { ConversationTransports } from '../../src/bot/ConversationTransports.js';
import { createAdapter } from '../../src/bot/createTurnRunner.js';
import { BotFrameworkEndpoint } from '../../src/channels/botframework/BotFrameworkEndpoint.js';
import { DeliveryError } from '../../src/domain/ports/CustomerMessenger.js';
import { fakeChannelConnector } from '../helpers/customerOverHttp.js';

/** The messenger as the desk wires it, with the Bot Framework transport only (anonymous: loopback addresses). */
function botFrameworkMessenger() {
  const transports = new ConversationTransports();
  transports.add(new BotFrameworkEndpoint({ adapter: createAdapter({ MicrosoftAppType: 'MultiTenant' }), runner: () => null }));
  return new BotCustomerMessenger(transports);
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

test('a proactive message (ticket update, agent reply) reaches the customer’s conversation through the adapter', async () => {
  const connector = await fakeChannelConnector();
  closers.push(connector.close);
  const messenger = botFrameworkMessenger();
  const address = { channelId: 'webchat', serviceUrl: connector.url, conversation: { id: 'conv-42' }, user: { id: 'u1' }, bot: { id: 'bot' } };
  await messenger.send(address, 'Update on your ticket T-000001: the status is now resolved.');
  expect(connector.received).toHaveLength(1);
  expect(connector.received[0]?.url).toMatch(/^\/v3\/conversations\/conv-42\/activities/);
  expect(connector.received[0]?.activity.text).toBe('Update on your ticket T-000001: the status is now resolved.');
});

/** The rejection of a send, checked to be a DeliveryError. */
async function failure(send: Promise<void>): Promise<DeliveryError> {
  const err = await send.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

test('a conversation whose channel does not answer fails the send with a short reason (the delivery queue retries it)', async () => {
  const messenger = botFrameworkMessenger();
  const address = { channelId: 'webchat', serviceUrl: 'http://127.0.0.1:9', conversation: { id: 'gone' }, user: { id: 'u1' }, bot: { id: 'bot' } };
  const err = await failure(messenger.send(address, 'hello?'));
  expect(err.message).toBe('unreachable: ECONNREFUSED');
  expect(err.permanent).toBe(false);
}, 30_000);

test('a channel that refuses (403) fails for good, with the status and without the text or the channel\'s own message', async () => {
  const connector = await fakeChannelConnector(403);
  closers.push(connector.close);
  const messenger = botFrameworkMessenger();
  const address = { channelId: 'webchat', serviceUrl: connector.url, conversation: { id: 'conv-43' }, user: { id: 'u1' }, bot: { id: 'bot' } };
  const err = await failure(messenger.send(address, 'my secret reset code is 1234'));
  expect(err.message).toBe('channel refused: 403');
  expect(err.permanent).toBe(true);
  expect(connector.received.length).toBeGreaterThan(0);
});

test('an address without a serviceUrl or conversation fails at once as "unreachable: no address", and nothing is contacted', async () => {
  const messenger = botFrameworkMessenger();
  for (const address of [{ channelId: 'webchat', conversation: { id: 'c1' } }, { channelId: 'webchat', serviceUrl: 'http://127.0.0.1:9' }, {}]) {
    const err = await failure(messenger.send(address, 'hello?'));
    expect(err.message, JSON.stringify(address)).toBe('unreachable: no address');
    expect(err.permanent).toBe(true);
  }
});

test('with the bot’s turn-error handler attached, a failed proactive send still rejects (it is not swallowed as a failed turn)', async () => {
  const { testDesk } = await import('../helpers/testBot.js');
  const desk = await testDesk();
  const transports = new ConversationTransports();
  transports.add(desk.botFramework);
  const messenger = new BotCustomerMessenger(transports);
  // A closed port on this machine: the channel does not answer.
  const address = { channelId: 'emulator', serviceUrl: 'http://127.0.0.1:9', conversation: { id: 'gone' }, user: { id: 'u1' }, bot: { id: 'bot' } };
  await expect(messenger.send(address, 'hello?')).rejects.toThrow(/unreachable|channel/);
}, 30_000);
