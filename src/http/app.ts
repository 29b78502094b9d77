import type { Activity, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import restify, { type Request, type Response, type Server } from 'restify';
import type { SupportAdapter } from '../bot/SupportAdapter.js';
import { describeZodError } from '../knowledge/jsonl.js';
import { anonymousServiceUrlAllowed, IncomingActivitySchema } from './activitySchema.js';
import { registerAgentConsole } from './agentConsole.js';
import { InFlightTurns } from './InFlightTurns.js';
import { registerStaffApi, type StaffApiDeps } from './staffApi.js';
import type { ConversationFeeds } from '../channels/directline/ConversationFeeds.js';
import type { DirectLineTokens } from '../channels/directline/DirectLineTokens.js';
import { registerDirectLine } from '../channels/directline/registerDirectLine.js';
import { registerWebChat, type WidgetLook } from '../channels/directline/webChat.js';

/** The parts of the bot the HTTP layer needs, available once start-up has finished. */
export interface BotRuntime {
  adapter: SupportAdapter;
  handleTurn(context: TurnContext): Promise<void>;
  /** True when Bot Framework authentication is on (an app id is configured). */
  authenticated: boolean;
}

export interface Readiness {
  /** Named checks (store, knowledge); ready when all are true. */
  checks(): Promise<Record<string, boolean>>;
}

export interface AppOptions {
  logger: Logger;
  readiness: Readiness;
  /** Null until knowledge and stores are loaded: messages get 503 until then. */
  runtime: () => BotRuntime | null;
  maxBodyBytes?: number;
  /** Shutdown waits for these before closing the stores. */
  inFlight?: InFlightTurns;
  /** The token-protected staff API (tickets, handoffs, live streams); absent = not served. */
  staff?: StaffApiDeps;
  /** The website widget (demo page, Web Chat, /widget.js) and the self-hosted Direct Line; absent = not served. */
  webChat?: WebChatOptions;
}

export interface WebChatOptions {
  look: WidgetLook;
  tokens: DirectLineTokens;
  feeds: ConversationFeeds;
  /** DIRECT_LINE_SECRET: the page's tokens come from Azure's Direct Line instead. */
  azureSecret?: string;
}

function sendError(res: Response, status: number, error: string, message: string): void {
  res.status(status);
  res.json({ error, message });
}

/** Builds the restify application without listening, so tests can run it on port 0. */
export function createApp(options: AppOptions): Server {
  const { logger } = options;
  const inFlight = options.inFlight ?? new InFlightTurns();
  const server = restify.createServer({ name: 'camsupport-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: options.maxBodyBytes ?? 256 * 1024, mapParams: false, rejectUnknown: true }));

  server.get('/healthz', async (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });

  server.get('/readyz', async (_req: Request, res: Response) => {
    const checks = await options.readiness.checks().catch(() => ({ readiness: false }));
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503);
    res.json({ ready, checks });
  });

  server.post('/api/messages', async (req: Request, res: Response) => {
    const runtime = options.runtime();
    if (!runtime) {
      res.header('Retry-After', '1');
      return sendError(res, 503, 'not_ready', 'The bot is still starting; try again shortly.');
    }
    if (!req.is('json')) return sendError(res, 415, 'unsupported_media_type', 'Send the activity as application/json.');
    const parsed = IncomingActivitySchema.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'bad_activity', `Invalid activity: ${describeZodError(parsed.error)}`);
    if (!runtime.authenticated && !anonymousServiceUrlAllowed(parsed.data)) {
      return sendError(res, 400, 'bad_activity', 'Invalid activity: serviceUrl must be a loopback address when the bot runs without a Microsoft app id (or use deliveryMode "expectReplies").');
    }
    const authHeader = req.header('authorization') ?? '';
    try {
      const invokeResponse = await inFlight.track(() => runtime.adapter.processValidated(authHeader, parsed.data as unknown as Activity, (ctx) => runtime.handleTurn(ctx)));
      res.status(invokeResponse?.status ?? 200);
      if (invokeResponse?.body !== undefined) res.json(invokeResponse.body);
      else res.end();
    } catch (err) {
      const e = err as Error;
      if (e.name === 'AuthenticationError' || /unauthorized|authoriz|token/i.test(e.message)) {
        logger.warn({ channelId: parsed.data.channelId }, 'rejected an unauthenticated activity');
        return sendError(res, 401, 'unauthorized', 'Bot Framework authentication failed.');
      }
      logger.error({ err: { name: e.name, message: e.message } }, 'activity processing failed');
      return sendError(res, 500, 'internal', 'The activity could not be processed.');
    }
  });

  if (options.staff) registerStaffApi(server, options.staff);

  if (options.webChat) {
    const { look, tokens, feeds, azureSecret } = options.webChat;
    registerDirectLine(server, { tokens, feeds, runtime: options.runtime, inFlight, logger });
    registerWebChat(server, { look, tokens, logger, ...(azureSecret ? { azureSecret } : {}) });
  }

  // The agent console's static page (it holds no data: everything comes through the staff API).
  registerAgentConsole(server);

  // restify's own errors (bad JSON, body too large, unknown route) keep their 4xx codes; log them quietly.
  server.on('restifyError', (req: Request, _res: Response, err: Error & { statusCode?: number }, cb: () => void) => {
    logger.debug({ method: req.method, path: req.getPath(), status: err.statusCode, reason: err.message }, 'request rejected');
    cb();
  });
  return server;
}
