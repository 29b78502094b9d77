import { z } from 'zod';
import { CLAUSES, INTENTS, SCOPES } from '../domain/scope.js';

/** One labelled customer message, as in shared/scope-taxonomy.md. */
export const LabelledUtteranceSchema = z
  .object({
    text: z.string().trim().min(1, 'text must not be empty'),
    scope: z.enum(SCOPES),
    clause: z.enum(CLAUSES).nullable().optional(),
    intent: z.enum(INTENTS),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (u.scope === 'out_of_scope' && !u.clause) {
      ctx.addIssue({ code: 'custom', path: ['clause'], message: 'out_of_scope needs a clause' });
    }
    if (u.scope !== 'out_of_scope' && u.clause) {
      ctx.addIssue({ code: 'custom', path: ['clause'], message: `a clause is only allowed with out_of_scope (scope is ${u.scope})` });
    }
  });
export type LabelledUtterance = z.infer<typeof LabelledUtteranceSchema>;

/**
 * A rule of the support policy the bot cites. `id` is a clause label for out_of_scope rules,
 * or the scope itself for `advice_only` and `needs_diagnosis`.
 */
export const PolicyClauseSchema = z
  .object({
    id: z.string().regex(/^[a-z_]+$/),
    scope: z.enum(['out_of_scope', 'advice_only', 'needs_diagnosis']),
    title: z.string().min(1),
    /** The answer's first sentence: whose responsibility, in a line (the clause's title follows it). */
    inBrief: z.string().trim().min(1).max(200, 'must be one short sentence'),
    /** The policy document (file under shared/policies) and the sentence(s) quoted from it. */
    source: z.string().min(1),
    policyText: z.string().min(1),
    /** What the bot tells the customer: why this is (or may be) their responsibility. */
    customerMessage: z.string().min(1),
    /** What support may still do under the policy. */
    stillPossible: z.array(z.string().min(1)).min(1),
    /**
     * General advice the bot may give although the matter is the customer's, by what the message is
     * about: an entry is shown when one of its `about` words (lower case, as the classifier reads
     * them, misspellings corrected) is in the message.
     */
    advice: z
      .array(
        z
          .object({
            about: z.array(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'one lower-case word')).min(1),
            lines: z.array(z.string().min(1)).min(1),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type PolicyClause = z.infer<typeof PolicyClauseSchema>;

/** A troubleshooting guide for one in-scope topic; `examples` train the topic matcher. */
export const TroubleshootingGuideSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    examples: z.array(z.string().min(3)).min(5),
    steps: z.array(z.string().min(3)).min(3).max(10),
    /** Shown when the steps did not help: what to have ready for a ticket. */
    ifNotFixed: z.string().min(1),
    /** Shown with the steps: what the customer should know besides them (e.g. that upgrades are free). */
    note: z.string().min(1).optional(),
  })
  .strict();
export type TroubleshootingGuide = z.infer<typeof TroubleshootingGuideSchema>;

/** One check of the "does our device route TCP/IP properly?" walk-through. */
export const NetworkCheckSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    question: z.string().min(1),
    howTo: z.array(z.string().min(1)).min(1),
    /** Said when the device fails this check: the problem is ours and this is what to do. */
    ifFails: z.string().min(1),
  })
  .strict();
export const NetworkDiagnosisSchema = z
  .object({
    intro: z.string().min(1),
    checks: z.array(NetworkCheckSchema).min(1),
    /** Said when the device passes every check: the rest is in the customer's network. */
    allPassed: z.string().min(1),
  })
  .strict();
export type NetworkDiagnosis = z.infer<typeof NetworkDiagnosisSchema>;

/** Phrases that interrupt any dialog. Matched whole-message, case- and punctuation-insensitive. */
export const InterruptionPhrasesSchema = z
  .object({
    help: z.array(z.string().min(1)).min(1),
    cancel: z.array(z.string().min(1)).min(1),
    startOver: z.array(z.string().min(1)).min(1),
    human: z.array(z.string().min(1)).min(1),
    /** "why?", "show the policy": the policy's own words for the clause the bot just applied. */
    policy: z.array(z.string().min(1)).min(1),
  })
  .strict();
