import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Request, Server } from 'restify';
import WebSocket from 'ws';
import type { ConversationFeeds } from './ConversationFeeds.js';
import type { DirectLineTokens } from './DirectLineTokens.js';
import { ConversationIdSchema, WatermarkQuerySchema } from './schemas.js';

const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/;
/** A Host header we are willing to echo into a URL: a name or IP literal and an optional port. */
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

export interface StreamDeps {
  tokens: DirectLineTokens;
  feeds: ConversationFeeds;
  logger: Logger;
  /** How often a ping is sent (a socket that has not answered the previous one is dropped); ~20 s. */
  heartbeatMs?: number;
  /** A client that lets this much pile up unread is disconnected (it reconnects and catches up by watermark). */
  maxBufferedBytes?: number;
}

/** The request's Host, if it is a plain host[:port] (anything else is not echoed into a URL). */
export function requestHost(req: { headers: IncomingMessage['headers'] }): string | null {
  const host = req.headers.host;
  return typeof host === 'string' && HOST.test(host) ? host : null;
}

/**
 * The conversation's `streamUrl`, on the host the client reached us by: `ws(s)://<host>/v3/directline/conversations/<id>/stream?watermark=N&t=<stream token>`.
 * wss when the request came over TLS, or through a proxy that says it did (X-Forwarded-Proto).
 */
export function streamUrlFor(req: Request, server: Server, tokens: DirectLineTokens, conversationId: string, userId: string, watermark?: number): string {
  let host = requestHost(req);
  if (!host) {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    host = `localhost:${port}`;
  }
  const forwarded = (req.header('x-forwarded-proto') ?? '').split(',')[0]?.trim().toLowerCase();
  const scheme = req.isSecure() || forwarded === 'https' ? 'wss' : 'ws';
  const query = new URLSearchParams();
  if (watermark !== undefined && watermark > 0) query.set('watermark', String(watermark));
  query.set('t', tokens.issueStream(conversationId, userId));
  return `${scheme}://${host}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?${query.toString()}`;
}

