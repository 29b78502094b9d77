import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { AZURE_DIRECT_LINE_DOMAIN, generateAzureToken } from './azureDirectLine.js';
import { DirectLineTokens } from './DirectLineTokens.js';
import { requestHost } from './stream.js';
import type { Edge, HttpPlugin } from '../../http/plugin.js';
import { projectRoot, serveStaticFiles, type StaticFiles } from '../../http/staticFiles.js';

/** What the demo page and the embedded widget look like (WIDGET_TITLE, WIDGET_COLOR, WIDGET_WELCOME). */
export interface WidgetLook {
  title: string;
  color: string;
  welcome: string;
}

export interface WebChatDeps {
  look: WidgetLook;
  /** The self-hosted Direct Line's tokens (used when no Azure secret is set). */
  tokens: DirectLineTokens;
  /** DIRECT_LINE_SECRET: tokens come from Azure's Direct Line instead; the secret never leaves the server. */
  azureSecret?: string;
  logger: Logger;
  fetchImpl?: typeof fetch;
}

/** The static files of the page and the widget live in `src/channels/directline/public` (not compiled). */
export function publicDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  return path.join(projectRoot(from), 'src', 'channels', 'directline', 'public');
}

/** The Web Chat UMD bundle from the installed botframework-webchat package (never a CDN). */
export function webChatBundlePath(): string {
  const require = createRequire(import.meta.url);
  // The package's exports hide package.json; its CommonJS entry is lib/index.js, next to dist/.
  const entry = require.resolve('botframework-webchat');
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('webChat.webChatBundlePath(): botframework-webchat has no package root');
    dir = parent;
  }
  return path.join(dir, 'dist', 'webchat.js');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page may be framed anywhere (that is how the widget embeds it); it talks only to this origin
 * (or Azure's Direct Line) — over HTTP and over the Direct Line WebSocket stream, whose ws:/wss: origin
 * is named too (older browsers do not count it as 'self').
 */
function pageCsp(azure: boolean, host: string | null): string {
  const stream = host ? ` ws://${host} wss://${host}` : '';
  const directLine = azure ? ` ${new URL(AZURE_DIRECT_LINE_DOMAIN).origin} wss://directline.botframework.com` : stream;
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Web Chat injects its styles at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self'${directLine}`,
    "font-src 'self' data:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    'frame-ancestors *',
  ].join('; ');
}

const QUERY_COLOR = /^#[0-9a-fA-F]{3,8}$/;

/** The look of one page: the configured one, with what the embedding site asked for (widget.js passes it in the query). */
export interface PageLook extends WidgetLook {
  /** Shown in widget.js's frame: no page margins. */
  embed: boolean;
}

/** `?title=&color=&welcome=&embed=1` over the configured look; an unusable colour keeps the configured one. */
export function pageLook(look: WidgetLook, query: URLSearchParams): PageLook {
  const color = query.get('color') ?? '';
  return {
    title: (query.get('title') || look.title).slice(0, 80),
    color: QUERY_COLOR.test(color) ? color : look.color,
    welcome: (query.get('welcome') || look.welcome).slice(0, 300),
    embed: query.get('embed') === '1',
  };
}

/**
 * Title, welcome and colour are in the HTML itself, so they show from the first byte; before, the
 * page script applied them only after the 3.9 MB Web Chat bundle had loaded.
 */
function page(look: PageLook): string {
  // JSON in a non-executed script element: `<` escaped so nothing can close the element.
  const config = JSON.stringify(look).replace(/</g, '\\u003c');
  // The colour passed QUERY_COLOR (or config validation); escaped anyway.
  return `<!doctype html>
<html lang="en" style="--accent: ${escapeHtml(look.color)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(look.title)}</title>
<link rel="stylesheet" href="/webchat/page.css">
</head>
<body${look.embed ? ' class="embed"' : ''}>
<header id="header"><h1 id="title">${escapeHtml(look.title)}</h1><p id="welcome">${escapeHtml(look.welcome)}</p></header>
<main id="webchat" aria-label="Chat"></main>
<p id="status" role="status" hidden></p>
<script id="widget-config" type="application/json">${config}</script>
<script src="/webchat/webchat.js"></script>
<script src="/webchat/page.js"></script>
</body>
</html>
`;
}

