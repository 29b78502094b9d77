import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { WarrantyPolicySchema, type WarrantyPolicy } from '../domain/warranty/WarrantyPolicy.js';
import { describeZodError } from './jsonl.js';
// Only used inside functions, so the import cycle once loadKnowledge() calls this module is harmless.
import { KnowledgeError } from './KnowledgeBase.js';

/**
 * Reads every `<policy-id>.json` in `dir` (knowledge/warranty), validated. A new policy is a new
 * file. Throws a KnowledgeError naming the file and the field on bad data, a file whose id is not
 * its name, or an empty directory.
 */
export async function loadWarrantyPolicies(dir: string): Promise<WarrantyPolicy[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new KnowledgeError(dir, err.code === 'ENOENT' ? 'directory is missing' : err.message);
  });
  const files = names.filter((n) => n.endsWith('.json')).sort();
  if (files.length === 0) throw new KnowledgeError(dir, 'no warranty policies (*.json)');

  const policies: WarrantyPolicy[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new KnowledgeError(file, (err as Error).message);
    }
    const parsed = WarrantyPolicySchema.safeParse(json);
    if (!parsed.success) throw new KnowledgeError(file, describeZodError(parsed.error));
    const expected = name.slice(0, -'.json'.length);
    if (parsed.data.id !== expected) throw new KnowledgeError(file, `id: "${parsed.data.id}" does not match the file name (expected "${expected}")`);
    policies.push(parsed.data);
  }
  return policies;
}
