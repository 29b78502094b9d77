import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

let tempCounter = 0;

/** `.<file name>.<pid>-<n>.tmp`: hidden, and unique per process and write. */
const TEMP_FILE_NAME = /^\.(.+)\.\d+-\d+\.tmp$/;

/** The temp file a write of `file` goes through, in the same directory so the rename is atomic. */
export function tempFileFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${(tempCounter += 1)}.tmp`);
}

/**
 * The name of the file that the temp file `name` was written for, or null when `name` is not a temp
 * file of this naming. A write killed before its rename leaves such a file behind for good.
 */
export function tempFileTarget(name: string): string | null {
  return TEMP_FILE_NAME.exec(name)?.[1] ?? null;
}

/**
 * A lowdb adapter whose `write` resolves only once the data is on disk: temp file → fsync →
 * rename → fsync of the directory. lowdb's own JSONFile renames without fsync, so a power cut
 * right after an acknowledged write could lose it.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  constructor(
    private readonly file: string,
    /** Creates the file's directory; a store passes a cached version to skip a syscall per write. */
    private readonly ensureDirectory: (dir: string) => Promise<unknown> = (dir) => mkdir(dir, { recursive: true }),
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return JSON.parse(text) as T;
  }

  async write(data: T): Promise<void> {
    const dir = path.dirname(this.file);
    await this.ensureDirectory(dir);
    const temp = tempFileFor(this.file);
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    await syncDirectory(dir);
  }
}

/** Makes a rename or unlink in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
