import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { DocumentStore } from '../../src/domain/ports/DocumentStore.js';
import { AUDIT_COLLECTION, DocumentAuditStore } from '../../src/storage/DocumentAuditStore.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { auditStoreContract } from './auditStoreContract.js';

const pairOn = (documents: DocumentStore) => ({ a: new DocumentAuditStore(documents), b: new DocumentAuditStore(documents) });

describe('DocumentAuditStore on memory', () => {
  auditStoreContract(async () => pairOn(new MemoryDocumentStore()));
});

describe('DocumentAuditStore on lowdb', () => {
  const opened: Array<{ store: LowdbDocumentStore; dir: string }> = [];
  afterAll(async () => {
    for (const { store, dir } of opened.splice(0)) {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
  auditStoreContract(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-'));
    const store = await LowdbDocumentStore.open(dir);
    opened.push({ store, dir });
    return pairOn(store);
  });
});

test('recent(n) reads the newest entries by key, never the whole log, and skips numbers whose append never wrote', async () => {
  const documents = new MemoryDocumentStore();
  const store = new DocumentAuditStore(documents);
  for (let i = 1; i <= 500; i += 1) await store.append({ at: '2026-03-02T10:00:00.000Z', actor: 'cli', action: 'x', target: `t${i}` });
  // Two appends that took a number and stopped before writing.
  await documents.delete(AUDIT_COLLECTION, ['A-0000000499', 'A-0000000497']);
  documents.list = () => Promise.reject(new Error('recent() must not list the audit log'));
  const read: number[] = [];
  const readDocs = documents.read.bind(documents);
  documents.read = (collection, ids) => {
    if (collection === AUDIT_COLLECTION) read.push(ids.length);
    return readDocs(collection, ids);
  };
  expect((await store.recent(3)).map((e) => e.target)).toEqual(['t500', 't498', 't496']);
  expect(read.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(6);
});
