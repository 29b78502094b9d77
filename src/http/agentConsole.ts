import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request, Response, Server } from 'restify';

/**
 * The agent console's static files. A fixed list, so no request path ever reaches the file system.
 * The page holds no data: everything it shows comes through the token-protected staff API.
 */
const FILES: Record<string, { file: string; type: string }> = {
  '/agent': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/agent/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/agent/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/agent/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

/** Only the bot's own origin: no inline script or style, no frames, no external CDN. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The console's files live in `src/http/console` (they are not compiled), so the folder is found
 * from the project root: the nearest folder above this module holding package.json. That works
 * both for `tsx src/main.ts` and for the compiled `dist/src/http/agentConsole.js`.
 */
export function consoleDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'src', 'http', 'console');
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`agentConsole.consoleDir(): no package.json above ${from}`);
    dir = parent;
  }
}

/** Serves the agent console at /agent (index.html, console.js, console.css). */
export function registerAgentConsole(server: Server, dir: string = consoleDir()): void {
  for (const [route, { file, type }] of Object.entries(FILES)) {
    server.get(route, async (_req: Request, res: Response) => {
      let body: Buffer;
      try {
        body = await readFile(path.join(dir, file));
      } catch (err) {
        res.status(500);
        res.json({ error: 'internal', message: `agentConsole: ${file} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).` });
        return;
      }
      res.writeHead(200, {
        'content-type': type,
        'content-length': body.length,
        'cache-control': 'no-cache',
        'content-security-policy': CONSOLE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
      });
      res.end(body);
    });
  }
}
