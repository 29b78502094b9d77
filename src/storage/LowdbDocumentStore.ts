import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { ETagConflictError, type DocumentStore, type ExpectedETag, type StoredDocument } from '../domain/ports/DocumentStore.js';
import { DurableJsonFile, syncDirectory, tempFileTarget } from './DurableJsonFile.js';
import { KeyedLock } from './KeyedLock.js';
import { newETag } from './eTag.js';

/** Files a list() reads at once. */
const LIST_CONCURRENCY = 32;

/** What one document file holds. */
interface DocumentFile<T = unknown> {
  id: string;
  value: T;
  eTag: string;
  updatedAt: string;
}

/** Documents kept in memory (a few KiB each): the live conversations of a busy day. */
const CACHE_SIZE = 5_000;

const COLLECTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** A document file's name (see fileFor). */
const DOCUMENT_FILE_NAME = /^[0-9a-f]{40}\.json$/;
/** Directories opened by this process: a second store on one directory would bypass the per-key locks. */
const openDirectories = new Set<string>();

export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(`DATA_DIR ${dir} is in use by another process (pid ${pid}); two processes on one lowdb data directory would lose writes. Stop it or use STORE=postgres.`);
    this.name = 'DataDirLockedError';
  }
}

export interface LowdbStoreOptions {
  /** Told how many temp files of interrupted writes the opening removed (when there were any); a pino Logger fits. */
  logger?: { info(details: { dataDir: string; removed: number }, message: string): void };
}

/**
 * The embedded store: lowdb, one small JSON file per document at
 * `DATA_DIR/<collection>/<2 hex>/<sha1 of id>.json`.
 *
 * lowdb rewrites its whole file on every write, so one file for everything would make a turn's
 * cost grow with the number of conversations; one file per document keeps every read and write
 * O(1) in the size of the store. Writes to one document are serialised in-process (KeyedLock),
 * checked against the eTag, and acknowledged only after fsync (DurableJsonFile). A lock file
 * keeps a second process off the same directory.
 */
