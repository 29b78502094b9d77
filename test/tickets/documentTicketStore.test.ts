import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { DocumentStore } from '../../src/domain/ports/DocumentStore.js';
import { TicketService } from '../../src/domain/tickets/TicketService.js';
import type { Ticket } from '../../src/domain/tickets/Ticket.js';
import { DocumentSequence } from '../../src/storage/DocumentSequence.js';
import { DocumentTicketStore, TicketExistsError } from '../../src/storage/DocumentTicketStore.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { manualClock, recordingDeliveries } from './helpers.js';
import { ticketStoreContract } from './ticketStoreContract.js';

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Two ticket stores on one DocumentStore: two services (or processes) sharing it. */
const pairOn = (documents: DocumentStore) => ({ a: new DocumentTicketStore(documents), b: new DocumentTicketStore(documents) });

describe('DocumentTicketStore on memory', () => {
  ticketStoreContract(async () => pairOn(new MemoryDocumentStore()));
});

describe('DocumentTicketStore on lowdb', () => {
  const opened: Array<{ store: LowdbDocumentStore; dir: string }> = [];
  afterAll(async () => {
    for (const { store, dir } of opened.splice(0)) {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
  ticketStoreContract(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tickets-contract-'));
    const store = await LowdbDocumentStore.open(dir);
    opened.push({ store, dir });
    return pairOn(store);
  });
});

function ticket(id: string): Ticket {
  const at = '2025-03-01T09:00:00.000Z';
  return {
    id,
    status: 'open',
    priority: 'normal',
    customer: { channelId: 'webchat', userId: 'u1' },
    summary: 'camera offline',
    transcript: [],
    firstResponseDue: '2025-03-01T11:00:00.000Z',
    createdAt: at,
    updatedAt: at,
    history: [{ at, by: 'bot', what: 'created' }],
    comments: [],
  };
}

test('DocumentSequence: 30 concurrent callers get 1..30, each number once; sequences are independent', async () => {
  const store = new MemoryDocumentStore();
  const tickets = new DocumentSequence(store, 'tickets');
  const handoffs = new DocumentSequence(store, 'handoffs');
  const numbers = await Promise.all(Array.from({ length: 30 }, () => tickets.next()));
  expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  expect(await handoffs.next()).toBe(1);
  expect(await tickets.next()).toBe(31);
});

test('DocumentTicketStore.nextNumber: 200 concurrent calls in one process, no contention failure, no repeats', async () => {
  const tickets = new DocumentTicketStore(new MemoryDocumentStore());
  const numbers = await Promise.all(Array.from({ length: 200 }, () => tickets.nextNumber()));
  expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
});

test('DocumentTicketStore.nextNumber: two stores on one DocumentStore (two processes) never share a number', async () => {
  const store = new MemoryDocumentStore();
  const a = new DocumentTicketStore(store);
  const b = new DocumentTicketStore(store);
  const numbers = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).nextNumber()));
  expect(new Set(numbers).size).toBe(60);
});

test('DocumentSequence: two instances on one store (two bot processes) never hand out the same number', async () => {
  const store = new MemoryDocumentStore();
  const a = new DocumentSequence(store, 'tickets');
  const b = new DocumentSequence(store, 'tickets');
  const numbers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).next()));
  expect(new Set(numbers).size).toBe(40);
  expect(Math.max(...numbers)).toBe(40);
});

test('create is create-only: a second ticket with a taken id is rejected and the first is kept', async () => {
  const tickets = new DocumentTicketStore(new MemoryDocumentStore());
  await tickets.create(ticket('T-000001'));
  await expect(tickets.create({ ...ticket('T-000001'), summary: 'other' })).rejects.toBeInstanceOf(TicketExistsError);
  expect((await tickets.get('T-000001'))?.summary).toBe('camera offline');
});

test('update: concurrent changes of one ticket all survive (read, change, write over the eTag read, retry)', async () => {
  const tickets = new DocumentTicketStore(new MemoryDocumentStore());
  await tickets.create(ticket('T-000001'));
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      tickets.update('T-000001', (t) => ({ ...t, comments: [...t.comments, { at: t.createdAt, by: 'staff:dana', text: `c${i}`, public: false }] })),
    ),
  );
  const stored = await tickets.get('T-000001');
  expect(stored?.comments.map((c) => c.text).sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
});

test('update of an unknown ticket resolves with null and writes nothing', async () => {
  const tickets = new DocumentTicketStore(new MemoryDocumentStore());
  expect(await tickets.update('T-000009', (t) => t)).toBeNull();
  expect((await tickets.query({ limit: 10 })).tickets).toEqual([]);
});

test('lowdb: tickets and their numbers survive reopening the store', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tickets-'));
  temps.push(dir);
  const clock = manualClock();
  let store = await LowdbDocumentStore.open(dir);
  let service = new TicketService(new DocumentTicketStore(store), recordingDeliveries().deliveries, clock.now);
  const opened = await Promise.all(
    Array.from({ length: 10 }, (_, i) => service.open({ customer: { channelId: 'webchat', userId: `u${i}` }, summary: `no video ${i}` }, 'bot')),
  );
  expect(new Set(opened.map((t) => t.id)).size).toBe(10);
  await service.comment(opened[0]!.id, { text: 'checked the PoE switch', public: false }, 'staff:dana');
  await store.close();

  store = await LowdbDocumentStore.open(dir);
  service = new TicketService(new DocumentTicketStore(store), recordingDeliveries().deliveries, clock.now);
  const again = await service.get(opened[0]!.id);
  expect(again?.summary).toBe(opened[0]!.summary);
  expect(again?.comments.map((c) => c.text)).toEqual(['checked the PoE switch']);
  expect((await service.open({ customer: { channelId: 'webchat', userId: 'u1' }, summary: 'later' }, 'bot')).id).toBe('T-000011');
  await store.close();
});
