import { expect, test } from 'vitest';
import type { Handoff } from '../../src/domain/handoff/Handoff.js';
import { ETagConflictError, type ExpectedETag } from '../../src/domain/ports/DocumentStore.js';
import { DocumentHandoffStore, HANDOFFS_COLLECTION } from '../../src/storage/DocumentHandoffStore.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';

const handoff = (id: string): Handoff => ({
  id,
  status: 'waiting',
  reason: 'asked',
  customer: { channelId: 'webchat', userId: 'u1' },
  conversationKey: 'webchat/c1',
  address: { conversation: { id: 'c1' } },
  transcript: [],
  requestedAt: '2024-03-04T09:00:00.000Z',
});

test('numbers come from the "handoffs" sequence, unique under concurrency', async () => {
  const documents = new MemoryDocumentStore();
  const store = new DocumentHandoffStore(documents);
  const numbers = await Promise.all(Array.from({ length: 10 }, () => store.nextNumber()));
  expect([...numbers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect((await documents.read('sequences', ['handoffs'])).get('handoffs')?.value).toEqual({ value: 10 });
});

test('create is create-only (eTag null) and stores in the "handoffs" collection', async () => {
  const documents = new MemoryDocumentStore();
  const writes: ExpectedETag[] = [];
  const write = documents.write.bind(documents);
  documents.write = (collection, id, value, expected) => {
    if (collection === HANDOFFS_COLLECTION) writes.push(expected);
    return write(collection, id, value, expected);
  };
  const store = new DocumentHandoffStore(documents);
  await store.create(handoff('H-000001'));
  expect(writes).toEqual([null]);
  expect(await store.get('H-000001')).toEqual(handoff('H-000001'));
  const error = await store.create({ ...handoff('H-000001'), reason: 'not_helping' }).catch((e: unknown) => e);
  expect((error as Error).message).toBe('DocumentHandoffStore.create(): handoff "H-000001" already exists');
  expect((error as Error).cause).toBeInstanceOf(ETagConflictError);
  expect((await store.get('H-000001'))?.reason).toBe('asked');
  expect(await store.get('H-000404')).toBeNull();
  expect((await store.all()).map((h) => h.id)).toEqual(['H-000001']);
});

test('update re-reads and re-applies on a conflict, so concurrent changes are all kept', async () => {
  const store = new DocumentHandoffStore(new MemoryDocumentStore());
  await store.create(handoff('H-000001'));
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      store.update('H-000001', (h) => ({ ...h, transcript: [...h.transcript, { at: 'x', from: 'customer', text: `m${i}` }] })),
    ),
  );
  const stored = await store.get('H-000001');
  expect(stored?.transcript.map((l) => l.text).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
  expect(await store.update('H-000404', (h) => h)).toBeNull();
});

test('update retries after a write conflict between its read and its write', async () => {
  const documents = new MemoryDocumentStore();
  const store = new DocumentHandoffStore(documents);
  await store.create(handoff('H-000001'));
  // Another writer (Sam accepting) gets in just before this update's first write.
  const write = documents.write.bind(documents);
  let interleaved = false;
  documents.write = async (collection, id, value, expected) => {
    if (collection === HANDOFFS_COLLECTION && !interleaved) {
      interleaved = true;
      await write(collection, id, { ...handoff(id), status: 'active', agent: 'Sam' });
    }
    return write(collection, id, value, expected);
  };
  let calls = 0;
  const updated = await store.update('H-000001', (h) => {
    calls += 1;
    return { ...h, status: 'active', agent: h.agent ?? 'Dana' };
  });
  expect(calls).toBe(2);
  expect(updated).toMatchObject({ status: 'active', agent: 'Sam' });
  expect(await store.get('H-000001')).toEqual(updated);
});

test('an error thrown by the change aborts the update', async () => {
  const store = new DocumentHandoffStore(new MemoryDocumentStore());
  await store.create(handoff('H-000001'));
  await expect(
    store.update('H-000001', () => {
      throw new Error('not allowed');
    }),
  ).rejects.toThrow('not allowed');
  expect((await store.get('H-000001'))?.status).toBe('waiting');
});

test('findOpen answers from the per-conversation index, and forgets a handoff once it is closed', async () => {
  const documents = new MemoryDocumentStore();
  const store = new DocumentHandoffStore(documents);
  await store.create(handoff('H-000001'));
  await store.create({ ...handoff('H-000002'), conversationKey: 'webchat/c2' });
  // The handoffs collection is never listed to answer it.
  documents.list = () => Promise.reject(new Error('findOpen must not list every handoff'));
  expect((await store.findOpen('webchat/c1'))?.id).toBe('H-000001');
  expect(await store.findOpen('webchat/unknown')).toBeNull();
  await store.update('H-000001', (h) => ({ ...h, status: 'closed' }));
  expect(await store.findOpen('webchat/c1')).toBeNull();
  expect((await store.findOpen('webchat/c2'))?.id).toBe('H-000002');
});
