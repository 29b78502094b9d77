import { SCOPES, type ScopeDecision } from '../domain/scope.js';
import type { LabelledUtterance } from '../knowledge/schemas.js';

export interface LabelScore {
  label: string;
  support: number;
  precision: number;
  recall: number;
}

export interface EvaluationReport {
  examples: number;
  /** The language the messages are triaged in: "en", or one with a classifier of its own ("vi"). */
  language: string;
  scopeAccuracy: number;
  /** Gold out_of_scope messages that were classified out_of_scope (the clause may differ). */
  outOfScopeRecall: number;
  /** Among gold out_of_scope messages, scope and clause both right. */
  clauseAccuracy: number;
  intentAccuracy: number;
  /** scope, clause and intent all right. */
  exactAccuracy: number;
  perScope: LabelScore[];
  perClause: LabelScore[];
  perIntent: LabelScore[];
  /** confusion[gold][predicted] = count, over the five scopes. */
  confusion: Record<string, Record<string, number>>;
  /** Messages not read in the report's language (another language, or English in a Vietnamese file): "code: text". */
  otherLanguage: string[];
  errors: Array<{ text: string; expected: string; got: string; confidence: number }>;
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 1000) / 1000);

function scores(pairs: Array<[gold: string, predicted: string]>): LabelScore[] {
  const labels = [...new Set(pairs.flatMap(([g, p]) => [g, p]))].sort();
  return labels.map((label) => {
    const tp = pairs.filter(([g, p]) => g === label && p === label).length;
    const predicted = pairs.filter(([, p]) => p === label).length;
    const support = pairs.filter(([g]) => g === label).length;
    return { label, support, precision: ratio(tp, predicted), recall: ratio(tp, support) };
  });
}

const fullLabel = (x: { scope: string; clause?: string | null; intent: string }) => `${x.scope}${x.clause ? `/${x.clause}` : ''} ${x.intent}`;

/**
 * Scores the decisions against the labels. `language` is the language the file is written in ("en"
 * for English); by default the one most of its messages are read in, so a Vietnamese file
 * (test/heldout-vi.jsonl) is scored as Vietnamese, and its messages read as English are listed.
 */