const STATIC: StaticFiles = {
  '/webchat/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
  '/webchat/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
  '/widget.js': { file: 'widget.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * The website widget: the demo page at `/`, the Web Chat bundle, the embed script `/widget.js`
 * and the page's token endpoint `POST /api/webchat/token`.
 */
export function registerWebChat(server: Server, deps: WebChatDeps, edge: Pick<Edge, 'limits'>, dir: string = publicDir()): void {
  const { limits } = edge;
  const azure = Boolean(deps.azureSecret);
  const headers = (type: string, length: number) => ({
    'content-type': type,
    'content-length': length,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });

  server.get('/', async (req: Request, res: Response) => {
    const body = Buffer.from(page(pageLook(deps.look, new URL(req.url ?? '/', 'http://localhost').searchParams)));
    res.writeHead(200, { ...headers('text/html; charset=utf-8', body.length), 'content-security-policy': pageCsp(azure, requestHost(req)) });
    res.end(body);
  });

  // Browsers ask for it; a 204 keeps the page's console free of 404s.
  server.get('/favicon.ico', async (_req: Request, res: Response) => {
    res.status(204);
    res.end();
  });

  // widget.js is loaded by other sites' pages: allow that explicitly.
  serveStaticFiles(server, dir, STATIC, (route, type, length) => ({
    ...headers(type, length),
    ...(route === '/widget.js' ? { 'cross-origin-resource-policy': 'cross-origin' } : {}),
  }));

  server.get('/webchat/webchat.js', async (_req: Request, res: Response) => {
    let file: string;
    let size: number;
    try {
      file = webChatBundlePath();
      size = (await stat(file)).size;
    } catch (err) {
      deps.logger.error({ err: { message: (err as Error).message } }, 'webChat: the botframework-webchat bundle is missing');
      res.status(500);
      res.json({ error: 'internal', message: 'webChat: botframework-webchat is not installed (npm ci).' });
      return;
    }
    res.writeHead(200, { ...headers('text/javascript; charset=utf-8', size), 'cache-control': 'public, max-age=86400' });
    createReadStream(file).pipe(res);
  });

  server.post('/api/webchat/token', async (req: Request, res: Response) => {
    if (!(await limits.take('tokens', limits.clientAddress(req), res))) return;
    const userId = DirectLineTokens.newUserId();
    if (deps.azureSecret) {
      try {
        const token = await generateAzureToken(deps.azureSecret, userId, deps.fetchImpl);
        res.json({ ...token, userId, domain: AZURE_DIRECT_LINE_DOMAIN, webSocket: true });
      } catch (err) {
        deps.logger.warn({ err: { message: (err as Error).message } }, 'webChat: Azure Direct Line token exchange failed');
        res.status(502);
        res.json({ error: 'bad_gateway', message: 'Could not get a Direct Line token from Azure.' });
      }
      return;
    }
    const conversationId = DirectLineTokens.newConversationId();
    // domain null: the page's own origin + /v3/directline (the self-hosted endpoint), streamed over
    // its WebSocket (the page falls back to polling when asked to: ?transport=polling).
    res.json({ conversationId, userId, token: deps.tokens.issue(conversationId, userId), expires_in: deps.tokens.expiresIn, domain: null, webSocket: true });
  });
}

/** The widget as a plug-in of the app. */
export function webChatPlugin(deps: WebChatDeps, dir?: string): HttpPlugin {
  return { name: 'webchat', register: (server, edge) => registerWebChat(server, deps, edge, dir) };
}
