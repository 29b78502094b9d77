import path from 'node:path';
import { z } from 'zod';
import { normaliseAnswer, type AnswerPhrases } from '../domain/warranty/AnswerReader.js';
import { KnowledgeError, readJson } from './files.js';
import { describeZodError } from './jsonl.js';

/** Where the shipped phrases live, relative to the project. */
export const ANSWER_PHRASES_FILE = 'knowledge/warranty/answers/phrases.json';

/** warranty/answers/phrases.json under a knowledge directory (KNOWLEDGE_DIR). */
export const answerPhrasesFile = (knowledgeDir: string) => path.join(knowledgeDir, 'warranty', 'answers', 'phrases.json');

const phrase = z
  .string()
  .trim()
  .refine((p) => normaliseAnswer(p) !== '', 'must hold a letter or digit');
const phrases = z.array(phrase).min(1);

/** knowledge/warranty/answers/phrases.json: how the warranty questions' answers are read. */
export const AnswerPhrasesSchema = z
  .object({
    unknown: z.object({ phrases, cannot: phrases, verbs: phrases }).strict(),
    noNumber: phrases,
  })
  .strict() satisfies z.ZodType<AnswerPhrases>;

/** Validates phrase data; a KnowledgeError names `file` and the field. */
export function parseAnswerPhrases(json: unknown, file: string): AnswerPhrases {
  const parsed = AnswerPhrasesSchema.safeParse(json);
  if (!parsed.success) throw new KnowledgeError(file, describeZodError(parsed.error));
  return parsed.data;
}

/** Reads and validates a phrase file; loadKnowledge reads KNOWLEDGE_DIR's with the rest of the knowledge. */
export function loadAnswerPhrases(file: string): Promise<AnswerPhrases> {
  return readJson(file, AnswerPhrasesSchema);
}
