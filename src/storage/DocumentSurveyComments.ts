import { daysOf, type InsightsRange } from '../domain/insights/InsightsFigures.js';
import { commentLimit, type SurveyComment, type SurveyComments } from '../domain/insights/SurveyComments.js';
import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import { KeyedLock } from './KeyedLock.js';

/** Per-day index of the comments: which surveys, how many per channel, where the segments stand. */
export const COMMENT_DAYS_COLLECTION = 'csat-comment-days';
/** The comments themselves, in segments of at most SEGMENT_COMMENTS per day, oldest first. */
export const COMMENTS_COLLECTION = 'csat-comments';
/** Comments per segment: bounds what one append rewrites (at most ~100 KiB of text). */
export const SEGMENT_COMMENTS = 100;
/** Day indexes read per batch while walking a range back from its last day. */
const DAYS_PER_READ = 31;

interface CommentDay {
  day: string;
  /** Survey ids already kept this day: what makes `add` idempotent. */
  surveys: string[];
  /** Comments per channel this day: a channel's read skips the days it has none. */
  channels: Record<string, number>;
  /** Number of the segment being filled (1, 2, …) and how many comments it holds. */
  segment: number;
  segmentComments: number;
}

interface CommentSegment {
  day: string;
  comments: SurveyComment[];
}

const segmentId = (day: string, n: number) => `${day}.${String(n).padStart(5, '0')}`;

/**
 * Survey comments on the DocumentStore (lowdb, the tests' memory store), bucketed by the UTC day
 * they were answered: a read walks the range back from its last day, reads a day's segments newest
 * first and stops once it has `limit` comments, so it never reads the days (or the surveys) it does
 * not need. Appends of one day are serialised in this process (lowdb has one: its DATA_DIR lock).
 */
export class DocumentSurveyComments implements SurveyComments {
  private readonly locks = new KeyedLock();

  constructor(private readonly store: DocumentStore) {}

  async add(surveyId: string, comment: SurveyComment): Promise<void> {
    const day = comment.answeredAt.slice(0, 10);
    await this.locks.run(day, async () => {
      const index = (await this.store.read<CommentDay>(COMMENT_DAYS_COLLECTION, [day])).get(day)?.value ?? { day, surveys: [], channels: {}, segment: 1, segmentComments: 0 };
      if (index.surveys.includes(surveyId)) return;
      if (index.segmentComments >= SEGMENT_COMMENTS) {
        index.segment += 1;
        index.segmentComments = 0;
      }
      const id = segmentId(day, index.segment);
      const segment =
        index.segmentComments === 0 ? { day, comments: [] } : (await this.store.read<CommentSegment>(COMMENTS_COLLECTION, [id])).get(id)?.value ?? { day, comments: [] };
      segment.comments.push(comment);
      // The comment is durable in its segment before the index lists it.
      await this.store.write(COMMENTS_COLLECTION, id, segment);
      index.segmentComments += 1;
      index.surveys.push(surveyId);
      index.channels[comment.channel] = (index.channels[comment.channel] ?? 0) + 1;
      await this.store.write(COMMENT_DAYS_COLLECTION, day, index);
    });
  }

  async recentComments(range: InsightsRange, limit?: number): Promise<SurveyComment[]> {
    const wanted = commentLimit(limit);
    const days = daysOf(range).reverse();
    const found: SurveyComment[] = [];
    for (let i = 0; i < days.length && found.length < wanted; i += DAYS_PER_READ) {
      const batch = days.slice(i, i + DAYS_PER_READ);
      const indexes = await this.store.read<CommentDay>(COMMENT_DAYS_COLLECTION, batch);
      for (const day of batch) {
        if (found.length >= wanted) break;
        const index = indexes.get(day)?.value;
        if (!index || (range.channel !== undefined && !index.channels[range.channel])) continue;
        for (let n = index.segment; n >= 1 && found.length < wanted; n -= 1) {
          const id = segmentId(day, n);
          const segment = (await this.store.read<CommentSegment>(COMMENTS_COLLECTION, [id])).get(id)?.value;
          const comments = (segment?.comments ?? []).filter((c) => range.channel === undefined || c.channel === range.channel);
          // Appended in answer order, but a clock may step back: sort the segment newest first.
          comments.sort((a, b) => (a.answeredAt < b.answeredAt ? 1 : a.answeredAt > b.answeredAt ? -1 : 0));
          found.push(...comments.slice(0, wanted - found.length));
        }
      }
    }
    return found;
  }
}
