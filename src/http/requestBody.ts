import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Next, Request, RequestHandler, Response } from 'restify';
import { sendError } from './errors.js';

/**
 * The JSON body reader of every route, in place of `restify.plugins.bodyParser`: restify's reader
 * ends the process on `Content-Encoding: gzip` with a body that is not gzip (its gunzip stream has
 * no error handler) and counts only compressed bytes (a 255 KB gzip body inflates to ~500 MB).
 * Here the raw body is read into a bounded buffer and decompressed with zlib's `maxOutputLength`,
 * so both the bytes sent and the bytes decoded stop at `maxBytes`, and every failure is an answer.
 */
export interface JsonBodyOptions {
  /** Most bytes a body may have, both as sent and after decompression. */
  maxBytes: number;
  /** Deepest nesting of arrays and objects accepted (deep nesting overflows recursive code later on). */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
/** More stacked encodings than this is not something a real client sends. */
const MAX_ENCODINGS = 2;
export const ACCEPTED_ENCODINGS = 'gzip, deflate, br';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotliDecompress = promisify(zlib.brotliDecompress);

type Decode = (input: Buffer, maxBytes: number) => Promise<Buffer>;

const DECODERS: Readonly<Record<string, Decode>> = {
  gzip: (input, maxOutputLength) => gunzip(input, { maxOutputLength }),
  'x-gzip': (input, maxOutputLength) => gunzip(input, { maxOutputLength }),
  // HTTP's "deflate" is the zlib format, but some clients send raw deflate: accept both.
  deflate: (input, maxOutputLength) =>
    inflate(input, { maxOutputLength }).catch((err: unknown) => {
      if (isErrorCode(err, 'Z_DATA_ERROR')) return inflateRaw(input, { maxOutputLength });
      throw err;
    }),
  br: (input, maxOutputLength) => brotliDecompress(input, { maxOutputLength }),
};

/** Why a body was refused: the answer's status, code and message. */
class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

function isErrorCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === code;
}

