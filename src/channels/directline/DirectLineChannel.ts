import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import type { TurnRunner } from '../../bot/TurnRunner.js';
import { sendError } from '../../http/errors.js';
import type { Edge, HttpPlugin } from '../../http/plugin.js';
import { describeZodError } from '../../knowledge/jsonl.js';
import { BOT_ACCOUNT, DIRECT_LINE_SERVICE_URL, WEBCHAT_CHANNEL_ID, type DirectLineAdapter } from './DirectLineAdapter.js';
import { DirectLineTokens, type DirectLineGrant } from './DirectLineTokens.js';
import { ClientActivitySchema, ConversationIdSchema, WatermarkQuerySchema } from './schemas.js';
import { attachDirectLineStream, streamUrlFor } from './stream.js';

export interface DirectLineDeps {
  tokens: DirectLineTokens;
  /** Runs the widget's turns; its feeds are what clients poll and stream. */
  adapter: DirectLineAdapter;
  /** Null until start-up has finished: turns get 503 until then. */
  runner: () => TurnRunner | null;
  now?: () => Date;
  /** The WebSocket stream's heartbeat (ping) interval; ~20 s. */
  heartbeatMs?: number;
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

function watermarkOf(req: Request) {
  return WatermarkQuerySchema.safeParse(Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams));
}

/**
 * A self-hosted Direct Line 3.0 endpoint (the subset Web Chat uses: polling with watermarks, and the
 * WebSocket stream at each conversation's `streamUrl`). Visitors' turns run in this process on the
 * DirectLineAdapter, as the user their token names; the bot's replies and later proactive messages
 * go straight into the conversation's feed. It works the same with or without a Microsoft app id.
 */
export class DirectLineChannel implements HttpPlugin {
  readonly name = 'directline';

  constructor(private readonly deps: DirectLineDeps) {}

  register(server: Server, edge: Edge): void {
    const { tokens, adapter } = this.deps;
    const feeds = adapter.feeds;
    const { logger, limits } = edge;
    const now = this.deps.now ?? (() => new Date());
    /** What starting or reconnecting to a conversation answers; the streamUrl resumes after `watermark`. */
    const conversationBody = (req: Request, grant: DirectLineGrant, token: string, watermark?: number) => ({
      conversationId: grant.conversationId,
      token,
      expires_in: tokens.expiresIn,
      streamUrl: streamUrlFor(req, server, tokens, grant.conversationId, grant.userId, watermark),
    });
    attachDirectLineStream(server, { tokens, feeds, logger, ...(this.deps.heartbeatMs !== undefined ? { heartbeatMs: this.deps.heartbeatMs } : {}) });

    /** Runs one activity through the bot; false (and an answer) when the bot cannot take turns now. */
    const runTurn = async (activity: Record<string, unknown>, res: Response, log: Logger): Promise<boolean> => {
      const runner = this.deps.runner();
      if (!runner) {
        res.header('Retry-After', '1');
        sendError(res, 503, 'ServiceUnavailable', 'The bot is still starting; try again shortly.');
        return false;
      }
      const full = { ...activity, channelId: WEBCHAT_CHANNEL_ID, serviceUrl: DIRECT_LINE_SERVICE_URL, recipient: BOT_ACCOUNT };
      try {
        await runner.track(() => adapter.processActivity(full, runner.logic));
        return true;
      } catch (err) {
        log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'directline: the turn failed');
        sendError(res, 502, 'BotError', 'The bot failed to process the activity.');
        return false;
      }
    };

    server.post('/v3/directline/tokens/generate', async (req: Request, res: Response) => {
      if (!(await limits.take('tokens', limits.clientAddress(req), res))) return;
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
      if (await feeds.has(grant.conversationId)) {
        res.status(200);
        res.json(conversationBody(req, grant, token));
        return;
      }
      // A new conversation holds a feed and runs a welcome turn: counted per client.
      if (!(await limits.take('conversations', limits.clientAddress(req), res))) return;
      await feeds.open(grant.conversationId);
      // The bot's own welcome: the same conversationUpdate a channel sends when a user joins.
      const joined = {
        type: 'conversationUpdate',
        id: `${grant.conversationId}|join`,
        timestamp: now().toISOString(),
        conversation: { id: grant.conversationId },
        from: { id: grant.userId, role: 'user' },
        membersAdded: [{ id: grant.userId }],
      };
      if (!(await runTurn(joined, res, logger))) return;
      res.status(201);
      res.json(conversationBody(req, grant, token));
    });

    server.get('/v3/directline/conversations/:conversationId', async (req: Request, res: Response) => {
      const id = ConversationIdSchema.safeParse(req.params.conversationId);
      if (!id.success) return sendError(res, 404, 'NotFound', 'No such conversation.');
      const grant = authorize(req, res, tokens, id.data);
      if (!grant) return;
      // Web Chat's reconnect after its stream closed: a fresh token and a streamUrl resuming at its watermark.
      const query = watermarkOf(req);
      if (!query.success) return sendError(res, 400, 'BadArgument', `Invalid query: ${describeZodError(query.error)}`);
      if (!(await feeds.has(id.data))) return sendError(res, 404, 'NotFound', 'The conversation has ended or never started.');
      res.json(conversationBody(req, grant, tokens.issue(grant.conversationId, grant.userId), query.data.watermark));
    });

    server.get('/v3/directline/conversations/:conversationId/activities', async (req: Request, res: Response) => {
      const id = ConversationIdSchema.safeParse(req.params.conversationId);
      if (!id.success) return sendError(res, 404, 'NotFound', 'No such conversation.');
      if (!authorize(req, res, tokens, id.data)) return;
      const query = watermarkOf(req);
      if (!query.success) return sendError(res, 400, 'BadArgument', `Invalid query: ${describeZodError(query.error)}`);
      const page = await feeds.since(id.data, query.data.watermark);
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
      if (!(await feeds.has(id.data))) return sendError(res, 404, 'NotFound', 'The conversation has ended or never started.');
      if (parsed.data.type !== 'typing' && !(await limits.take('messages', `${WEBCHAT_CHANNEL_ID}:${id.data}`, res))) return;
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
      const echoed = await feeds.append(id.data, userActivity);
      // Ended between the check and the append (expired, evicted).
      if (!echoed) return sendError(res, 404, 'NotFound', 'The conversation has ended or never started.');
      if (parsed.data.type !== 'typing' && !(await runTurn(echoed, res, logger))) return;
      res.json({ id: echoed.id });
    });
  }
}
