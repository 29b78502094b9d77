import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { describeZodError, parseJsonLines } from './jsonl.js';
import {
  InterruptionPhrasesSchema,
  LabelledUtteranceSchema,
  LexiconSchema,
  NetworkDiagnosisSchema,
  PolicyClauseSchema,
  TroubleshootingGuideSchema,
  type InterruptionPhrases,
  type LabelledUtterance,
  type Lexicon,
  type NetworkDiagnosis,
  type PolicyClause,
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
}

export class KnowledgeError extends Error {
  constructor(file: string, detail: string) {
    super(`knowledge: ${file}: ${detail}`);
    this.name = 'KnowledgeError';
  }
}

async function readJson<T>(file: string, schema: z.ZodType<T>): Promise<T> {
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

async function filesIn(dir: string, ext: string): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new KnowledgeError(dir, err.code === 'ENOENT' ? 'directory is missing' : err.message);
  });
  return names.filter((n) => n.endsWith(ext)).sort().map((n) => path.join(dir, n));
}

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
  };
}
