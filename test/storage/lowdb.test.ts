import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
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
  // The crashed process left its lock file behind; a restart takes it over.
  const store = await LowdbDocumentStore.open(dir);
  const found = await store.read<{ n: number }>('conversation-state', acknowledged.map((n) => `conv-${n}`));
  expect(acknowledged.filter((n) => found.get(`conv-${n}`)?.value.n !== n)).toEqual([]);
  await store.close();
});
