import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
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

/** The installed botframework-webchat package's folder. */
function webChatPackageRoot(): string {
  const require = createRequire(import.meta.url);
  // The package's exports hide package.json; its CommonJS entry is lib/index.js, next to dist/.
  const entry = require.resolve('botframework-webchat');
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('webChat.webChatBundlePath(): botframework-webchat has no package root');
    dir = parent;
  }
  return dir;
}

/** The Web Chat UMD bundle from the installed botframework-webchat package (never a CDN). */
export function webChatBundlePath(): string {
  return path.join(webChatPackageRoot(), 'dist', 'webchat.js');
}

let installedVersion: string | null | undefined;

/**
 * The installed botframework-webchat version ("4.18.1"), read once; null when it cannot be read.
 * The page asks for `/webchat/webchat.js?v=<it>`, a URL whose content never changes (a published
 * npm version is immutable), so browsers may keep it for a year.
 */
export function webChatVersion(): string | null {
  if (installedVersion === undefined) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(webChatPackageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
      installedVersion = typeof manifest.version === 'string' && /^[0-9A-Za-z.+-]{1,40}$/.test(manifest.version) ? manifest.version : null;
    } catch {
      installedVersion = null;
    }
  }
  return installedVersion;
}

export type BundleEncoding = 'br' | 'gzip' | 'identity';

/**
 * The encoding to send for an Accept-Encoding header: brotli, else gzip, else none. `q=0` refuses
 * one (`br;q=0`), and `*` stands for any not named; other weights are not ranked (both
 * compress this file to a fraction, brotli to the smaller one).
 */
export function pickEncoding(acceptEncoding: string | undefined): BundleEncoding {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    weights.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const accepts = (name: string) => (weights.get(name) ?? weights.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * The 3.9 MB Web Chat bundle, read and compressed at most once per process and encoding (brotli
 * quality 9: 0.7 MB in ~0.4 s; quality 11 saves 70 KB more but takes ~6 s, too long for the first
 * visitor), and kept in memory (~5.5 MB for all three). The ETag is the content's hash, one per
 * encoding (a strong ETag names one representation). A read that fails is not kept: the next
 * request tries again (after `npm ci`, without a restart).
 */
export class WebChatBundle {
  private raw: Promise<{ body: Buffer; hash: string }> | undefined;
  private readonly encoded = new Map<BundleEncoding, Promise<Buffer>>();

  constructor(private readonly file: () => string = webChatBundlePath) {}

  async get(encoding: BundleEncoding): Promise<{ body: Buffer; etag: string }> {
    const { body, hash } = await this.read();
    const etag = `"wc-${hash}${encoding === 'identity' ? '' : `-${encoding}`}"`;
    if (encoding === 'identity') return { body, etag };
    let encoded = this.encoded.get(encoding);
    if (!encoded) {
      encoded = encoding === 'br'
        ? brotli(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9, [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } })
        : gzipAsync(body, { level: 9 });
      this.encoded.set(encoding, encoded);
      encoded.catch(() => this.encoded.delete(encoding));
    }
    return { body: await encoded, etag };
  }

  private read(): Promise<{ body: Buffer; hash: string }> {
    if (!this.raw) {
      const reading = (async () => {
        const body = await readFile(this.file());
        return { body, hash: createHash('sha256').update(body).digest('base64url').slice(0, 22) };
      })();
      this.raw = reading;
      reading.catch(() => {
        if (this.raw === reading) this.raw = undefined;
      });
    }
    return this.raw;
  }
}

/** One per process: every app (and test) in it shares the compressed copies. */
const sharedBundle = new WebChatBundle();

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for If-None-Match). */
export function matchesETag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
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

/** Shown by page.js once the chat runs; the icon is inline SVG (no icon font, no extra request). */
const DOWNLOAD_BUTTON =
  '<button id="download" type="button" title="Download transcript" aria-label="Download transcript" hidden>' +
  '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path fill="currentColor" d="M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z"/></svg></button>';

/** The bundle's URL, versioned when the installed version is known (see webChatVersion). */
function bundleUrl(): string {
  const version = webChatVersion();
  return `/webchat/webchat.js${version ? `?v=${encodeURIComponent(version)}` : ''}`;
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
<header id="header"><div id="heading"><h1 id="title">${escapeHtml(look.title)}</h1><p id="welcome">${escapeHtml(look.welcome)}</p></div>${DOWNLOAD_BUTTON}</header>
<main id="webchat" aria-label="Chat"></main>
<p id="status" role="status" hidden></p>
<script id="widget-config" type="application/json">${config}</script>
<script src="${escapeHtml(bundleUrl())}"></script>
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

  // Compressed by Accept-Encoding and cacheable: a year under the page's versioned URL; without
  // the version (or with another one) revalidated with the ETag every time (304 when unchanged).
  server.get('/webchat/webchat.js', async (req: Request, res: Response) => {
    const encoding = pickEncoding(req.header('accept-encoding'));
    let bundle: { body: Buffer; etag: string };
    try {
      bundle = await sharedBundle.get(encoding);
    } catch (err) {
      deps.logger.error({ err: { message: (err as Error).message } }, 'webChat: the botframework-webchat bundle is missing');
      res.status(500);
      res.json({ error: 'internal', message: 'webChat: botframework-webchat is not installed (npm ci).' });
      return;
    }
    const version = new URL(req.url ?? '/', 'http://localhost').searchParams.get('v');
    const caching = {
      etag: bundle.etag,
      vary: 'Accept-Encoding',
      'cache-control': version !== null && version === webChatVersion() ? 'public, max-age=31536000, immutable' : 'public, no-cache',
    };
    if (matchesETag(req.header('if-none-match'), bundle.etag)) {
      res.writeHead(304, caching);
      res.end();
      return;
    }
    res.writeHead(200, {
      ...headers('text/javascript; charset=utf-8', bundle.body.length),
      ...caching,
      ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
    });
    res.end(bundle.body);
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
