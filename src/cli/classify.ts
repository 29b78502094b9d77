/**
 * Classifies JSON Lines from standard input: one {"text": ...} per line in, one
 * {"text","scope","clause","intent","confidence"} per line out, in order. A bad line is
 * answered with {"error": ...} and the rest is still processed. Blank lines are skipped.
 *
 *   npm run --silent classify < in.jsonl
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { parseJsonLine } from '../knowledge/jsonl.js';
import { exitWith, loadTriageForCli } from './loadTriage.js';

const InputSchema = z.object({ text: z.string().trim().min(1, 'text must not be empty') }).loose();

async function main(): Promise<void> {
  const triage = await loadTriageForCli();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo += 1;
    if (raw.trim() === '') continue;
    const parsed = parseJsonLine(raw, InputSchema, lineNo);
    const out = parsed.ok ? { text: parsed.value.text, ...triage.classify(parsed.value.text) } : { error: parsed.error };
    if (!process.stdout.write(`${JSON.stringify(out)}\n`)) await new Promise((r) => process.stdout.once('drain', r));
  }
}

main().catch(exitWith);
