import path from 'node:path';
import { z } from 'zod';
import type { ServicePromiseKnowledge } from '../domain/ServicePromiseAnswers.js';
import { readJson } from './files.js';

/** A case-insensitive regular expression that compiles. */
const Cue = z
  .string()
  .min(1)
  .refine(
    (s) => {
      try {
        new RegExp(s, 'i');
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid regular expression' },
  );

const TopicSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().trim().min(1),
    cues: z.array(Cue).min(1),
    answer: z.string().trim().min(1, 'must answer the customer'),
    clause: z.string().regex(/^\(\d\)(?:, \(\d\))*$/, 'must name the policy paragraphs, e.g. "(3)"'),
    policyText: z.string().trim().min(1, 'must quote the policy'),
  })
  .strict();

export const ServicePromiseSchema = z
  .object({
    id: z.string().min(1),
    title: z.string().trim().min(1),
    source: z.string().min(1),
    intro: z.string().trim().min(1),
    closing: z.string().trim().min(1),
    deviceSpecificCues: z.array(Cue),
    topics: z.array(TopicSchema).min(1),
  })
  .strict()
  .superRefine((k, ctx) => {
    const seen = new Set<string>();
    for (const [i, t] of k.topics.entries()) {
      if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: ['topics', i, 'id'], message: `duplicate topic id "${t.id}"` });
      seen.add(t.id);
    }
  }) satisfies z.ZodType<ServicePromiseKnowledge>;

/** knowledge/service/service-promise.json under a knowledge directory. */
export const servicePromiseFile = (knowledgeDir: string) => path.join(knowledgeDir, 'service', 'service-promise.json');

/** Reads and validates the service-promise answers; throws a KnowledgeError naming the file and field. */
export function loadServicePromise(file: string): Promise<ServicePromiseKnowledge> {
  return readJson(file, ServicePromiseSchema);
}
