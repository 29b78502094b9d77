import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { DataDirLockedError, LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { documentStoreContract } from './documentStoreContract.js';

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lowdb-store-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}
const isTempFile = (file: string) => file.endsWith('.tmp');

/** Where the store keeps a document (its layout: `<collection>/<2 hex>/<sha1 of id>.json`). */
function documentFile(collection: string, id: string): string {
  const hash = createHash('sha1').update(id).digest('hex');
  return path.join(collection, hash.slice(0, 2), `${hash}.json`);
}
/** A temp file as DurableJsonFile names it, of a write by process `pid` that never got to its rename. */
const strayTempFor = (file: string, pid: number, n: number) => path.join(path.dirname(file), `.${path.basename(file)}.${pid}-${n}.tmp`);

documentStoreContract(() => {
  const dir = tempDir();
  return { open: async () => LowdbDocumentStore.open(await dir) };
});

test('each document is its own small file, so a write does not rewrite other conversations', async () => {
  const dir = await tempDir();
  const store = await LowdbDocumentStore.open(dir);
  await Promise.all(Array.from({ length: 50 }, (_, i) => store.write('conversation-state', `webchat/conversations/c${i}/`, { i })));
  const shards = await readdir(path.join(dir, 'conversation-state'));
  let files = 0;
  for (const shard of shards) files += (await readdir(path.join(dir, 'conversation-state', shard))).length;
  expect(files).toBe(50);
  await store.close();
});

test('a second store on the same data directory is refused instead of losing writes', async () => {
  const dir = await tempDir();
  const store = await LowdbDocumentStore.open(dir);
  await expect(LowdbDocumentStore.open(dir)).rejects.toBeInstanceOf(DataDirLockedError);
  await store.close();
  const again = await LowdbDocumentStore.open(dir);
  await again.close();
});

test('every write acknowledged before the process is killed (SIGKILL) is there after a restart', async () => {
  const dir = await tempDir();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'fixtures', 'crashWriter.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acknowledged: number[] = [];
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ack ')) acknowledged.push(Number(line.slice(4)));
      // Kill mid-stream, with writes still in flight.
      if (acknowledged.length >= 150) child.kill('SIGKILL');
    });
  });
  expect(acknowledged.length).toBeGreaterThanOrEqual(150);
  // Writes cut off between their temp file and its rename leave the temp file (usually one or more).
  const leftovers = (await filesUnder(dir)).filter(isTempFile);
  // The crashed process left its lock file behind; a restart takes it over.
  const store = await LowdbDocumentStore.open(dir);
  expect(store.strayTempFilesRemoved).toBe(leftovers.length);
  expect((await filesUnder(dir)).filter(isTempFile)).toEqual([]);
  const found = await store.read<{ n: number }>('conversation-state', acknowledged.map((n) => `conv-${n}`));
  expect(acknowledged.filter((n) => found.get(`conv-${n}`)?.value.n !== n)).toEqual([]);
  await store.close();
});

test('opening the store removes temp files left by interrupted writes, and nothing else', async () => {
  const dir = await tempDir();
  const before = await LowdbDocumentStore.open(dir);
  await before.write('tickets', 'T-1', { status: 'open' });
  await before.write('conversation-state', 'c1', { step: 2 });
  await before.close();

  const ticketFile = documentFile('tickets', 'T-1');
  const strays = [
    // Next to a document that exists (its old version is intact), and of a document never created.
    strayTempFor(ticketFile, 4242, 7),
    strayTempFor(documentFile('conversation-state', 'never-renamed'), 4242, 8),
    // A collection directory the store has not opened yet.
    strayTempFor(documentFile('audit', 'a1'), 99, 1),
  ];
  // Not of the store's naming: someone else's files, which must survive.
  const others = [
    'notes.tmp',
    path.join('tickets', '.backup.json.12-3.tmp'),
    path.join('tickets', `${path.basename(ticketFile)}.tmp`),
    path.join(path.dirname(ticketFile), `.${path.basename(ticketFile)}.tmp`),
    path.join('exports', 'tickets.json'),
  ];
  for (const file of [...strays, ...others]) {
    await mkdir(path.join(dir, path.dirname(file)), { recursive: true });
    await writeFile(path.join(dir, file), '{"id":"T-1","value":{"status":"half-writ');
  }

  const logged: Array<{ removed: number }> = [];
  const store = await LowdbDocumentStore.open(dir, { logger: { info: (details) => logged.push(details) } });
  expect(store.strayTempFilesRemoved).toBe(3);
  expect(logged).toEqual([expect.objectContaining({ removed: 3 })]);
  const files = await filesUnder(dir);
  for (const stray of strays) expect(files).not.toContain(stray);
  expect(files).toEqual(expect.arrayContaining(others));
  expect((await store.read('tickets', ['T-1'])).get('T-1')?.value).toEqual({ status: 'open' });
  expect((await store.read('conversation-state', ['c1'])).get('c1')?.value).toEqual({ step: 2 });
  expect((await store.read('conversation-state', ['never-renamed'])).has('never-renamed')).toBe(false);
  await store.close();
});