export function evaluate(examples: readonly LabelledUtterance[], classify: (text: string) => ScopeDecision, language?: string): EvaluationReport {
  const results = examples.map((gold) => ({ gold, got: classify(gold.text) }));
  const languageOf = (d: ScopeDecision) => d.language ?? 'en';
  const fileLanguage = language ?? mostCommon(results.map((r) => languageOf(r.got))) ?? 'en';
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of SCOPES) confusion[g] = Object.fromEntries(SCOPES.map((p) => [p, 0]));
  for (const { gold, got } of results) {
    const row = confusion[gold.scope];
    if (row) row[got.scope] = (row[got.scope] ?? 0) + 1;
  }
  const oos = results.filter((r) => r.gold.scope === 'out_of_scope');
  const clauseOf = (x: { scope: string; clause?: string | null }) => (x.scope === 'out_of_scope' ? (x.clause ?? '?') : '(none)');
  return {
    examples: results.length,
    language: fileLanguage,
    scopeAccuracy: ratio(results.filter((r) => r.gold.scope === r.got.scope).length, results.length),
    outOfScopeRecall: ratio(oos.filter((r) => r.got.scope === 'out_of_scope').length, oos.length),
    clauseAccuracy: ratio(oos.filter((r) => r.got.scope === 'out_of_scope' && r.got.clause === r.gold.clause).length, oos.length),
    intentAccuracy: ratio(results.filter((r) => r.gold.intent === r.got.intent).length, results.length),
    exactAccuracy: ratio(results.filter((r) => fullLabel(r.gold) === fullLabel(r.got)).length, results.length),
    perScope: scores(results.map((r) => [r.gold.scope, r.got.scope])),
    perClause: scores(results.filter((r) => r.gold.scope === 'out_of_scope' || r.got.scope === 'out_of_scope').map((r) => [clauseOf(r.gold), clauseOf(r.got)])),
    perIntent: scores(results.map((r) => [r.gold.intent, r.got.intent])),
    confusion,
    otherLanguage: results.filter((r) => languageOf(r.got) !== fileLanguage).map((r) => `${languageOf(r.got)}: ${r.gold.text}`),
    errors: results
      .filter((r) => fullLabel(r.gold) !== fullLabel(r.got))
      .map((r) => ({ text: r.gold.text, expected: fullLabel(r.gold), got: fullLabel(r.got), confidence: r.got.confidence })),
  };
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatReport(r: EvaluationReport): string {
  const out: string[] = [];
  out.push(`examples            ${r.examples}${r.language === 'en' ? '' : `  (language ${r.language}: triaged by its own classifier)`}`);
  out.push(`scope accuracy      ${pct(r.scopeAccuracy)}`);
  out.push(`out-of-scope recall ${pct(r.outOfScopeRecall)}`);
  out.push(`clause accuracy     ${pct(r.clauseAccuracy)}  (gold out_of_scope: scope and clause right)`);
  out.push(`intent accuracy     ${pct(r.intentAccuracy)}`);
  out.push(`exact (all labels)  ${pct(r.exactAccuracy)}`);
  out.push(
    r.language === 'en'
      ? `other language      ${r.otherLanguage.length}  (read as a language the bot does not speak, answered in it)`
      : `not read as ${r.language}     ${r.otherLanguage.length}  (read as English or another language, so not triaged in ${r.language})`,
    '',
  );
  for (const [title, rows] of [['scope', r.perScope], ['clause', r.perClause], ['intent', r.perIntent]] as const) {
    out.push(`${title.padEnd(36)} support  precision  recall`);
    for (const s of rows) out.push(`  ${s.label.padEnd(34)} ${String(s.support).padStart(7)}  ${pct(s.precision).padStart(9)}  ${pct(s.recall).padStart(6)}`);
    out.push('');
  }
  out.push('confusion (rows: expected scope, columns: predicted)');
  const short = (s: string) => s.slice(0, 10);
  out.push(`${''.padEnd(16)}${SCOPES.map((s) => short(s).padStart(11)).join('')}`);
  for (const g of SCOPES) out.push(`${g.padEnd(16)}${SCOPES.map((p) => String(r.confusion[g]?.[p] ?? 0).padStart(11)).join('')}`);
  if (r.otherLanguage.length > 0) out.push('', r.language === 'en' ? 'read as another language:' : `not read as ${r.language}:`, ...r.otherLanguage.map((t) => `  ${t}`));
  if (r.errors.length > 0) {
    out.push('', `misclassified (${r.errors.length}):`);
    for (const e of r.errors) out.push(`  expected ${e.expected} | got ${e.got} (${e.confidence}) | ${e.text}`);
  }
  return `${out.join('\n')}\n`;
}

/** A message and the language it is written in (ISO 639-1, "en" for English): test/heldout-languages.jsonl. */
export interface LanguageSample {
  text: string;
  language: string;
}

export interface LanguageReport {
  examples: number;
  /** English messages taken for another language: each one would get an answer the customer may not read. */
  english: number;
  englishMisfires: number;
  /** Messages in another language recognised as not English (they get the person-or-ticket offer). */
  other: number;
  otherRecognised: number;
  /** Among those, the language named exactly. */
  otherExact: number;
  errors: Array<{ text: string; expected: string; got: string }>;
}

/** How well languages the bot does not speak are told from English; `identify` answers "en" for English. */
export function evaluateLanguages(samples: readonly LanguageSample[], identify: (text: string) => string): LanguageReport {
  const results = samples.map((s) => ({ ...s, got: identify(s.text) }));
  const english = results.filter((r) => r.language === 'en');
  const other = results.filter((r) => r.language !== 'en');
  return {
    examples: results.length,
    english: english.length,
    englishMisfires: english.filter((r) => r.got !== 'en').length,
    other: other.length,
    otherRecognised: other.filter((r) => r.got !== 'en').length,
    otherExact: other.filter((r) => r.got === r.language).length,
    errors: results.filter((r) => r.got !== r.language).map((r) => ({ text: r.text, expected: r.language, got: r.got })),
  };
}

export function formatLanguageReport(r: LanguageReport): string {
  const out = [
    `examples                      ${r.examples}`,
    `English read as another       ${r.englishMisfires} of ${r.english}`,
    `other languages recognised    ${pct(r.other === 0 ? 0 : r.otherRecognised / r.other)}  (${r.otherRecognised} of ${r.other}: offered a person or a ticket)`,
    `  ... with the language right ${pct(r.other === 0 ? 0 : r.otherExact / r.other)}  (${r.otherExact} of ${r.other})`,
  ];
  if (r.errors.length > 0) out.push('', `wrong (${r.errors.length}):`, ...r.errors.map((e) => `  expected ${e.expected} | got ${e.got} | ${e.text}`));
  return `${out.join('\n')}\n`;
}
