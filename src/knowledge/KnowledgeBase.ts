import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { WarrantyPolicy } from '../domain/warranty/WarrantyPolicy.js';
import { filesIn, KnowledgeError, readJson } from './files.js';
import { parseJsonLines } from './jsonl.js';
import { loadWarrantyPolicies } from './warrantyPolicies.js';
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
  warrantyPolicies: WarrantyPolicy[];
  /** The sample device registry imported into an empty store on first start (CSV). */
  sampleRegistryFile: string;
}

export { KnowledgeError };

export async function loadKnowledge(dir: string): Promise<KnowledgeBase> {
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

  return {
    clauses,
    training,
    guides,
    diagnosis: await readJson(path.join(dir, 'diagnosis', 'tcpip-checks.json'), NetworkDiagnosisSchema),
    interruptions: await readJson(path.join(dir, 'interruptions.json'), InterruptionPhrasesSchema),
    lexicon: await readJson(path.join(dir, 'language', 'lexicon.json'), LexiconSchema),
    spelling: await readJson(path.join(dir, 'language', 'spelling.json'), SpellingSchema),
    languages: await readJson(path.join(dir, 'language', 'languages.json'), LanguagesSchema),
    warrantyPolicies: await loadWarrantyPolicies(path.join(dir, 'warranty')),
    sampleRegistryFile: path.join(dir, 'devices', 'sample-registry.csv'),
  };
}
