import { rangeInstants, type InsightsRange } from '../../domain/insights/InsightsFigures.js';
import { commentLimit, type SurveyComment, type SurveyComments } from '../../domain/insights/SurveyComments.js';
import type { PgDatabase } from './PgDatabase.js';

interface Row {
  answered_at: Date;
  channel: string;
  rating: number;
  after: SurveyComment['after'];
  comment: string;
  ticket_id: string | null;
  handoff_id: string | null;
}

const COLUMNS = 'answered_at, channel, rating, after, comment, ticket_id, handoff_id';
/** Two statements rather than `($3 IS NULL OR channel = $3)`, so each uses its own index. */
const ALL_CHANNELS_SQL = `SELECT ${COLUMNS} FROM survey_comments WHERE answered_at >= $1 AND answered_at < $2 ORDER BY answered_at DESC, survey_id DESC LIMIT $3`;
const ONE_CHANNEL_SQL = `SELECT ${COLUMNS} FROM survey_comments WHERE channel = $4 AND answered_at >= $1 AND answered_at < $2 ORDER BY answered_at DESC, survey_id DESC LIMIT $3`;

const commentOf = (r: Row): SurveyComment => ({
  answeredAt: r.answered_at.toISOString(),
  channel: r.channel,
  rating: r.rating,
  after: r.after,
  comment: r.comment,
  ...(r.ticket_id ? { ticketId: r.ticket_id } : {}),
  ...(r.handoff_id ? { handoffId: r.handoff_id } : {}),
});

/**
 * Survey comments in PostgreSQL (table `survey_comments`, migration 061), shared by every
 * instance: a row per survey (the primary key makes a repeated add a no-op), read a page at a time
 * from the time index.
 */
export class PgSurveyComments implements SurveyComments {
  constructor(private readonly database: PgDatabase) {}

  async add(surveyId: string, c: SurveyComment): Promise<void> {
    await this.database.pool.query(
      `INSERT INTO survey_comments (survey_id, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (survey_id) DO NOTHING`,
      [surveyId, c.answeredAt, c.channel, c.rating, c.after, c.comment, c.ticketId ?? null, c.handoffId ?? null],
    );
  }

  async recentComments(range: InsightsRange, limit?: number): Promise<SurveyComment[]> {
    const { start, end } = rangeInstants(range);
    const params = [start, end, commentLimit(limit)];
    const { rows } = range.channel === undefined
      ? await this.database.pool.query<Row>(ALL_CHANNELS_SQL, params)
      : await this.database.pool.query<Row>(ONE_CHANNEL_SQL, [...params, range.channel]);
    return rows.map(commentOf);
  }
}
