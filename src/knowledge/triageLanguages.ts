import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { filesIn, KnowledgeError, readJson } from './files.js';
import { parseJsonLines } from './jsonl.js';
import { LabelledUtteranceSchema, type LabelledUtterance, type Languages } from './schemas.js';

/**
 * Languages the bot triages besides English (Vietnamese first): each has its own training
 * utterances (knowledge/training/<code>/*.jsonl), its own lexicon and the sentences of its answers
 * (knowledge/language/<code>/lexicon.json, replies.json). Adding one needs no code change.
 */

const foldedWord = z.string().regex(/^\p{L}[\p{L}0-9-]*$/u, 'one word').refine((w) => w === w.toLowerCase(), 'lower case');

/** knowledge/language/<code>/lexicon.json: the features' word lists, and how the language is written in chat. */
export const TriageLexiconSchema = z
  .object({
    _comment: z.string().optional(),
    /**
     * Lower-case letters only this language uses among those the bot recognises (Vietnamese "ơ", "ư",
     * "ạ", …): two in a message name the language even when it is too short for the identifier.
     */
    ownLetters: z.string().regex(/^\p{Ll}+$/u, 'lower-case letters, nothing else').optional(),
    /** Chat spellings ("ko", "dc", "pass") and what they stand for (one or more words). */
    shorthand: z.record(foldedWord, z.string().trim().min(1)),
    /** Words that negate the next few words ("không", "chưa"). */
    negations: z.array(foldedWord).min(1),
    /** Words that carry no support meaning. */
    stopwords: z.array(foldedWord),
    /** Feature lists by name, as in knowledge/language/lexicon.json (the taxonomy's rules read the same names). */
    lists: z.record(z.string().regex(/^[a-zA-Z]+$/), z.array(z.string().trim().min(1)).min(1)),
  })
  .strict();
export type TriageLexicon = z.infer<typeof TriageLexiconSchema>;

const sentence = z.string().trim().min(1).max(400, 'must be one or two short sentences');
/** A rule of the policy in this language: its title, and whose responsibility in one line. */
const rule = z.object({ title: z.string().trim().min(1), inBrief: sentence }).strict();

/** knowledge/language/<code>/replies.json: what the bot says after triaging a message in that language. */
export const TriageRepliesSchema = z
  .object({
    _comment: z.string().optional(),
    /** In scope, by intent: that support covers it (the offer of a person or a ticket follows). */
    inScope: z.object({ troubleshoot: sentence, warranty: sentence, ticket_status: sentence, other: sentence }).strict(),
    /** Out of scope: `{clause}` is replaced by the clause's title in this language. */
    outOfScope: sentence.refine((s) => s.includes('{clause}'), 'must hold {clause}'),
    adviceOnly: sentence.refine((s) => s.includes('{clause}'), 'must hold {clause}'),
    needsDiagnosis: sentence.refine((s) => s.includes('{clause}'), 'must hold {clause}'),
    /** The policy's rules in this language: titles, and a one-line "whose responsibility" for each. */
    clauses: z
      .object({
        third_party_equipment: rule,
        applications: rule,
        customer_network: rule,
        data_backup: rule,
        advice_only: rule,
        needs_diagnosis: rule,
      })
      .strict(),
    /** The question after any of the above. */
    offer: sentence,
    /** The classifier is unsure: say so and offer a person or a ticket (no clarifying question in this language yet). */
    unclear: sentence,
    offTopic: z.object({ greeting: sentence, other: sentence }).strict(),
    /** "Is there anything else I can help you with?", asked in this language when its answer is done. */
    anythingElse: sentence,
  })
  .strict();
export type TriageReplies = z.infer<typeof TriageRepliesSchema>;

export interface TriageLanguage {
  /** ISO 639-1, as in knowledge/language/languages.json. */
  code: string;
  training: LabelledUtterance[];
  lexicon: TriageLexicon;
  replies: TriageReplies;
}

/**
 * Every subdirectory of knowledge/training is a language triaged besides English, named by its
 * ISO 639-1 code; the language must have sentences in languages.json (its buttons and handoff lines).
 */
export async function loadTriageLanguages(dir: string, languages: Languages): Promise<TriageLanguage[]> {
  const trainingDir = path.join(dir, 'training');
  const entries = await readdir(trainingDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new KnowledgeError(trainingDir, err.message);
  });
  const result: TriageLanguage[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const code = entry.name;
    const where = path.join(trainingDir, code);
    if (!languages.languages.some((l) => l.code === code)) {
      throw new KnowledgeError(where, `"${code}" is not a language with sentences in language/languages.json`);
    }
    const training: LabelledUtterance[] = [];
    for (const file of await filesIn(where, '.jsonl')) {
      for (const r of parseJsonLines(await readFile(file, 'utf8'), LabelledUtteranceSchema)) {
        if (!r.ok) throw new KnowledgeError(file, r.error);
        training.push(r.value);
      }
    }
    if (training.length === 0) throw new KnowledgeError(where, 'no training utterances');
    const lexicon = await readJson(path.join(dir, 'language', code, 'lexicon.json'), TriageLexiconSchema);
    const replies = await readJson(path.join(dir, 'language', code, 'replies.json'), TriageRepliesSchema);
    result.push({ code, training, lexicon, replies });
  }
  return result;
}