test('temp files are removed only by the opening that holds the lock, never while a store is open', async () => {
  const dir = await tempDir();
  const store = await LowdbDocumentStore.open(dir);
  await store.write('tickets', 'T-1', { status: 'open' });
  // A write in progress: its temp file exists until its rename.
  const inProgress = strayTempFor(documentFile('tickets', 'T-2'), process.pid, 1_000_000);
  await mkdir(path.join(dir, path.dirname(inProgress)), { recursive: true });
  await writeFile(path.join(dir, inProgress), '{}');

  // The store keeps working, and a refused second opening (the lock is held) touches nothing.
  await store.write('tickets', 'T-3', { status: 'open' });
  await store.list('tickets');
  await store.expireIdle('tickets', new Date(0));
  await expect(LowdbDocumentStore.open(dir)).rejects.toBeInstanceOf(DataDirLockedError);
  expect(await filesUnder(dir)).toContain(inProgress);

  // Another process holding the lock (the parent of this one is alive): refused too, file kept.
  await store.close();
  await writeFile(path.join(dir, '.lock'), String(process.ppid));
  await expect(LowdbDocumentStore.open(dir)).rejects.toBeInstanceOf(DataDirLockedError);
  expect(await filesUnder(dir)).toContain(inProgress);

  // The owner is gone: the next opening takes the lock over and clears the leftover.
  await rm(path.join(dir, '.lock'));
  const reopened = await LowdbDocumentStore.open(dir);
  expect(reopened.strayTempFilesRemoved).toBe(1);
  expect(await filesUnder(dir)).not.toContain(inProgress);
  await reopened.close();
});

test('close waits for writes in flight, so the next opening finds no temp file of a live write', async () => {
  const dir = await tempDir();
  const store = await LowdbDocumentStore.open(dir);
  // Large documents, so that each write spends a while between creating its temp file and renaming it.
  const padding = 'x'.repeat(4 * 1024 * 1024);
  const writes = Array.from({ length: 8 }, (_, i) => store.write('conversation-state', `c${i}`, { i, padding }));
  // Close while a write is mid-way: its temp file is on disk.
  await expect.poll(async () => (await filesUnder(dir)).some(isTempFile), { timeout: 10_000, interval: 1 }).toBe(true);
  await store.close();
  expect((await filesUnder(dir)).filter(isTempFile)).toEqual([]);
  // Had close given up the lock at once, this opening would delete temp files that writes are about to rename.
  const reopened = await LowdbDocumentStore.open(dir);
  await Promise.all(writes);
  expect(reopened.strayTempFilesRemoved).toBe(0);
  expect((await reopened.list<{ i: number }>('conversation-state')).map((d) => d.value.i).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  await reopened.close();
});

test('listing a collection larger than the open-file limit reads it whole (no EMFILE)', async () => {
  const dir = await tempDir();
  const script = path.join(import.meta.dirname, '..', 'fixtures', 'listUnderFewFiles.ts');
  // 1,500 documents under a limit of 256 open files: reading them all at once ran out of descriptors.
  const child = spawn('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${script}" "${dir}" 1500`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(err).not.toMatch(/EMFILE/);
  expect({ code, out: out.trim() }).toEqual({ code: 0, out: 'listed 1500' });
}, 120_000);
