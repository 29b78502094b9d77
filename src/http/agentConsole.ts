import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'restify';
import type { HttpPlugin } from './plugin.js';
import { projectRoot, serveStaticFiles, type StaticFiles } from './staticFiles.js';

/**
 * The agent console's static files. A fixed list, so no request path ever reaches the file system.
 * The page holds no data: everything it shows comes through the token-protected staff API.
 */
const FILES: StaticFiles = {
  '/agent': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/agent/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/agent/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/agent/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
  // The staff token, sign-in form and API calls both pages share (an ES module both import).
  '/agent/staffSession.js': { file: 'staffSession.js', type: 'text/javascript; charset=utf-8' },
  // The Insights page (issue 11): figures from GET /api/insights, same token and CSP as the console.
  '/agent/insights': { file: 'insights.html', type: 'text/html; charset=utf-8' },
  '/agent/insights.js': { file: 'insights.js', type: 'text/javascript; charset=utf-8' },
  '/agent/insights.css': { file: 'insights.css', type: 'text/css; charset=utf-8' },
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
  return path.join(projectRoot(from), 'src', 'http', 'console');
}

/** Serves the agent console at /agent (index.html, console.js, console.css, staffSession.js) and its Insights page at /agent/insights. */
export function registerAgentConsole(server: Server, dir: string = consoleDir()): void {
  serveStaticFiles(server, dir, FILES, (_route, type, length) => ({
    'content-type': type,
    'content-length': length,
    'cache-control': 'no-cache',
    'content-security-policy': CONSOLE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  }));
}

/** The console as a plug-in of the app. */
export const agentConsolePlugin: HttpPlugin = { name: 'agent-console', register: (server) => registerAgentConsole(server) };
