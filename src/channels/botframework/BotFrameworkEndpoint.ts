import type { IncomingMessage } from 'node:http';
import type { Activity, ConversationReference, TurnContext } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import type { SupportAdapter } from '../../bot/SupportAdapter.js';
import type { ConversationTransport } from '../../bot/ConversationTransports.js';
import type { TurnRunner } from '../../bot/TurnRunner.js';
import { sendError } from '../../http/errors.js';
import type { Edge, HttpPlugin } from '../../http/plugin.js';
import { describeZodError } from '../../knowledge/jsonl.js';
import { IncomingActivitySchema, isLoopbackUrl } from './activitySchema.js';
import { DIRECT_LINE_SERVICE_URL } from '../directline/DirectLineAdapter.js';

export const MESSAGES_PATH = '/api/messages';

export interface BotFrameworkOptions {
  adapter: SupportAdapter;
  /** The bot's Microsoft app id; absent = local development (anonymous, this machine only). */
  appId?: string;
  /** Null until start-up has finished: activities get 503 until then. */
  runner: () => TurnRunner | null;
}

const LOOPBACK_PEER = /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$|^::1$/;

/**
 * A request made on this machine, directly: a loopback peer and no proxy header. A reverse proxy on
 * the same machine forwards for someone else, so a forwarded request is never "local".
 */
export function isLocalRequest(req: IncomingMessage): boolean {
  if (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined) return false;
  return LOOPBACK_PEER.test(req.socket.remoteAddress ?? '');
}

/**
 * The Bot Framework channels' endpoint (Teams, Slack, Azure Web Chat, the Emulator): POST /api/messages.
 *
 * With an app id every activity must carry a Bot Framework JWT (botbuilder checks it, including that
 * the token's serviceurl claim matches the activity's serviceUrl). Without one (local development),
 * activities are accepted only from this machine and only with a loopback serviceUrl; anything else
 * is a 401/400 with the reason.
 */
export class BotFrameworkEndpoint implements HttpPlugin, ConversationTransport {
  readonly name = 'botframework';

  constructor(private readonly options: BotFrameworkOptions) {}

  /** The CloudAdapter (the Teams staff channel posts through it too). */
  get adapter(): SupportAdapter {
    return this.options.adapter;
  }

  private get authenticated(): boolean {
    return Boolean(this.options.appId);
  }

  register(server: Server, edge: Edge): void {
    const { logger, limits } = edge;
    server.post(MESSAGES_PATH, async (req: Request, res: Response) => {
      const address = limits.clientAddress(req);
      if (!this.authenticated) {
        if (!isLocalRequest(req)) {
          return sendError(res, 401, 'unauthorized', 'This bot runs without a Microsoft app id, so it accepts activities from this machine only. Set MicrosoftAppId (and its password) to serve Bot Framework channels.');
        }
        if (!(await limits.take('requests', address, res))) return;
      } else if (await limits.refuseIfSpent('failedAuth', address, res)) {
        return;
      }
      const runner = this.options.runner();
      if (!runner) {
        res.header('Retry-After', '1');
        return sendError(res, 503, 'not_ready', 'The bot is still starting; try again shortly.');
      }
      if (!req.is('json')) return sendError(res, 415, 'unsupported_media_type', 'Send the activity as application/json.');
      const parsed = IncomingActivitySchema.safeParse(req.body);
      if (!parsed.success) return sendError(res, 400, 'bad_activity', `Invalid activity: ${describeZodError(parsed.error)}`);
      const activity = parsed.data;
      // Replies (now, or proactive later) go to serviceUrl: anonymous callers may name this machine only.
      if (!this.authenticated && !isLoopbackUrl(activity.serviceUrl)) {
        return sendError(res, 400, 'bad_activity', 'Invalid activity: serviceUrl must be http://localhost, 127.0.0.1 or [::1] when the bot runs without a Microsoft app id.');
      }
      if (activity.type === 'message' && !(await limits.take('messages', `${activity.channelId}:${activity.conversation.id}`, res))) return;
      const authHeader = req.header('authorization') ?? '';
      try {
        const invokeResponse = await runner.track(() =>
          this.options.adapter.processValidated(authHeader, activity as unknown as Activity, runner.logic),
        );
        res.status(invokeResponse?.status ?? 200);
        if (invokeResponse?.body !== undefined) res.json(invokeResponse.body);
        else res.end();
      } catch (err) {
        const e = err as Error;
        if (e.name === 'AuthenticationError' || /unauthorized|authoriz|token/i.test(e.message)) {
          await limits.charge('failedAuth', address);
          logger.warn({ channelId: activity.channelId }, 'rejected an unauthenticated activity');
          return sendError(res, 401, 'unauthorized', 'Bot Framework authentication failed.');
        }
        logger.error({ err: { name: e.name, message: e.message } }, 'activity processing failed');
        return sendError(res, 500, 'internal', 'The activity could not be processed.');
      }
    });
  }

  /**
   * Proactive messages through Bot Framework go to https serviceUrls (proven by the JWT they came
   * with) when the bot has an app id, and to this machine (the Emulator) in any mode. The bot's own
   * Direct Line conversations are not ours.
   */
  reaches(reference: Partial<ConversationReference>): boolean {
    const url = reference.serviceUrl;
    if (!url || url === DIRECT_LINE_SERVICE_URL) return false;
    if (isLoopbackUrl(url)) return true;
    if (!this.authenticated) return false;
    try {
      return new URL(url).protocol === 'https:';
    } catch {
      return false;
    }
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    await this.options.adapter.continueConversationAsync(this.options.appId ?? '', reference, logic);
  }
}
