import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import restify, { type Request, type Response, type Server } from 'restify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readJsonBody } from '../../src/http/requestBody.js';

const MAX = 256 * 1024;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: unknown;
}

/** What the echo route saw: the parsed body, or that there was none. */
interface Echo {
  hadBody: boolean;
  body: unknown;
}

let server: Server;
let port: number;
/** Requests the echo handler ran for (it must not run for a refused body). */
let handled = 0;
/** Resolvers waiting for the server to see a request's connection close. */
const closeWaiters: Array<() => void> = [];

beforeAll(async () => {
  server = restify.createServer({ handleUncaughtExceptions: false });
  server.pre((req: Request, _res: Response, next: () => void) => {
    req.once('close', () => closeWaiters.shift()?.());
    next();
  });
  server.use(readJsonBody({ maxBytes: MAX }));
  const echo = async (req: Request, res: Response) => {
    handled += 1;
    res.json({ hadBody: req.body !== undefined, body: req.body ?? null } satisfies Echo);
  };
  server.post('/echo', echo);
  server.get('/echo', echo);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});

afterAll(async () => {
  server.server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function send(body: Buffer | string | null, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === null ? null : Buffer.from(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/echo',
        method,
        agent: false,
        headers: { 'content-type': 'application/json', ...(payload ? { 'content-length': String(payload.length) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? (JSON.parse(text) as unknown) : null });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}

/** A raw HTTP/1.1 exchange, for requests node's client would not send (no Content-Length at all). */
function rawExchange(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

const valid = JSON.stringify({ type: 'message', text: 'my DVR stopped recording' });

/** gzip of `total` zero bytes, made a megabyte at a time so the test itself stays small. */
async function gzipBomb(total: number): Promise<Buffer> {
  const gz = zlib.createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const mb = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < total; written += mb.length) {
    if (!gz.write(mb)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

describe('readJsonBody', () => {
  test('a valid JSON body reaches the handler parsed', async () => {
    const res = await send(valid);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ hadBody: true, body: JSON.parse(valid) });
  });

  test('gzip of bytes that are not gzip is a 400, and the server goes on answering', async () => {
    const res = await send('this is not gzip at all', { 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'bad_encoding', message: expect.stringMatching(/gzip/) });
    const truncated = zlib.gzipSync(valid).subarray(0, 20);
    expect((await send(truncated, { 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await send(valid)).status).toBe(200);
  });

  test('a gzip bomb is a 413 without inflating it (the decompressed size is limited)', async () => {
    // 200 MB of zeros in ~200 KB: under the raw limit, far over it once inflated.
    const bomb = await gzipBomb(200 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(MAX);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const handledBefore = handled;
    try {
      const res = await send(bomb, { 'content-encoding': 'gzip' });
      expect(res.status).toBe(413);
      expect(res.json).toMatchObject({ error: 'payload_too_large' });
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(peak - before).toBeLessThan(24 * 1024 * 1024);
    expect(handled).toBe(handledBefore);
    expect((await send(valid)).status).toBe(200);
  });

  test('a brotli bomb is a 413 too', async () => {
    const bomb = zlib.brotliCompressSync(Buffer.alloc(8 * 1024 * 1024), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });
    const res = await send(bomb, { 'content-encoding': 'br' });
    expect(res.status).toBe(413);
  });

  test('a raw body over the limit is a 413 the client can read', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(MAX) });
    const res = await send(big);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: 'payload_too_large' });
  });

  test('an unknown encoding is a 415 naming the accepted ones', async () => {
    const res = await send(valid, { 'content-encoding': 'compress' });
    expect(res.status).toBe(415);
    expect(res.json).toMatchObject({ error: 'unsupported_encoding' });
    expect(res.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  test.each([
    ['gzip', zlib.gzipSync(valid)],
    ['x-gzip', zlib.gzipSync(valid)],
    ['GZIP', zlib.gzipSync(valid)],
    ['deflate', zlib.deflateSync(valid)],
    ['deflate', zlib.deflateRawSync(valid)],
    ['br', zlib.brotliCompressSync(valid)],
    ['identity', Buffer.from(valid)],
    ['gzip, br', zlib.brotliCompressSync(zlib.gzipSync(valid))],
  ])('Content-Encoding %s is decoded', async (encoding, body) => {
    const res = await send(body, { 'content-encoding': encoding });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ hadBody: true, body: JSON.parse(valid) });
  });

  test.each([
    ['truncated JSON', '{"type": "message", '],
    ['not JSON', 'hello'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])],
    ['deep nesting', '['.repeat(5000) + ']'.repeat(5000)],
  ])('%s is a 400', async (_name, body) => {
    const handledBefore = handled;
    const res = await send(body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'bad_json', message: expect.any(String) });
    expect(handled).toBe(handledBefore);
  });

  test('a body that is not JSON by its content type is a 415; a JSON type with a charset is fine', async () => {
    expect((await send('a=1', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await send(valid, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await send(valid, { 'content-type': 'application/json; charset=iso-8859-1' })).status).toBe(415);
    expect((await send(valid, { 'content-type': 'application/json; charset=UTF-8' })).status).toBe(200);
  });

  test('a POST with no body and no Content-Length runs the handler with an undefined body', async () => {
    const text = await rawExchange(`POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ hadBody: false, body: null });
    const empty = await send('', { 'content-type': 'text/plain' });
    expect(empty.json).toEqual({ hadBody: false, body: null });
    const gzippedNothing = await send(zlib.gzipSync(Buffer.alloc(0)), { 'content-encoding': 'gzip' });
    expect(gzippedNothing.json).toEqual({ hadBody: false, body: null });
  });

  test('a GET body is not read', async () => {
    const res = await send(valid, {}, 'GET');
    expect(res.json).toEqual({ hadBody: false, body: null });
  });

  test('a client that aborts mid-body leaves no error behind, and the server goes on answering', async () => {
    const handledBefore = handled;
    const closed = new Promise<void>((resolve) => closeWaiters.push(resolve));
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 5000\r\n\r\n');
      socket.write(zlib.gzipSync(valid).subarray(0, 10), () => socket.destroy());
    });
    socket.on('error', () => undefined);
    await closed;
    // Give any stray error event or rejection its turn of the event loop before looking.
    await new Promise((r) => setImmediate(r));
    expect(handled).toBe(handledBefore);
    expect((await send(valid)).status).toBe(200);
  });
});