export type InterruptionPhrases = z.infer<typeof InterruptionPhrasesSchema>;

/** Word lists turned into classifier features; keys starting with "_" are comments. */
export const LexiconSchema = z.record(z.string(), z.union([z.string(), z.array(z.string().min(1))])).transform((raw) => {
  const lists: Record<string, string[]> = {};
  for (const [name, words] of Object.entries(raw)) {
    if (!name.startsWith('_') && Array.isArray(words)) lists[name] = words;
  }
  return lists;
});
export type Lexicon = z.infer<typeof LexiconSchema>;

/** Chat spellings mapped to the word they mean (knowledge/language/spelling.json). */
export const SpellingSchema = z
  .object({
    _comment: z.string().optional(),
    shorthand: z.record(z.string().regex(/^[a-z]+$/, 'a shorthand is one lower-case word'), z.string().regex(/^[a-z]+$/, 'its meaning is one lower-case word')),
  })
  .strict();
export type Spelling = z.infer<typeof SpellingSchema>;

/** What the bot says, in one language, to a customer whose language it does not speak. */
export const LanguageRepliesSchema = z
  .object({
    /** The first answer: the bot chats in English only; a person or a ticket? */
    reply: z.string().min(1),
    /** Button titles. */
    person: z.string().min(1),
    ticket: z.string().min(1),
    noThanks: z.string().min(1),
    /** Said before the handoff's own messages. */
    personNext: z.string().min(1),
    /** Said before the ticket questions (which are in English). */
    ticketNext: z.string().min(1),
    declined: z.string().min(1),
  })
  .strict();
export type LanguageReplies = z.infer<typeof LanguageRepliesSchema>;

const LanguageNameSchema = z.object({
  /** ISO 639-1: what the ticket or handoff records. */
  code: z.string().regex(/^[a-z]{2}$/, 'an ISO 639-1 code (two lower-case letters)'),
  /** ISO 639-3, as franc reports it. */
  franc: z.string().regex(/^[a-z]{3}$/, 'an ISO 639-3 code (three lower-case letters)'),
  /** The English name, for staff. */
  name: z.string().min(1),
  /**
   * Very common words of the language, lower case: evidence that a Latin-script message without
   * accents is in this language, and a check on franc's choice between close languages on short
   * text. Optional (a language with a script of its own needs none).
   */
  commonWords: z
    .array(z.string().regex(/^\p{L}+$/u, 'one word').refine((w) => w === w.toLowerCase(), 'lower case'))
    .optional(),
});

export const OtherLanguageSchema = LanguageNameSchema.extend(LanguageRepliesSchema.shape).strict();
export type OtherLanguage = z.infer<typeof OtherLanguageSchema>;

/** knowledge/language/languages.json. */
export const LanguagesSchema = z
  .object({
    _comment: z.string().optional(),
    /** English: for languages recognised without sentences of their own. */
    fallback: LanguageRepliesSchema,
    languages: z.array(OtherLanguageSchema).min(1),
    alsoRecognised: z.array(LanguageNameSchema.strict()).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const all = [...file.languages, ...file.alsoRecognised];
    const seen = new Set<string>();
    all.forEach((l, i) => {
      const where = i < file.languages.length ? ['languages', i] : ['alsoRecognised', i - file.languages.length];
      if (l.code === 'en' || l.franc === 'eng') ctx.addIssue({ code: 'custom', path: where, message: 'English is the language the bot speaks, not another one' });
      for (const key of [l.code, l.franc]) {
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: where, message: `"${key}" is listed twice` });
        seen.add(key);
      }
    });
  });
export type Languages = z.infer<typeof LanguagesSchema>;

/** One line of test/heldout-languages.jsonl: a message and its language (ISO 639-1; "en" for English). */
export const LanguageSampleSchema = z
  .object({
    text: z.string().trim().min(1, 'text must not be empty'),
    language: z.string().regex(/^[a-z]{2,3}$/, 'an ISO 639-1 (or 639-3) code'),
  })
  .strict();