/** Answers an upgrade request with a plain HTTP error and closes the socket (no WebSocket is opened). */
function refuse(socket: Duplex, status: number, code: string, message: string): void {
  // The same body as every HTTP error (http/errors.ts), written by hand: there is no Response on an upgrade.
  const body = JSON.stringify({ error: code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * The Direct Line 3.0 WebSocket stream on the server's `upgrade` event: the `t` query parameter must be
 * a live stream token for the conversation in the path (403 otherwise, before upgrading). Once open,
 * every activity appended to the conversation's feed after `watermark` (all of them without one), by
 * any instance sharing the feeds, is sent as a text frame `{"activities":[…],"watermark":"N"}`, as polling returns them; nothing is sent
 * while there is nothing new. What the client sends (Web Chat sends "" as its keep-alive) is ignored.
 */
export function attachDirectLineStream(server: Server, deps: StreamDeps): void {
  const { tokens, feeds, logger } = deps;
  const heartbeatMs = deps.heartbeatMs ?? 20_000;
  const maxBuffered = deps.maxBufferedBytes ?? 4 * 1024 * 1024;
  // Clients only send keep-alives: a small frame limit.
  const wss = new WebSocket.Server({ noServer: true, maxPayload: 4 * 1024 });
  const httpServer = server.server;
  // restify re-emits `upgrade` on itself (unless handleUpgrades): that listener does not answer anything.
  const baseline = httpServer.listenerCount('upgrade');
  const othersListening = () => httpServer.listenerCount('upgrade') - 1 - baseline + server.listenerCount('upgrade') > 0;

  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = STREAM_PATH.exec(url.pathname);
    if (!path) {
      // Another upgrade handler may own this path; without one, nothing else would answer it.
      if (!othersListening()) refuse(socket, 404, 'NotFound', 'No WebSocket endpoint here.');
      return;
    }
    const id = ConversationIdSchema.safeParse(decodeURIComponent(path[1] ?? ''));
    if (!id.success) return refuse(socket, 404, 'NotFound', 'No such conversation.');
    const check = tokens.verifyStream(url.searchParams.get('t') ?? '');
    if (!check.ok) {
      const why = check.reason === 'expired' ? 'The stream token has expired; reconnect (GET the conversation) for a new streamUrl.' : `The stream token is not valid (${check.reason}).`;
      return refuse(socket, 403, check.reason === 'expired' ? 'TokenExpired' : 'Forbidden', why);
    }
    if (check.grant.conversationId !== id.data) return refuse(socket, 403, 'Forbidden', 'The stream token is for another conversation.');
    const query = WatermarkQuerySchema.safeParse({ watermark: url.searchParams.get('watermark') ?? undefined });
    if (!query.success) return refuse(socket, 400, 'BadArgument', 'The watermark must be a whole number.');
    const conversationId = id.data;
    feeds.has(conversationId).then(
      (exists) => {
        if (!exists) return refuse(socket, 404, 'NotFound', 'The conversation has ended or never started.');
        // @types/ws 7 wants a net.Socket; the upgrade event's Duplex is one (or a TLS socket).
        wss.handleUpgrade(req, socket as Socket, head, (ws) => stream(ws, conversationId, query.data.watermark));
      },
      (err: Error) => {
        logger.error({ conversationId, err: { message: err.message } }, 'directline stream: the feed could not be read');
        refuse(socket, 503, 'ServiceUnavailable', 'The conversation could not be read; reconnect shortly.');
      },
    );
  });

  const stream = (ws: WebSocket, conversationId: string, from: number) => {
    let watermark = from;
    let alive = true;
    // One read at a time; a wake during a read reads again after it (appends may come from any instance).
    let reading = false;
    let again = false;

    const readOnce = async (): Promise<void> => {
      const page = await feeds.since(conversationId, watermark);
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!page) {
        ws.close(1000, 'The conversation has ended.');
        return;
      }
      if (page.activities.length === 0) return;
      if (ws.bufferedAmount > maxBuffered) {
        logger.warn({ conversationId }, 'directline stream: the client is not reading; disconnected');
        ws.terminate();
        return;
      }
      watermark = page.watermark;
      ws.send(JSON.stringify({ activities: page.activities, watermark: String(page.watermark) }));
    };

    const flush = () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      const loop = async () => {
        do {
          again = false;
          if (ws.readyState !== WebSocket.OPEN) return;
          await readOnce();
        } while (again);
      };
      loop()
        .catch((err: Error) => {
          // The client reconnects (GET the conversation) and resumes from its watermark.
          logger.warn({ conversationId, err: { message: err.message } }, 'directline stream: the feed could not be read; disconnected');
          ws.close(1011, 'The conversation could not be read.');
        })
        .finally(() => {
          reading = false;
          // A wake that came after the loop's last check.
          if (again) flush();
        });
    };

    const unsubscribe = feeds.subscribe(conversationId, flush);
    const heartbeat = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, heartbeatMs);
    heartbeat.unref();

    ws.on('pong', () => {
      alive = true;
    });
    // Any frame from the client (Web Chat's "" keep-alive) shows it is there; its content is ignored.
    ws.on('message', () => {
      alive = true;
    });
    ws.on('error', (err) => logger.debug({ conversationId, err: { message: err.message } }, 'directline stream: socket error'));
    ws.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
    // What happened before the client connected (after its watermark), e.g. the bot's welcome.
    flush();
  };

  // Open streams would keep server.close() waiting: close them (1001 "going away") as it starts, so
  // Web Chat reconnects — to this server once it is back, or to another one.
  const close = httpServer.close.bind(httpServer);
  httpServer.close = ((callback?: (err?: Error) => void) => {
    for (const client of wss.clients) client.close(1001, 'The server is shutting down.');
    return close(callback);
  }) as typeof httpServer.close;
}
