import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, TurnContext, UserState, type Storage } from 'botbuilder';
import { afterEach, expect, test } from 'vitest';
import { BotStateStorage } from '../../src/storage/BotStateStorage.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bot-state-'));
  temps.push(dir);
  return dir;
}

function turn(conversationId: string, userId: string): TurnContext {
  const adapter = new TestAdapter();
  return new TurnContext(adapter, {
    type: ActivityTypes.Message,
    text: 'hi',
    channelId: 'webchat',
    from: { id: userId, name: 'Customer' },
    recipient: { id: 'bot', name: 'bot' },
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    serviceUrl: 'http://localhost',
  });
}

test('conversation and user state written by botbuilder survive a restart of the store', async () => {
  const dir = await tempDir();
  const before = await LowdbDocumentStore.open(dir);
  const storage = new BotStateStorage(before);
  const conv = new ConversationState(storage);
  const user = new UserState(storage);
  const ctx = turn('c-restart', 'u-restart');
  await conv.createProperty<{ step: string }>('dialog').set(ctx, { step: 'asked-serial' });
  await user.createProperty<string>('name').set(ctx, 'Dana');
  await conv.saveChanges(ctx);
  await user.saveChanges(ctx);
  await before.close();

  const after = new BotStateStorage(await LowdbDocumentStore.open(dir));
  const ctx2 = turn('c-restart', 'u-restart');
  const conv2 = new ConversationState(after);
  const user2 = new UserState(after);
  expect(await conv2.createProperty<{ step: string }>('dialog').get(ctx2)).toEqual({ step: 'asked-serial' });
  expect(await user2.createProperty<string>('name').get(ctx2)).toBe('Dana');
});

/** The eTag behaviour botbuilder's MemoryStorage has, checked against ours side by side. */
async function eTagBehaviour(storage: Storage): Promise<string[]> {
  const seen: string[] = [];
  await storage.write({ k: { v: 1 } });
  const first = (await storage.read(['k'])).k as { v: number; eTag: string };
  seen.push(typeof first.eTag);
  await storage.write({ k: { v: 2, eTag: first.eTag } });
  try {
    await storage.write({ k: { v: 3, eTag: first.eTag } });
    seen.push('stale write accepted');
  } catch (err) {
    seen.push((err as Error).message);
  }
  await storage.write({ k: { v: 4, eTag: '*' } });
  seen.push(String(((await storage.read(['k'])).k as { v: number }).v));
  await storage.delete(['k']);
  seen.push(JSON.stringify(await storage.read(['k'])));
  return seen;
}

test('stale writes are rejected exactly as MemoryStorage rejects them', async () => {
  const ours = new BotStateStorage(await LowdbDocumentStore.open(await tempDir()));
  const expected = await eTagBehaviour(new MemoryStorage());
  expect(expected[1]).toBe('Storage: error writing "k" due to eTag conflict.');
  expect(await eTagBehaviour(ours)).toEqual(expected);
});

test('idle conversation state expires; user state is kept', async () => {
  const store = await LowdbDocumentStore.open(await tempDir());
  const storage = new BotStateStorage(store);
  const ctx = turn('c-idle', 'u-idle');
  const conv = new ConversationState(storage);
  const user = new UserState(storage);
  await conv.createProperty<number>('n').set(ctx, 1);
  await user.createProperty<number>('n').set(ctx, 1);
  await conv.saveChanges(ctx);
  await user.saveChanges(ctx);
  await new Promise((r) => setTimeout(r, 20));
  expect(await storage.expireIdleConversations(new Date())).toBe(1);
  const ctx2 = turn('c-idle', 'u-idle');
  expect(await new ConversationState(storage).createProperty<number>('n').get(ctx2)).toBeUndefined();
  expect(await new UserState(storage).createProperty<number>('n').get(ctx2)).toBe(1);
  await store.close();
});
