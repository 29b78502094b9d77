/**
 * Fills a data directory with N stored conversations (conversation + user state, the shape a
 * real triage turn leaves), through the same store the bot uses.
 */
import { BotStateStorage } from '../src/storage/BotStateStorage.js';
import { LowdbDocumentStore } from '../src/storage/LowdbDocumentStore.js';

export async function seedConversations(dataDir: string, count: number, concurrency = 64): Promise<void> {
  const store = await LowdbDocumentStore.open(dataDir);
  const storage = new BotStateStorage(store);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      // Returning customers: a thousand users across all the conversations.
      await storage.write({
        [`webchat/conversations/seed-${i}/`]: {
          dialogState: { dialogStack: [{ id: 'main', state: { options: {}, values: { instanceId: `i${i}` }, stepIndex: 1 } }] },
          record: { requests: [], lastTriage: { text: 'my dvr stopped recording', scope: 'in_scope', clause: null, intent: 'troubleshoot', confidence: 0.93 } },
          eTag: '*',
        },
        [`webchat/users/seed-user-${i % 1000}/`]: { profile: { lastSeen: '2026-11-01' }, eTag: '*' },
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await store.close();
}
