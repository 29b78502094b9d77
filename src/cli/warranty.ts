/**
 * Decides warranty cases from JSON Lines on standard input: one case per line in (see
 * WarrantyCaseSchema), one decision per line out, in order. A bad line is answered with
 * {"error": "line N: ..."} and the rest is still processed. Blank lines are skipped.
 *
 *   npm run --silent warranty < cases.jsonl
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../config.js';
import { evaluateWarranty, WarrantyCaseSchema, WarrantyInputError } from '../domain/warranty/WarrantyEngine.js';
import { parseJsonLine } from '../knowledge/jsonl.js';
import { loadWarrantyPolicies } from '../knowledge/warrantyPolicies.js';
import { exitWith } from './loadTriage.js';

async function main(): Promise<void> {
  const policies = await loadWarrantyPolicies(path.join(loadConfig().knowledgeDir, 'warranty'));
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo += 1;
    if (raw.trim() === '') continue;
    const out = decide(raw, lineNo, policies);
    if (!process.stdout.write(`${JSON.stringify(out)}\n`)) await new Promise((r) => process.stdout.once('drain', r));
  }
}

function decide(raw: string, lineNo: number, policies: Parameters<typeof evaluateWarranty>[1]): object {
  const parsed = parseJsonLine(raw, WarrantyCaseSchema, lineNo);
  if (!parsed.ok) return { error: parsed.error };
  try {
    return evaluateWarranty(parsed.value, policies);
  } catch (err) {
    if (err instanceof WarrantyInputError) return { error: `line ${lineNo}: ${err.detail}` };
    throw err;
  }
}

main().catch(exitWith);