export class LowdbDocumentStore implements DocumentStore {
  private readonly locks = new KeyedLock();
  /** Writes and deletes still running: close() waits for them before it gives up the directory lock. */
  private readonly pending = new Set<Promise<unknown>>();
  /** Write-through cache of recent documents: one process owns DATA_DIR, so it is never stale. */
  private readonly cache = new RecentDocuments(CACHE_SIZE);
  private readonly knownDirectories = new Set<string>();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly lockFile: string,
    /** Temp files of interrupted writes (a crash, `kill -9`) that opening the store removed. */
    readonly strayTempFilesRemoved: number,
  ) {}

  static async open(dir: string, options: LowdbStoreOptions = {}): Promise<LowdbDocumentStore> {
    const root = path.resolve(dir);
    await mkdir(root, { recursive: true });
    if (openDirectories.has(root)) throw new DataDirLockedError(root, process.pid);
    const lockFile = path.join(root, '.lock');
    await acquireDirectoryLock(root, lockFile);
    openDirectories.add(root);
    let removed: number;
    try {
      // Only now, under the lock and before this store writes anything: no write can be in
      // progress, so every temp file left is from a process that died before its rename.
      removed = await removeStrayTempFiles(root);
    } catch (err) {
      openDirectories.delete(root);
      await rm(lockFile, { force: true });
      throw err;
    }
    if (removed > 0) options.logger?.info({ dataDir: root, removed }, 'removed temp files left by interrupted writes');
    return new LowdbDocumentStore(root, lockFile, removed);
  }

  async read<T = unknown>(collection: string, ids: readonly string[]): Promise<Map<string, StoredDocument<T>>> {
    this.assertOpen();
    const found = new Map<string, StoredDocument<T>>();
    await Promise.all(
      ids.map(async (id) => {
        const file = this.fileFor(collection, id);
        const cached = this.cache.get(file) as DocumentFile<T> | null | undefined;
        const doc = cached === undefined ? await this.database<T>(file).adapter.read() : cached;
        // Absence is cached too: a lookup that usually misses (an open handoff) costs no syscall.
        if (cached === undefined) this.cache.set(file, doc);
        if (!doc) return;
        // A copy: callers (botbuilder state) mutate what they read.
        found.set(id, { value: structuredClone(doc.value), eTag: doc.eTag });
      }),
    );
    return found;
  }

  async write<T>(collection: string, id: string, value: T, expected?: ExpectedETag): Promise<string> {
    this.assertOpen();
    const file = this.fileFor(collection, id);
    const db = this.database<T>(file);
    return this.track(this.locks.run(file, async () => {
      if (expected !== undefined && expected !== '*') {
        const cached = this.cache.get(file) as DocumentFile<T> | null | undefined;
        const current = cached === undefined ? await db.adapter.read() : cached;
        // As botbuilder's MemoryStorage: an eTag is checked only against a document that exists.
        if (expected === null ? current !== null : current && current.eTag !== expected) throw new ETagConflictError(collection, id);
      }
      const eTag = newETag();
      const doc: DocumentFile<T> = { id, value: structuredClone(value), eTag, updatedAt: new Date().toISOString() };
      db.data = doc;
      try {
        await db.write();
      } catch (err) {
        this.cache.delete(file); // the file may hold either version now: read it again next time
        throw err;
      }
      this.cache.set(file, doc);
      return eTag;
    }));
  }

  async delete(collection: string, ids: readonly string[]): Promise<void> {
    this.assertOpen();
    await this.track(Promise.all(ids.map((id) => this.removeFile(this.fileFor(collection, id)))));
  }

  async list<T = unknown>(collection: string): Promise<Array<{ id: string } & StoredDocument<T>>> {
    this.assertOpen();
    const files = await this.filesOf(collection);
    // A bounded number of files open at once: reading a large collection all at once ran the
    // process out of file descriptors (EMFILE) and starved every other request, turns included.
    const docs: Array<DocumentFile<T> | null> = new Array(files.length).fill(null);
    let next = 0;
    const reader = async () => {
      while (next < files.length) {
        const index = next++;
        docs[index] = await new DurableJsonFile<DocumentFile<T>>(files[index]!).read();
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, files.length) }, reader));
    return docs.filter((d): d is DocumentFile<T> => d !== null).map((d) => ({ id: d.id, value: d.value, eTag: d.eTag }));
  }

  async expireIdle(collection: string, before: Date): Promise<number> {
    this.assertOpen();
    let removed = 0;
    // File mtimes, not contents: a sweep over 100k conversations then costs one stat per file.
    for (const file of await this.filesOf(collection)) {
      const gone = await this.track(
        this.locks.run(file, async () => {
          const info = await stat(file).catch(() => null);
          if (!info || info.mtime >= before) return false;
          await unlink(file).catch(ignoreMissing);
          this.cache.set(file, null);
          return true;
        }),
      );
      if (gone) removed += 1;
    }
    return removed;
  }

  async ready(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A write still between its temp file and its rename must finish before the lock goes: the
    // next owner of the directory removes every temp file it finds.
    await Promise.allSettled([...this.pending]);
    await rm(this.lockFile, { force: true });
    openDirectories.delete(this.dir);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const done = () => this.pending.delete(work);
    work.then(done, done);
    return work;
  }

  private database<T>(file: string): Low<DocumentFile<T> | null> {
    return new Low<DocumentFile<T> | null>(new DurableJsonFile<DocumentFile<T> | null>(file, (dir) => this.ensureDirectory(dir)), null);
  }

  private async ensureDirectory(dir: string): Promise<void> {
    if (this.knownDirectories.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.knownDirectories.add(dir);
  }

  private fileFor(collection: string, id: string): string {
    const hash = createHash('sha1').update(id).digest('hex');
    return path.join(this.collectionDir(collection), hash.slice(0, 2), `${hash}.json`);
  }

  private collectionDir(collection: string): string {
    if (!COLLECTION_NAME.test(collection)) throw new Error(`invalid collection name "${collection}"`);
    return path.join(this.dir, collection);
  }

  private async filesOf(collection: string): Promise<string[]> {
    const root = this.collectionDir(collection);
    const shards = await readdir(root).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const files: string[] = [];
    for (const shard of shards) {
      const names = await readdir(path.join(root, shard)).catch(() => [] as string[]);
      for (const name of names) if (name.endsWith('.json') && !name.startsWith('.')) files.push(path.join(root, shard, name));
    }
    return files;
  }

  private removeFile(file: string): Promise<void> {
    return this.locks.run(file, async () => {
      await unlink(file).catch(ignoreMissing);
      this.cache.set(file, null);
      await syncDirectory(path.dirname(file)).catch(ignoreMissing);
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('LowdbDocumentStore is closed');
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

/**
 * Removes, anywhere under `root`, the temp files DurableJsonFile leaves when its process dies
 * between creating one and renaming it over a document: names `.<sha1>.json.<pid>-<n>.tmp` only,
 * so nothing else in DATA_DIR is touched. Symbolic links are not followed. One readdir per
 * directory: ~0.15 s at start-up for 100k documents (measured, warm page cache).
 */
async function removeStrayTempFiles(root: string): Promise<number> {
  let removed = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && isStrayTempFile(entry.name)) {
        await unlink(full).catch(ignoreMissing);
        removed += 1;
      }
    }
  };
  await walk(root);
  // No directory fsync: an unlink lost to a power cut is simply done again at the next start.
  return removed;
}

function isStrayTempFile(name: string): boolean {
  const target = tempFileTarget(name);
  return target !== null && DOCUMENT_FILE_NAME.test(target);
}

/** Takes `DATA_DIR/.lock`; a lock left by a process that no longer runs (a crash) is taken over. */
async function acquireDirectoryLock(dir: string, lockFile: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) throw new DataDirLockedError(dir, pid);
    await rm(lockFile, { force: true });
  }
  throw new Error(`could not take the lock file ${lockFile}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A bounded map that forgets the least recently used document first; null records a known absence. */
class RecentDocuments {
  private readonly entries = new Map<string, DocumentFile | null>();

  constructor(private readonly capacity: number) {}

  get(key: string): DocumentFile | null | undefined {
    const doc = this.entries.get(key);
    if (doc !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, doc);
    }
    return doc;
  }

  set(key: string, doc: DocumentFile | null): void {
    this.entries.delete(key);
    this.entries.set(key, doc);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
