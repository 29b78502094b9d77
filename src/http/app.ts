import type { Logger } from 'pino';
import restify, { type Next, type Request, type Response, type Server } from 'restify';
import { ClientLimits } from './ClientLimits.js';
import type { Edge, HttpPlugin } from './plugin.js';
import { readJsonBody } from './requestBody.js';

export interface Readiness {
  /** Named checks (store, knowledge); ready when all are true. */
  checks(): Promise<Record<string, boolean>>;
}

export interface AppOptions {
  logger: Logger;
  readiness: Readiness;
  /** The per-client limits every plug-in shares; default limits when absent. */
  limits?: ClientLimits;
  /** The public surface: Bot Framework, Direct Line, the widget page, the staff API and console. */
  plugins?: HttpPlugin[];
  /** Largest accepted body, compressed and decompressed alike. */
  maxBodyBytes?: number;
}

/** Probes from a load balancer: never rate limited. */
const PROBES = new Set(['/healthz', '/readyz']);

/** Builds the restify application without listening, so tests can run it on port 0. */
export function createApp(options: AppOptions): Server {
  const { logger } = options;
  const edge: Edge = { logger, limits: options.limits ?? new ClientLimits() };
  const server = restify.createServer({ name: 'camsupport-bot', handleUncaughtExceptions: false });
  edges.set(server, edge);

  // Every client has a per-minute allowance on every route. /api/messages counts its own (Bot
  // Framework's servers send every customer's traffic from a few addresses; their JWT is the check).
  server.use((req: Request, res: Response, next: Next) => {
    const path = req.getPath();
    if (PROBES.has(path) || path === '/api/messages') return next();
    edge.limits
      .take('requests', edge.limits.clientAddress(req), res)
      .then((ok) => next(ok ? undefined : false))
      .catch((err: Error) => next(err));
  });
  server.use(readJsonBody({ maxBytes: options.maxBodyBytes ?? 256 * 1024 }));

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  server.get('/readyz', async (_req: Request, res: Response) => {
    const checks = await options.readiness.checks().catch(() => ({ readiness: false }));
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503);
    res.json({ ready, checks });
  });

  registerPlugins(server, options.plugins ?? []);

  // restify's own errors (unknown route, wrong method) keep their 4xx codes; log them quietly.
  server.on('restifyError', (req: Request, _res: Response, err: Error & { statusCode?: number }, cb: () => void) => {
    logger.debug({ method: req.method, path: req.getPath(), status: err.statusCode, reason: err.message }, 'request rejected');
    cb();
  });
  return server;
}

const edges = new WeakMap<Server, Edge>();

/** Adds plug-ins to an app made by createApp, e.g. the staff API once the stores are open. */
export function registerPlugins(server: Server, plugins: readonly HttpPlugin[]): void {
  const edge = edges.get(server);
  if (!edge) throw new Error('registerPlugins(): the server was not made by createApp');
  for (const plugin of plugins) plugin.register(server, edge);
}

