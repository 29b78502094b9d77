import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ServicePromiseKnowledge } from '../domain/ServicePromiseAnswers.js';
import { DEFAULT_VENDOR_NAME, withVendor } from '../domain/Vendor.js';
import type { AnswerPhrases } from '../domain/warranty/AnswerReader.js';
import type { WarrantyPolicy } from '../domain/warranty/WarrantyPolicy.js';
import { filesIn, KnowledgeError, readJson } from './files.js';
import { parseJsonLines } from './jsonl.js';
import { loadServicePromise, servicePromiseFile } from './servicePromise.js';
import { answerPhrasesFile, loadAnswerPhrases } from './warrantyAnswers.js';
import { loadWarrantyPolicies } from './warrantyPolicies.js';
import { loadCannedReplies, type CannedReply } from './cannedReplies.js';
import { loadTriageLanguages, type TriageLanguage } from './triageLanguages.js';
import {
  InterruptionPhrasesSchema,
  LabelledUtteranceSchema,
  LanguagesSchema,
  LexiconSchema,
  NetworkDiagnosisSchema,
  PolicyClauseSchema,
  SpellingSchema,
  TroubleshootingGuideSchema,
  type InterruptionPhrases,
  type LabelledUtterance,
  type Languages,
  type Lexicon,
  type NetworkDiagnosis,
  type PolicyClause,
  type Spelling,
  type TroubleshootingGuide,
} from './schemas.js';

/** Everything under knowledge/, validated. Adding a clause, guide or utterance needs no code change. */
export interface KnowledgeBase {
  clauses: PolicyClause[];
  training: LabelledUtterance[];
  guides: TroubleshootingGuide[];
  diagnosis: NetworkDiagnosis;
  interruptions: InterruptionPhrases;
  lexicon: Lexicon;
  /** Chat spellings the spelling tolerance cannot reach by edit distance. */
  spelling: Spelling;
  /** What the bot says to a customer writing in a language it does not speak. */
  languages: Languages;
  /** Languages triaged by a classifier of their own (Vietnamese): knowledge/training/<code>/, knowledge/language/<code>/. */
  triageLanguages: TriageLanguage[];
  warrantyPolicies: WarrantyPolicy[];
  /** How answers to the warranty questions are read ("no idea", "there is no number"). */
  answerPhrases: AnswerPhrases;
  /** General service-promise questions (hotline, upgrades, parts, fees) and their cited answers. */
  servicePromise: ServicePromiseKnowledge;
  /** The name the bot speaks for the vendor with; `{vendor}` in the files above is filled with it. */
  vendorName: string;
  /** The sample device registry imported into an empty store on first start (CSV). */
  sampleRegistryFile: string;
  /** The agent console's canned replies (knowledge/console/canned-replies.json). */
  cannedReplies: CannedReply[];
}

export { KnowledgeError };

export interface KnowledgeOptions {
  /** Fills `{vendor}` in the knowledge text (VENDOR_NAME); default {@link DEFAULT_VENDOR_NAME}. */
  vendorName?: string;
}

export async function loadKnowledge(dir: string, options: KnowledgeOptions = {}): Promise<KnowledgeBase> {
  const vendorName = options.vendorName ?? DEFAULT_VENDOR_NAME;
  const clauses = await readJson(path.join(dir, 'policy', 'clauses.json'), z.array(PolicyClauseSchema).min(1));
  const ids = new Set<string>();
  for (const c of clauses) {
    if (ids.has(c.id)) throw new KnowledgeError(path.join(dir, 'policy', 'clauses.json'), `duplicate clause id "${c.id}"`);
    ids.add(c.id);
  }

  const training: LabelledUtterance[] = [];
  for (const file of await filesIn(path.join(dir, 'training'), '.jsonl')) {
    for (const result of parseJsonLines(await readFile(file, 'utf8'), LabelledUtteranceSchema)) {
      // Training data is ours: a bad line is a bug to fix, not to skip.
      if (!result.ok) throw new KnowledgeError(file, result.error);
      training.push(result.value);
    }
  }
  if (training.length === 0) throw new KnowledgeError(path.join(dir, 'training'), 'no training utterances');

  const guides: TroubleshootingGuide[] = [];
  for (const file of await filesIn(path.join(dir, 'guides'), '.json')) guides.push(await readJson(file, TroubleshootingGuideSchema));

  // The bot's own words may name the vendor ({vendor}); quoted policy text never holds the placeholder.
  const vendored = withVendor({ clauses, guides }, vendorName);
  const languages = await readJson(path.join(dir, 'language', 'languages.json'), LanguagesSchema);
  return {
    clauses: vendored.clauses,
    training,
    guides: vendored.guides,
    diagnosis: await readJson(path.join(dir, 'diagnosis', 'tcpip-checks.json'), NetworkDiagnosisSchema),
    interruptions: await readJson(path.join(dir, 'interruptions.json'), InterruptionPhrasesSchema),
    lexicon: await readJson(path.join(dir, 'language', 'lexicon.json'), LexiconSchema),
    spelling: await readJson(path.join(dir, 'language', 'spelling.json'), SpellingSchema),
    languages,
    triageLanguages: await loadTriageLanguages(dir, languages),
    warrantyPolicies: withVendor(await loadWarrantyPolicies(path.join(dir, 'warranty')), vendorName),
    answerPhrases: await loadAnswerPhrases(answerPhrasesFile(dir)),
    servicePromise: withVendor(await loadServicePromise(servicePromiseFile(dir)), vendorName),
    vendorName,
    sampleRegistryFile: path.join(dir, 'devices', 'sample-registry.csv'),
    cannedReplies: await loadCannedReplies(dir),
  };
}
