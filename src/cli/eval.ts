/**
 * Evaluates the classifier on a labelled JSONL file ({"text","scope","clause","intent"} per line):
 * scope accuracy, clause accuracy, intent accuracy, per-label precision/recall, out-of-scope recall
 * and a confusion matrix.
 *
 *   npm run --silent eval -- FILE [--json]
 *   npm run --silent eval -- --cv K [--json]          K-fold cross-validation on knowledge/training itself
 *   npm run --silent eval -- --cv K --language vi [--json]  the same on a triaged language's own training (knowledge/training/vi)
 *   npm run --silent eval -- --languages FILE [--json] languages the bot does not speak ({"text","language"} per line)
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import type { ScopeDecision } from '../domain/scope.js';
import { loadKnowledge } from '../knowledge/KnowledgeBase.js';
import { parseJsonLines } from '../knowledge/jsonl.js';
import { LabelledUtteranceSchema, LanguageSampleSchema, type LabelledUtterance } from '../knowledge/schemas.js';
import { buildTriage } from '../language/buildTriage.js';
import { evaluate, evaluateLanguages, formatLanguageReport, formatReport, type EvaluationReport, type LanguageReport } from '../language/evaluation.js';
import { exitWith, loadTriageForCli } from './loadTriage.js';

const USAGE =
  'usage: npm run --silent eval -- FILE [--json]   or   npm run --silent eval -- --cv K [--language CODE] [--json]   or   npm run --silent eval -- --languages FILE [--json]';

const FileSchema = z.string().min(1).refine((f) => !f.startsWith('--'));
const FoldsSchema = z.coerce.number().int().min(2).max(20);
const ArgsSchema = z.union([
  z.tuple([z.literal('--cv'), FoldsSchema, z.literal('--language'), z.string().regex(/^[a-z]{2}$/, 'an ISO 639-1 code')]).rest(z.literal('--json')),
  z.tuple([z.literal('--cv'), FoldsSchema]).rest(z.literal('--json')),
  z.tuple([z.literal('--languages'), FileSchema]).rest(z.literal('--json')),
  z.tuple([FileSchema]).rest(z.literal('--json')),
]);

async function readOrExit(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: Error) => exitWith(`eval: cannot read ${file}: ${err.message}`));
}

/** Each message through the triage: the language it names, or "en" when it reads the message as English. */
async function languageReport(file: string): Promise<LanguageReport> {
  const rows = parseJsonLines(await readOrExit(file), LanguageSampleSchema);
  for (const r of rows) if (!r.ok) process.stderr.write(`eval: ${file}: ${r.error} (skipped)\n`);
  const samples = rows.flatMap((r) => (r.ok ? [r.value] : []));
  if (samples.length === 0) exitWith(`eval: ${file}: no valid {"text","language"} lines`);
  const triage = await loadTriageForCli();
  return evaluateLanguages(samples, (t) => triage.triage(t).language?.code ?? 'en');
}

async function fileReport(file: string): Promise<EvaluationReport> {
  const rows = parseJsonLines(await readOrExit(file), LabelledUtteranceSchema);
  for (const r of rows) if (!r.ok) process.stderr.write(`eval: ${file}: ${r.error} (skipped)\n`);
  const examples = rows.flatMap((r) => (r.ok ? [r.value] : []));
  if (examples.length === 0) exitWith(`eval: ${file}: no valid labelled lines`);
  const triage = await loadTriageForCli();
  return evaluate(examples, (t) => triage.classify(t));
}

/**
 * Each utterance is classified by models trained on the other folds (fold = position mod K): the
 * English training, or with `language` that language's own (knowledge/training/<code>), through the
 * whole triage (a message not recognised as that language counts against it).
 */
async function crossValidation(folds: number, language?: string): Promise<EvaluationReport> {
  const config = loadConfig();
  const knowledge = await loadKnowledge(config.knowledgeDir);
  const own = language === undefined ? undefined : knowledge.triageLanguages.find((l) => l.code === language);
  if (language !== undefined && !own) exitWith(`eval: no triage language "${language}" (knowledge/training/${language}/)`);
  const all = own ? own.training : knowledge.training;
  const predictions = new Map<LabelledUtterance, ScopeDecision>();
  for (let fold = 0; fold < folds; fold += 1) {
    const training = all.filter((_, i) => i % folds !== fold);
    const folded = own
      ? { ...knowledge, triageLanguages: knowledge.triageLanguages.map((l) => (l === own ? { ...l, training } : l)) }
      : { ...knowledge, training };
    const { triage } = buildTriage(folded, config.triageConfidenceThreshold);
    all.forEach((u, i) => {
      if (i % folds === fold) predictions.set(u, triage.classify(u.text));
    });
  }
  const byText = new Map([...predictions].map(([u, d]) => [u.text, d]));
  return evaluate(all, (text) => byText.get(text) ?? exitWith(`eval: no prediction for "${text}"`), language ?? 'en');
}

async function main(): Promise<void> {
  const args = ArgsSchema.safeParse(process.argv.slice(2));
  if (!args.success) exitWith(USAGE);
  const json = args.data.includes('--json');
  if (args.data[0] === '--languages') {
    const report = await languageReport(String(args.data[1]));
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatLanguageReport(report));
    return;
  }
  const report =
    args.data[0] === '--cv'
      ? await crossValidation(Number(args.data[1]), args.data[2] === '--language' ? String(args.data[3]) : undefined)
      : await fileReport(String(args.data[0]));
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
}

main().catch(exitWith);