const tooLarge = (maxBytes: number, what: string) =>
  new BodyError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes${what}.`, { connection: 'close' });

/** The content codings of the request, outermost last; throws 415 for one this reader does not know. */
export function contentEncodings(header: string | undefined): string[] {
  const codings = (header ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  for (const coding of codings) {
    if (!Object.hasOwn(DECODERS, coding)) {
      throw new BodyError(415, 'unsupported_encoding', `Content-Encoding "${coding.slice(0, 40)}" is not supported; use ${ACCEPTED_ENCODINGS} or none.`, {
        'accept-encoding': ACCEPTED_ENCODINGS,
      });
    }
  }
  if (codings.length > MAX_ENCODINGS) {
    throw new BodyError(415, 'unsupported_encoding', `At most ${MAX_ENCODINGS} content encodings are accepted.`, { 'accept-encoding': ACCEPTED_ENCODINGS });
  }
  return codings;
}

/** JSON is `application/json` or `application/<something>+json`, in UTF-8 (RFC 8259). */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json' && !/^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type)) return false;
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

type RawBody = { kind: 'complete'; body: Buffer } | { kind: 'gone' };

/**
 * Reads the raw body into memory up to `maxBytes`. Past the limit the rest is read and dropped
 * (so the client, still sending, can read the 413) up to `4 × maxBytes`; beyond that the 413 goes
 * out at once and the connection is closed. Resolves `gone` when the client aborts.
 */
function readRaw(req: IncomingMessage, maxBytes: number, declaredLength: number | null): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    if (req.readableEnded) return resolve({ kind: 'complete', body: Buffer.alloc(0) });
    const drainLimit = maxBytes * 4;
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (result: RawBody | BodyError) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      if (result instanceof BodyError) reject(result);
      else resolve(result);
    };
    if (declaredLength !== null && declaredLength > drainLimit) {
      // Nothing to wait for: it says up front that it is far too large.
      settle(tooLarge(maxBytes, ''));
      return;
    }
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > drainLimit) return settle(tooLarge(maxBytes, ''));
      if (received <= maxBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once('end', () => {
      if (received > maxBytes) settle(tooLarge(maxBytes, ''));
      else settle({ kind: 'complete', body: Buffer.concat(chunks, received) });
    });
    // A client that goes away mid-body: nothing to answer, and no error may escape.
    req.on('error', () => settle({ kind: 'gone' }));
    req.once('close', () => settle({ kind: 'gone' }));
  });
}

async function decode(raw: Buffer, codings: string[], maxBytes: number): Promise<Buffer> {
  let body = raw;
  // Codings are listed in the order they were applied: undo them from the last.
  for (const coding of [...codings].reverse()) {
    const decoder = DECODERS[coding];
    if (!decoder || body.length === 0) continue;
    try {
      body = await decoder(body, maxBytes);
    } catch (err) {
      if (isErrorCode(err, 'ERR_BUFFER_TOO_LARGE')) throw tooLarge(maxBytes, ' once decompressed');
      throw new BodyError(400, 'bad_encoding', `The request body is not valid ${coding} data.`);
    }
  }
  return body;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True when arrays/objects nest deeper than `max` (the text is already known to be valid JSON). */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

function parseJson(bytes: Buffer, maxDepth: number): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new BodyError(400, 'bad_json', 'The request body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new BodyError(400, 'bad_json', 'The request body is not valid JSON.');
  }
  if (nestsDeeperThan(text, maxDepth)) throw new BodyError(400, 'bad_json', `The request body nests deeper than ${maxDepth} levels.`);
  return value;
}

function declaredLengthOf(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  if (header === undefined) return null;
  const n = Number(header);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * The body of `req` parsed as JSON: undefined when there is none. Throws a BodyError (with the
 * answer to give) for anything else that is not a JSON body within the limits.
 */
export async function readJson(req: IncomingMessage, options: JsonBodyOptions): Promise<{ kind: 'body'; value: unknown } | { kind: 'gone' }> {
  const { maxBytes } = options;
  const declared = declaredLengthOf(req);
  const mayHaveBody = (declared ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  const json = isJsonContentType(req.headers['content-type']);
  // Refused before reading: the answer does not depend on the bytes (Node discards the unread body).
  if (mayHaveBody && !json) throw new BodyError(415, 'unsupported_media_type', 'Send the body as application/json (UTF-8).');
  const codings = contentEncodings(req.headers['content-encoding']);

  const raw = await readRaw(req, maxBytes, declared);
  if (raw.kind === 'gone') return raw;
  if (raw.body.length === 0) return { kind: 'body', value: undefined };
  if (!json) throw new BodyError(415, 'unsupported_media_type', 'Send the body as application/json (UTF-8).');
  const decoded = await decode(raw.body, codings, maxBytes);
  if (decoded.length === 0) return { kind: 'body', value: undefined };
  return { kind: 'body', value: parseJson(decoded, options.maxDepth ?? DEFAULT_MAX_DEPTH) };
}

function answer(res: ServerResponse, err: BodyError): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  sendError(res, err.status, err.code, err.message);
}

/**
 * restify handler (for `server.use`): reads the JSON body of POST, PUT and PATCH requests into
 * `req.body` (undefined when there is none — also a bodiless POST without Content-Length), and
 * answers 400/413/415 itself with `{ error, message }`. Other methods pass through unread.
 */
export function readJsonBody(options: JsonBodyOptions): RequestHandler {
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes <= 0) throw new Error('readJsonBody: maxBytes must be a positive whole number');
  return (req: Request, res: Response, next: Next): void => {
    if (!METHODS_WITH_BODY.has(req.method ?? '')) return next();
    readJson(req, options).then(
      (result) => {
        if (result.kind === 'gone') return next(false);
        req.body = result.value;
        next();
      },
      (err: unknown) => {
        if (err instanceof BodyError) answer(res, err);
        else sendError(res, 400, 'bad_request', 'The request body could not be read.');
        next(false);
      },
    );
  };
}
