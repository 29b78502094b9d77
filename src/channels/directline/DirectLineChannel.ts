import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import type { BotRuntime } from '../../http/app.js';
import type { InFlightTurns } from '../../http/InFlightTurns.js';
import { describeZodError } from '../../knowledge/jsonl.js';
import { ConversationFeeds, type FeedActivity } from './ConversationFeeds.js';
import { DirectLineTokens, type DirectLineGrant } from './DirectLineTokens.js';
import { BotActivitySchema, ClientActivitySchema, ConversationIdSchema, WatermarkQuerySchema } from './schemas.js';
import { attachDirectLineStream, streamUrlFor } from './stream.js';

/** The path of the in-process connector the bot's replies are POSTed to (its serviceUrl). */
export const CONNECTOR_PATH = '/directline-connector';
/** The channel id turns from the widget carry (what Azure's Direct Line uses for Web Chat). */
export const WEBCHAT_CHANNEL_ID = 'webchat';

const BOT_ACCOUNT = { id: 'camsupport-bot', name: 'Support', role: 'bot' } as const;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export interface DirectLineDeps {
  tokens: DirectLineTokens;
  feeds: ConversationFeeds;
  runtime: () => BotRuntime | null;
  inFlight: InFlightTurns;
  logger: Logger;
  now?: () => Date;
  /** The WebSocket stream's heartbeat (ping) interval; ~20 s. */
  heartbeatMs?: number;
}

function sendError(res: Response, status: number, error: string, message: string): void {
  res.status(status);
  res.json({ error: { code: error, message } });
}

/** The Bearer token of the request, checked; answers 401/403 itself and returns null when it is not good. */
function authorize(req: Request, res: Response, tokens: DirectLineTokens, conversationId?: string): DirectLineGrant | null {
  const header = req.header('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    sendError(res, 401, 'BadArgument', 'Send the Direct Line token as "Authorization: Bearer <token>".');
    return null;
  }
  const check = tokens.verify(match[1]);
  if (!check.ok) {
    // Web Chat reads 403 as "token expired"; a forged or mangled token is a 401.
    if (check.reason === 'expired') sendError(res, 403, 'TokenExpired', 'The Direct Line token has expired; get a new one.');
    else sendError(res, 401, 'BadArgument', `The Direct Line token is not valid (${check.reason}).`);
    return null;
  }
  if (conversationId !== undefined && check.grant.conversationId !== conversationId) {
    sendError(res, 403, 'Forbidden', 'The token is for another conversation.');
    return null;
  }
  return check.grant;
}

/** Where the bot reaches this server from inside the process: loopback, on the port it listens on. */
function connectorUrl(server: Server): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let host = typeof address === 'object' && address ? address.address : '127.0.0.1';
  if (host === '0.0.0.0' || host === '::' || host === '') host = '127.0.0.1';
  if (host.includes(':')) host = `[${host}]`;
  return `http://${host}:${port}${CONNECTOR_PATH}`;
}

/** A request from this machine (the bot's own connector client). */
function fromThisMachine(req: Request): boolean {
  const remote = req.socket.remoteAddress ?? '';
  return LOOPBACK.has(remote) || remote === req.socket.localAddress;
}

/**
 * A self-hosted Direct Line 3.0 endpoint (the subset Web Chat uses: polling with watermarks, and the
 * WebSocket stream at each conversation's `streamUrl`), plus the in-process
 * connector the bot's replies and proactive messages are delivered to. Turns run through the
 * runtime's adapter with `serviceUrl` pointing at that connector, so whatever the bot sends to the
 * conversation — in the turn or later — lands in the conversation's feed.
 */
