import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { figuresCsv, InsightsRangeSchema, type InsightsQuery, type InsightsRange } from '../domain/insights/InsightsFigures.js';
import type { StaffTokens } from '../domain/staff/StaffTokens.js';
import { describeZodError } from '../knowledge/jsonl.js';
import { sendError } from './errors.js';
import type { HttpPlugin } from './plugin.js';
import { authenticateStaff } from './staffAuth.js';

export interface InsightsApiDeps {
  tokens: Pick<StaffTokens, 'verify'>;
  insights: InsightsQuery;
  logger: Logger;
}

/**
 * The Insights figures for staff: `GET /api/insights?from=YYYY-MM-DD&to=YYYY-MM-DD&channel=` as
 * JSON (InsightsFiguresSchema) and `GET /api/insights.csv` (same query) as a CSV download. Staff
 * token required (the staff API's check); the query is checked with zod (400 with the reason);
 * every request counts against the client's per-minute allowance like every other route.
 */
export function insightsApiPlugin(deps: InsightsApiDeps): HttpPlugin {
  return {
    name: 'insights-api',
    register: (server: Server, edge) => {
      const handle = (send: (res: Response, range: InsightsRange) => Promise<void>) => async (req: Request, res: Response): Promise<void> => {
        try {
          if (!(await authenticateStaff(req, res, deps.tokens, edge.limits))) return;
          const parsed = InsightsRangeSchema.safeParse(Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams));
          if (!parsed.success) return sendError(res, 400, 'bad_request', `query: ${describeZodError(parsed.error)}`);
          await send(res, parsed.data);
        } catch (err) {
          deps.logger.error({ err: { name: (err as Error).name, message: (err as Error).message }, path: req.getPath() }, 'insights request failed');
          sendError(res, 500, 'internal', 'The figures could not be computed.');
        }
      };

      server.get('/api/insights', handle(async (res, range) => {
        res.json(await deps.insights.figures(range));
      }));

      server.get('/api/insights.csv', handle(async (res, range) => {
        const body = figuresCsv(await deps.insights.figures(range), range);
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
