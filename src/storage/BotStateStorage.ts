import type { Storage, StoreItems } from 'botbuilder';
import { ETagConflictError, type DocumentStore } from '../domain/ports/DocumentStore.js';

/** Where a botbuilder state key lives: conversation state expires when idle, user state does not. */
export const STATE_COLLECTIONS = { conversations: 'conversation-state', users: 'user-state', other: 'bot-state' } as const;

export function collectionForKey(key: string): string {
  if (key.includes('/conversations/')) return STATE_COLLECTIONS.conversations;
  if (key.includes('/users/')) return STATE_COLLECTIONS.users;
  return STATE_COLLECTIONS.other;
}

/**
 * botbuilder's `Storage` on the domain's DocumentStore, with `MemoryStorage`'s eTag semantics:
 * items come back with an `eTag`; a write carrying an eTag other than `*` is rejected when the
 * stored item has changed since.
 */
export class BotStateStorage implements Storage {
  constructor(private readonly store: DocumentStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    const byCollection = groupByCollection(keys);
    await Promise.all(
      [...byCollection].map(async ([collection, ids]) => {
        const found = await this.store.read<Record<string, unknown>>(collection, ids);
        for (const [id, doc] of found) items[id] = { ...doc.value, eTag: doc.eTag };
      }),
    );
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await Promise.all(
      Object.entries(changes).map(async ([key, item]) => {
        const { eTag, ...value } = (item ?? {}) as Record<string, unknown> & { eTag?: string };
        try {
          await this.store.write(collectionForKey(key), key, value, eTag);
        } catch (err) {
          if (err instanceof ETagConflictError) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
          throw err;
        }
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all([...groupByCollection(keys)].map(([collection, ids]) => this.store.delete(collection, ids)));
  }

  /** Drops conversation state not touched since `before`; returns how many conversations went. */
  expireIdleConversations(before: Date): Promise<number> {
    return this.store.expireIdle(STATE_COLLECTIONS.conversations, before);
  }
}

function groupByCollection(keys: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const collection = collectionForKey(key);
    groups.set(collection, [...(groups.get(collection) ?? []), key]);
  }
  return groups;
}
