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
    /** The policy document (file under shared/policies) and the sentence(s) quoted from it. */
    source: z.string().min(1),
    policyText: z.string().min(1),
    /** What the bot tells the customer: why this is (or may be) their responsibility. */
    customerMessage: z.string().min(1),
    /** What support may still do under the policy. */
    stillPossible: z.array(z.string().min(1)).min(1),
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
