import path from 'node:path';
import { WarrantyPolicySchema, type WarrantyPolicy } from '../domain/warranty/WarrantyPolicy.js';
import { filesIn, KnowledgeError, readJson } from './files.js';

/**
 * Reads every `<policy-id>.json` in `dir` (knowledge/warranty), validated. A new policy is a new
 * file. Throws a KnowledgeError naming the file and the field on bad data, a file whose id is not
 * its name, or an empty directory.
 */
export async function loadWarrantyPolicies(dir: string): Promise<WarrantyPolicy[]> {
  const files = await filesIn(dir, '.json');
  if (files.length === 0) throw new KnowledgeError(dir, 'no warranty policies (*.json)');
  const policies: WarrantyPolicy[] = [];
  for (const file of files) {
    const policy = await readJson(file, WarrantyPolicySchema);
    const expected = path.basename(file, '.json');
    if (policy.id !== expected) throw new KnowledgeError(file, `id: "${policy.id}" does not match the file name (expected "${expected}")`);
    policies.push(policy);
  }
  return policies;
}
