import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';

/**
 * The project root (the folder holding package.json) above `from`: static assets stay in `src/`
 * (they are not compiled), and this finds them both under `tsx src/…` and from `dist/src/…`.
 */
export function projectRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`projectRoot(): no package.json above ${from}`);
    dir = parent;
  }
}

export type StaticFiles = Record<string, { file: string; type: string }>;

/**
 * Serves a fixed list of files (route → file in `dir`), so a request path never reaches the file
 * system. `headers` adds each route's security headers to the content type and length.
 */
export function serveStaticFiles(server: Server, dir: string, files: StaticFiles, headers: (route: string, type: string, length: number) => Record<string, string | number>): void {
  for (const [route, { file, type }] of Object.entries(files)) {
    server.get(route, async (_req: Request, res: Response) => {
      let body: Buffer;
      try {
        body = await readFile(path.join(dir, file));
      } catch (err) {
        res.status(500);
        res.json({ error: 'internal', message: `${file} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).` });
        return;
      }
      res.writeHead(200, headers(route, type, body.length));
      res.end(body);
    });
  }
}