export function registerDirectLine(server: Server, deps: DirectLineDeps): void {
  const { tokens, feeds, logger } = deps;
  const now = deps.now ?? (() => new Date());
  /** What starting or reconnecting to a conversation answers; the streamUrl resumes after `watermark`. */
  const conversationBody = (req: Request, grant: DirectLineGrant, token: string, watermark?: number) => ({
    conversationId: grant.conversationId,
    token,
    expires_in: tokens.expiresIn,
    streamUrl: streamUrlFor(req, server, tokens, grant.conversationId, grant.userId, watermark),
  });
  attachDirectLineStream(server, { tokens, feeds, logger, ...(deps.heartbeatMs !== undefined ? { heartbeatMs: deps.heartbeatMs } : {}) });

  /** Runs one activity through the bot; false (and an answer) when the bot cannot take turns now. */
  const runTurn = async (activity: Record<string, unknown>, res: Response): Promise<boolean> => {
    const runtime = deps.runtime();
    if (!runtime) {
      res.header('Retry-After', '1');
      sendError(res, 503, 'ServiceUnavailable', 'The bot is still starting; try again shortly.');
      return false;
    }
    if (runtime.authenticated) {
      sendError(res, 503, 'ServiceUnavailable', 'The self-hosted Direct Line endpoint needs the bot to run without MicrosoftAppId; set DIRECT_LINE_SECRET to use Azure Direct Line instead.');
      return false;
    }
    const full = { ...activity, channelId: WEBCHAT_CHANNEL_ID, serviceUrl: connectorUrl(server), recipient: BOT_ACCOUNT };
    try {
      await deps.inFlight.track(() => runtime.adapter.processValidated('', full as unknown as Activity, (ctx) => runtime.handleTurn(ctx)));
      return true;
    } catch (err) {
      logger.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'directline: the turn failed');
      sendError(res, 502, 'BotError', 'The bot failed to process the activity.');
      return false;
    }
  };

  server.post('/v3/directline/tokens/generate', async (_req: Request, res: Response) => {
    const grant = { conversationId: DirectLineTokens.newConversationId(), userId: DirectLineTokens.newUserId() };
    const token = tokens.issue(grant.conversationId, grant.userId);
    res.json({ conversationId: grant.conversationId, userId: grant.userId, token, expires_in: tokens.expiresIn });
  });

  server.post('/v3/directline/tokens/refresh', async (req: Request, res: Response) => {
    const grant = authorize(req, res, tokens);
    if (!grant) return;
    // As Azure's refresh: a new token, no streamUrl.
    res.json({ conversationId: grant.conversationId, token: tokens.issue(grant.conversationId, grant.userId), expires_in: tokens.expiresIn });
  });

  server.post('/v3/directline/conversations', async (req: Request, res: Response) => {
    const grant = authorize(req, res, tokens);
    if (!grant) return;
    const token = tokens.issue(grant.conversationId, grant.userId);
    if (feeds.has(grant.conversationId)) {
      res.status(200);
      res.json(conversationBody(req, grant, token));
      return;
    }
    feeds.open(grant.conversationId);
    // The bot's own welcome: the same conversationUpdate a channel sends when a user joins.
    const joined = {
      type: 'conversationUpdate',
      id: `${grant.conversationId}|join`,
      timestamp: now().toISOString(),
      conversation: { id: grant.conversationId },
      from: { id: grant.userId, role: 'user' },
      membersAdded: [{ id: grant.userId }],
    };
    if (!(await runTurn(joined, res))) return;
    res.status(201);
    res.json(conversationBody(req, grant, token));
  });

  server.get('/v3/directline/conversations/:conversationId', async (req: Request, res: Response) => {
    const id = ConversationIdSchema.safeParse(req.params.conversationId);
    if (!id.success) return sendError(res, 404, 'NotFound', 'No such conversation.');
    const grant = authorize(req, res, tokens, id.data);
    if (!grant) return;
    // Web Chat's reconnect after its stream closed: a fresh token and a streamUrl resuming at its watermark.
    const query = WatermarkQuerySchema.safeParse(Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams));
    if (!query.success) return sendError(res, 400, 'BadArgument', `Invalid query: ${describeZodError(query.error)}`);
    if (!feeds.has(id.data)) return sendError(res, 404, 'NotFound', 'The conversation has ended or never started.');
    res.json(conversationBody(req, grant, tokens.issue(grant.conversationId, grant.userId), query.data.watermark));
  });

  server.get('/v3/directline/conversations/:conversationId/activities', async (req: Request, res: Response) => {
    const id = ConversationIdSchema.safeParse(req.params.conversationId);
    if (!id.success) return sendError(res, 404, 'NotFound', 'No such conversation.');
    if (!authorize(req, res, tokens, id.data)) return;
    const query = WatermarkQuerySchema.safeParse(Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams));
    if (!query.success) return sendError(res, 400, 'BadArgument', `Invalid query: ${describeZodError(query.error)}`);
    const page = feeds.since(id.data, query.data.watermark);
    if (!page) return sendError(res, 404, 'NotFound', 'The conversation has ended or never started.');
    res.json({ activities: page.activities, watermark: String(page.watermark) });
  });

  server.post('/v3/directline/conversations/:conversationId/activities', async (req: Request, res: Response) => {
    const id = ConversationIdSchema.safeParse(req.params.conversationId);
    if (!id.success) return sendError(res, 404, 'NotFound', 'No such conversation.');
    const grant = authorize(req, res, tokens, id.data);
    if (!grant) return;
    if (!req.is('json')) return sendError(res, 415, 'BadArgument', 'Send the activity as application/json.');
    const parsed = ClientActivitySchema.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'BadArgument', `Invalid activity: ${describeZodError(parsed.error)}`);
    if (!feeds.has(id.data)) return sendError(res, 404, 'NotFound', 'The conversation has ended or never started.');
    const { from, ...rest } = parsed.data;
    // The user is who the token says, whatever the client wrote into `from`.
    const userActivity = {
      ...rest,
      timestamp: now().toISOString(),
      conversation: { id: id.data },
      from: { id: grant.userId, ...(from?.name ? { name: from.name } : {}), role: 'user' },
      channelId: WEBCHAT_CHANNEL_ID,
    };
    // Echoed first, with the client's clientActivityID, so Web Chat marks the message as sent.
    const echoed = feeds.append(id.data, userActivity) as FeedActivity;
    if (parsed.data.type !== 'typing' && !(await runTurn(echoed, res))) return;
    res.json({ id: echoed.id });
  });

  // The connector side: the bot's replies and proactive messages. Only this machine may post here.
  const deliver = async (req: Request, res: Response) => {
    if (!fromThisMachine(req)) return sendError(res, 403, 'Forbidden', 'The Direct Line connector accepts activities from this machine only.');
    const id = ConversationIdSchema.safeParse(req.params.conversationId);
    if (!id.success) return sendError(res, 404, 'NotFound', 'No such conversation.');
    const parsed = BotActivitySchema.safeParse(req.body);
    if (!parsed.success) return sendError(res, 400, 'BadArgument', `Invalid activity: ${describeZodError(parsed.error)}`);
    const { serviceUrl: _serviceUrl, ...activity } = parsed.data as Record<string, unknown>;
    const stored = feeds.append(id.data, {
      ...activity,
      timestamp: now().toISOString(),
      conversation: { id: id.data },
      from: { ...BOT_ACCOUNT, ...((activity.from as object | undefined) ?? {}), role: 'bot' },
      ...(typeof req.params.replyToId === 'string' ? { replyToId: req.params.replyToId } : {}),
    });
    if (!stored) return sendError(res, 404, 'NotFound', 'The conversation has ended (the widget has gone away).');
    res.json({ id: stored.id });
  };
  server.post(`${CONNECTOR_PATH}/v3/conversations/:conversationId/activities`, deliver);
  server.post(`${CONNECTOR_PATH}/v3/conversations/:conversationId/activities/:replyToId`, deliver);
}
