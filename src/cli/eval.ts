/**
 * Evaluates the classifier on a labelled JSONL file ({"text","scope","clause","intent"} per line):
 * scope accuracy, clause accuracy, intent accuracy, per-label precision/recall, out-of-scope recall
 * and a confusion matrix.   npm run --silent eval -- FILE [--json]
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseJsonLines } from '../knowledge/jsonl.js';
import { LabelledUtteranceSchema } from '../knowledge/schemas.js';
import { evaluate, formatReport } from '../language/evaluation.js';
import { exitWith, loadTriageForCli } from './loadTriage.js';

const ArgsSchema = z.tuple([z.string().min(1, 'usage: npm run --silent eval -- FILE [--json]')]).rest(z.literal('--json'));

async function main(): Promise<void> {
  const args = ArgsSchema.safeParse(process.argv.slice(2));
  if (!args.success) exitWith('usage: npm run --silent eval -- FILE [--json]');
  const [file, ...flags] = args.data;
  const text = await readFile(file, 'utf8').catch((err: Error) => exitWith(`eval: cannot read ${file}: ${err.message}`));
  const rows = parseJsonLines(text, LabelledUtteranceSchema);
  const bad = rows.filter((r) => !r.ok);
  for (const r of bad) if (!r.ok) process.stderr.write(`eval: ${file}: ${r.error} (skipped)\n`);
  const examples = rows.flatMap((r) => (r.ok ? [r.value] : []));
  if (examples.length === 0) exitWith(`eval: ${file}: no valid labelled lines`);
  const triage = await loadTriageForCli();
  const report = evaluate(examples, (t) => triage.classify(t));
  process.stdout.write(flags.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
}

main().catch(exitWith);
