import type { Logger } from 'pino';
import { z } from 'zod';
import type { Request, Response, Server } from 'restify';
import { figuresCsv, InsightsRangeSchema, withTopicTitles, type InsightsQuery, type InsightsRange } from '../domain/insights/InsightsFigures.js';
import { DEFAULT_COMMENTS, MAX_COMMENTS, type SurveyComments } from '../domain/insights/SurveyComments.js';
import type { StaffTokens } from '../domain/staff/StaffTokens.js';
import { describeZodError } from '../knowledge/jsonl.js';
import { sendError } from './errors.js';
import type { HttpPlugin } from './plugin.js';
import { authenticateStaff } from './staffAuth.js';

export interface InsightsApiDeps {
  tokens: Pick<StaffTokens, 'verify'>;
  insights: InsightsQuery;
  /** The survey comments staff read next to the ratings (personal data: this route only, never logged). */
  comments: Pick<SurveyComments, 'recentComments'>;
  /** Guide id → title, so the top topics read as staff know them. */
  guideTitles?: ReadonlyMap<string, string>;
  logger: Logger;
}

/** `limit` of GET /api/insights/comments: how many of the latest comments (1..MAX_COMMENTS, 50 when absent). */
const CommentLimitSchema = z.object({
  limit: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(MAX_COMMENTS).default(DEFAULT_COMMENTS)),
});

/**
 * The Insights figures for staff: `GET /api/insights?from=YYYY-MM-DD&to=YYYY-MM-DD&channel=` as
 * JSON (InsightsFiguresSchema) and `GET /api/insights.csv` (same query) as a CSV download. Staff
 * token required (the staff API's check); the query is checked with zod (400 with the reason);
 * every request counts against the client's per-minute allowance like every other route.
 * `GET /api/insights/comments` (same query, and `limit`) lists the survey comments of the range,
 * newest first: `{comments: SurveyComment[]}`.
 */
export function insightsApiPlugin(deps: InsightsApiDeps): HttpPlugin {
  return {
    name: 'insights-api',
    register: (server: Server, edge) => {
      const handle = (send: (res: Response, range: InsightsRange, query: Record<string, string>) => Promise<void>) => async (req: Request, res: Response): Promise<void> => {
        try {
          if (!(await authenticateStaff(req, res, deps.tokens, edge.limits))) return;
          const query = Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
          const parsed = InsightsRangeSchema.safeParse(query);
          if (!parsed.success) return sendError(res, 400, 'bad_request', `query: ${describeZodError(parsed.error)}`);
          await send(res, parsed.data, query);
        } catch (err) {
          deps.logger.error({ err: { name: (err as Error).name, message: (err as Error).message }, path: req.getPath() }, 'insights request failed');
          sendError(res, 500, 'internal', 'The figures could not be computed.');
        }
      };

      server.get('/api/insights', handle(async (res, range) => {
        res.json(withTopicTitles(await deps.insights.figures(range), deps.guideTitles ?? new Map()));
      }));

      server.get('/api/insights/comments', handle(async (res, range, query) => {
        const limit = CommentLimitSchema.safeParse(query);
        if (!limit.success) return sendError(res, 400, 'bad_request', `query: ${describeZodError(limit.error)}`);
        res.header('cache-control', 'no-store');
        res.json({ comments: await deps.comments.recentComments(range, limit.data.limit) });
      }));

      server.get('/api/insights.csv', handle(async (res, range) => {
        const body = figuresCsv(withTopicTitles(await deps.insights.figures(range), deps.guideTitles ?? new Map()), range);
        const name = `insights-${range.from}-${range.to}${range.channel ? `-${range.channel}` : ''}.csv`;
        res.writeHead(200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${name}"`,
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-store',
        });
        res.end(body);
      }));
    },
  };
}
