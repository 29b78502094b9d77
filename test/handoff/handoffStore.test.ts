import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { DocumentStore, ExpectedETag } from '../../src/domain/ports/DocumentStore.js';
import { ETagConflictError } from '../../src/domain/ports/DocumentStore.js';
import { HandoffAlreadyOpenError } from '../../src/domain/handoff/HandoffStore.js';
import { DocumentHandoffStore, HANDOFFS_COLLECTION, OPEN_INDEX_COLLECTION } from '../../src/storage/DocumentHandoffStore.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { handoff, handoffServiceRaces, handoffStoreContract } from './handoffStoreContract.js';

/** Two handoff stores on one DocumentStore: two services (or processes) sharing it. */
const pairOn = (documents: DocumentStore) => ({ a: new DocumentHandoffStore(documents), b: new DocumentHandoffStore(documents) });

describe('DocumentHandoffStore on memory', () => {
  handoffStoreContract(async () => pairOn(new MemoryDocumentStore()));
  handoffServiceRaces(async () => pairOn(new MemoryDocumentStore()));
});

describe('DocumentHandoffStore on lowdb', () => {
  const opened: Array<{ store: LowdbDocumentStore; dir: string }> = [];
  afterAll(async () => {
    for (const { store, dir } of opened.splice(0)) {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
  const lowdbPair = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'handoffs-'));
    const store = await LowdbDocumentStore.open(dir);
    opened.push({ store, dir });
    return pairOn(store);
  };
  handoffStoreContract(lowdbPair);
  handoffServiceRaces(lowdbPair);
});

test('numbers come from the "handoffs" sequence, unique under concurrency', async () => {
  const documents = new MemoryDocumentStore();
  const store = new DocumentHandoffStore(documents);
  const numbers = await Promise.all(Array.from({ length: 10 }, () => store.nextNumber()));
  expect([...numbers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect((await documents.read('sequences', ['handoffs'])).get('handoffs')?.value).toEqual({ value: 10 });
});

test('the handoff and its open-index entry are written create-only (eTag null)', async () => {
  const documents = new MemoryDocumentStore();
  const writes: Array<[string, ExpectedETag]> = [];
  const write = documents.write.bind(documents);
  documents.write = (collection, id, value, expected) => {
    writes.push([collection, expected]);
    return write(collection, id, value, expected);
  };
  const store = new DocumentHandoffStore(documents);
  await store.create(handoff('H-000001'));
  expect(writes).toEqual([
    [OPEN_INDEX_COLLECTION, null],
    [HANDOFFS_COLLECTION, null],
  ]);
  const error = await store.create({ ...handoff('H-000001'), conversationKey: 'webchat/c2' }).catch((e: unknown) => e);
  expect((error as Error).message).toBe('DocumentHandoffStore.create(): handoff "H-000001" already exists');
  expect((error as Error).cause).toBeInstanceOf(ETagConflictError);
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

test('findOpen answers from the per-conversation index, not by listing every handoff', async () => {
  const documents = new MemoryDocumentStore();
  const store = new DocumentHandoffStore(documents);
  await store.create(handoff('H-000001'));
  await store.create({ ...handoff('H-000002'), conversationKey: 'webchat/c2' });
  documents.list = () => Promise.reject(new Error('findOpen must not list every handoff'));
  expect((await store.findOpen('webchat/c1'))?.id).toBe('H-000001');
  expect(await store.findOpen('webchat/unknown')).toBeNull();
  await store.update('H-000001', (h) => ({ ...h, status: 'closed' }));
  expect(await store.findOpen('webchat/c1')).toBeNull();
  expect((await store.findOpen('webchat/c2'))?.id).toBe('H-000002');
});

test('a process that stopped between the claim and the handoff write: the claim still wins, and its handoff is written', async () => {
  const documents = new MemoryDocumentStore();
  const crashed = new DocumentHandoffStore(documents);
  // The claim lands, then the process stops before writing the handoff.
  const write = documents.write.bind(documents);
  documents.write = async (collection, id, value, expected) => {
    if (collection === HANDOFFS_COLLECTION) throw new Error('process stopped');
    return write(collection, id, value, expected);
  };
  await expect(crashed.create(handoff('H-000001'))).rejects.toThrow('process stopped');
  documents.write = write;
  const next = new DocumentHandoffStore(documents);
  const refused = await next.create(handoff('H-000002')).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(HandoffAlreadyOpenError);
  expect((refused as HandoffAlreadyOpenError).open?.id).toBe('H-000001');
  expect((await next.get('H-000001'))?.status).toBe('waiting');
  expect((await next.waiting()).map((h) => h.id)).toEqual(['H-000001']);
});

test('an index entry left pointing at a closed or missing handoff does not block a new request', async () => {
  const documents = new MemoryDocumentStore();
  const store = new DocumentHandoffStore(documents);
  // Left by a process that closed H-000001 but stopped before clearing the index, and by an older version.
  await store.create(handoff('H-000001', { status: 'closed' }));
  await documents.write(OPEN_INDEX_COLLECTION, 'webchat/c1', { id: 'H-000001' });
  await documents.write(OPEN_INDEX_COLLECTION, 'webchat/c2', { id: 'H-000404' });
  expect(await store.findOpen('webchat/c1')).toBeNull();
  await store.create(handoff('H-000002'));
  await store.create(handoff('H-000003', { conversationKey: 'webchat/c2' }));
  expect((await store.findOpen('webchat/c1'))?.id).toBe('H-000002');
  expect((await store.findOpen('webchat/c2'))?.id).toBe('H-000003');
});

test('closing a handoff never clears a newer claim of its conversation', async () => {
  const documents = new MemoryDocumentStore();
  const store = new DocumentHandoffStore(documents);
  await store.create(handoff('H-000001'));
  // H-000001 is written closed, and before its entry is released a new request claims the conversation.
  const write = documents.write.bind(documents);
  let claimed = false;
  documents.write = async (collection, id, value, expected) => {
    const eTag = await write(collection, id, value, expected);
    if (collection === HANDOFFS_COLLECTION && !claimed && (value as { status?: string }).status === 'closed') {
      claimed = true;
      await store.create(handoff('H-000002'));
    }
    return eTag;
  };
  await store.update('H-000001', (h) => ({ ...h, status: 'closed' }));
  expect((await store.findOpen('webchat/c1'))?.id).toBe('H-000002');
});
