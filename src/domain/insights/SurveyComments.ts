import { z } from 'zod';
import type { InsightsRange } from './InsightsFigures.js';

/** The most comments one read returns (the Insights page shows the latest; this bounds the work). */
export const MAX_COMMENTS = 200;
/** What the Insights page asks for when it does not say. */
export const DEFAULT_COMMENTS = 50;

/**
 * One answered survey's comment as staff read it (GET /api/insights/comments): the rating next to
 * the customer's words, what the survey followed, and the ticket or handoff it was about.
 * Personal data: shown to staff only, never logged, never in an outcome event.
 */
export const SurveyCommentSchema = z.object({
  answeredAt: z.iso.datetime(),
  channel: z.string(),
  rating: z.number().int().min(1).max(5),
  after: z.enum(['guide_fixed', 'handoff_closed', 'ticket_resolved']),
  comment: z.string().min(1),
  ticketId: z.string().optional(),
  handoffId: z.string().optional(),
});

export type SurveyComment = z.infer<typeof SurveyCommentSchema>;

/** The response of GET /api/insights/comments: newest first, at most `limit`. */
export const SurveyCommentsResponseSchema = z.object({ comments: z.array(SurveyCommentSchema) });

/**
 * The comments of answered surveys, kept apart from the survey documents so staff can read a date
 * range without scanning every survey ever taken: day-bucketed documents, or the `survey_comments`
 * table (indexed by time, and by channel and time).
 */
export interface SurveyComments {
  /**
   * Keeps the comment of survey `surveyId`. Idempotent by survey id: adding it again (a retried
   * answer healing a lost write) changes nothing.
   */
  add(surveyId: string, comment: SurveyComment): Promise<void>;
  /** The comments answered in the range (UTC days, both included; one channel or every), newest first, at most `limit` (≤ MAX_COMMENTS). */
  recentComments(range: InsightsRange, limit?: number): Promise<SurveyComment[]>;
}

/** The limit a caller asked for, kept within 1..MAX_COMMENTS. */
export function commentLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_COMMENTS;
  return Math.min(MAX_COMMENTS, Math.max(1, Math.floor(limit)));
}
