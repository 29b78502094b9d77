import { z } from 'zod';
import shipped from '../../knowledge/warranty/answers/phrases.json' with { type: 'json' };
import { normaliseAnswer, type AnswerPhrases } from '../domain/warranty/AnswerReader.js';
import { KnowledgeError, readJson } from './files.js';
import { describeZodError } from './jsonl.js';

/** Where the shipped phrases live, for error messages. */
export const ANSWER_PHRASES_FILE = 'knowledge/warranty/answers/phrases.json';

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

/** Reads and validates a phrase file (another KNOWLEDGE_DIR's copy, or a test's). */
export function loadAnswerPhrases(file: string): Promise<AnswerPhrases> {
  return readJson(file, AnswerPhrasesSchema);
}

/**
 * The shipped phrases, validated when this module loads. Imported rather than read from
 * KNOWLEDGE_DIR because the warranty dialog is built where the knowledge base does not reach
 * (buildBot / composeSupportDesk pass it only the policies): to serve another directory's copy,
 * load it with `loadAnswerPhrases` and hand the reader to WarrantyDialog.
 */
export const SHIPPED_ANSWER_PHRASES: AnswerPhrases = parseAnswerPhrases(shipped, ANSWER_PHRASES_FILE);
