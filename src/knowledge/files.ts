import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { describeZodError } from './jsonl.js';

/** A knowledge file that cannot be used: names the file and what is wrong in it. */
export class KnowledgeError extends Error {
  constructor(file: string, detail: string) {
    super(`knowledge: ${file}: ${detail}`);
    this.name = 'KnowledgeError';
  }
}

export async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<T> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new KnowledgeError(file, (err as Error).message);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new KnowledgeError(file, describeZodError(parsed.error));
  return parsed.data;
}

/** The files of `dir` ending in `ext`, sorted, as full paths. */
export async function filesIn(dir: string, ext: string): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new KnowledgeError(dir, err.code === 'ENOENT' ? 'directory is missing' : err.message);
  });
  return names.filter((n) => n.endsWith(ext)).sort().map((n) => path.join(dir, n));
}
