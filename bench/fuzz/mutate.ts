import zlib from 'node:zlib';
import type { Rng } from './prng.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Raw JSON text that JSON.stringify cannot produce (deep nesting without recursing here, a
 * `__proto__` key, duplicate keys) goes in as a marker string and is spliced in after serialising.
 */
const RAW_MARK = '\u0000fuzz-raw:';
const rawFragments = new Map<string, string>();
function raw(text: string): string {
  const key = `${RAW_MARK}${rawFragments.size}`;
  rawFragments.set(key, text);
  return key;
}

/** JSON text of `value`, with the raw fragments spliced in. */
export function serialise(value: Json): string {
  let text = JSON.stringify(value);
  if (!text.includes('fuzz-raw:')) return text;
  text = text.replace(/"\\u0000fuzz-raw:(\d+)"/g, (_m, n: string) => rawFragments.get(`${RAW_MARK}${n}`) ?? 'null');
  return text;
}

/** Forgets the raw fragments of the previous request (they are per request). */
export function resetRaw(): void {
  rawFragments.clear();
}

const UNICODE_POOL = [
  '\u0000', '\u0007', '\u001b[31m', '\u200b', '\u200e', '\u202e', '\ufeff', '\uffff', '\ud800', '\udc00', '\ud83d\ude00',
  '\u0301\u0301\u0301', 'İ', 'ß', 'ﷺ', '𝕏', '中文', 'العربية', '\r\n', '\\', '"', '</script>', '${7*7}', '%s%n', "' OR 1=1 --",
];

export function randomUnicode(rng: Rng, length: number): string {
  let out = '';
  while (out.length < length) {
    out += rng.chance(0.5) ? rng.pick(UNICODE_POOL) : String.fromCharCode(rng.int(0x10000));
  }
  return out;
}

function randomScalar(rng: Rng): Json {
  return rng.pick<() => Json>([
    () => null,
    () => true,
    () => false,
    () => 0,
    () => -1,
    () => 1e308,
    () => 2 ** 53 + 1,
    () => -0.5,
    () => '',
    () => 'x',
    () => randomUnicode(rng, rng.range(1, 40)),
    () => [],
    () => ({}),
    () => [null, 1, 'a', {}],
    () => ({ id: randomUnicode(rng, 4) }),
  ])();
}

/** A value nested `depth` levels deep, as raw text (built without recursion). */
function deepRaw(rng: Rng, depth: number): string {
  return rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

type Slot = { parent: Json[] | { [key: string]: Json }; key: string | number };

/** Every place in `root` a value sits (bounded: fuzz seeds are small). */
function slots(root: Json): Slot[] {
  const out: Slot[] = [];
  const stack: Json[] = [root];
  while (stack.length > 0 && out.length < 500) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push({ parent: node, key: i });
        stack.push(child);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [k, child] of Object.entries(node)) {
        out.push({ parent: node, key: k });
        stack.push(child);
      }
    }
  }
  return out;
}

function containers(root: Json): Array<{ [key: string]: Json }> {
  const out: Array<{ [key: string]: Json }> = [];
  const stack: Json[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    else if (node !== null && typeof node === 'object') {
      out.push(node);
      stack.push(...Object.values(node));
    }
  }
  return out;
}

function getSlot(s: Slot): Json | undefined {
  return Array.isArray(s.parent) ? s.parent[s.key as number] : s.parent[s.key as string];
}

function setSlot(s: Slot, value: Json): void {
  if (Array.isArray(s.parent)) s.parent[s.key as number] = value;
  else s.parent[s.key as string] = value;
}

const MUTATIONS = [
  'drop',
  'wrong-type',
  'null',
  'huge-string',
  'unicode',
  'array-for-object',
  'object-for-array',
  'deep-nesting',
  'number',
  'long-key',
  'many-keys',
  'proto-key',
  'constructor-key',
  'duplicate-key',
  'empty-string',
] as const;
export type JsonMutation = (typeof MUTATIONS)[number];

/**
 * Applies `count` random mutations to `value` (in place; the root itself may be replaced) and
 * returns the result with the names of what was done, for the report.
 */
export function mutateJson(rng: Rng, value: Json, count: number): { value: Json; applied: string[] } {
  let root = value;
  const applied: string[] = [];
  for (let n = 0; n < count; n += 1) {
    const mutation = rng.pick(MUTATIONS);
    const all = slots(root);
    const slot = all.length > 0 && rng.chance(0.95) ? rng.pick(all) : null;
    const where = slot ? String(slot.key) : '<root>';
    const current = slot ? getSlot(slot) : root;
    const put = (v: Json) => {
      if (slot) setSlot(slot, v);
      else root = v;
    };
    const objects = containers(root);
    const target = objects.length > 0 ? rng.pick(objects) : null;
    switch (mutation) {
      case 'drop':
        if (slot && Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
        else if (slot) delete (slot.parent as { [key: string]: Json })[slot.key as string];
        else root = null;
        break;
      case 'wrong-type':
        put(randomScalar(rng));
        break;
      case 'null':
        put(null);
        break;
      case 'huge-string':
        put('A'.repeat(rng.pick([1_000, 4_001, 10_001, 100_000, 300_000])));
        break;
      case 'unicode':
        put(randomUnicode(rng, rng.range(1, 300)));
        break;
      case 'array-for-object':
        put(current !== null && typeof current === 'object' && !Array.isArray(current) ? Object.values(current) : [current ?? null]);
        break;
      case 'object-for-array':
        put(Array.isArray(current) ? Object.fromEntries(current.map((v, i) => [String(i), v])) : { value: current ?? null });
        break;
      case 'deep-nesting':
        put(raw(deepRaw(rng, rng.pick([65, 500, 5_000, 50_000]))));
        break;
      case 'number':
        put(rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 4294967296, 1e-320]));
        break;
      case 'long-key':
        if (target) target['k'.repeat(rng.pick([300, 5_000, 60_000]))] = 1;
        break;
      case 'many-keys':
        if (target) {
          const n = rng.pick([100, 5_000]);
          for (let i = 0; i < n; i += 1) target[`key${i}`] = i;
        }
        break;
      case 'proto-key':
        if (target) target[`proto${rng.int(1e6)}`] = raw('{"polluted":true},"__proto__":{"polluted":true,"isAdmin":true}');
        break;
      case 'constructor-key':
        if (target) target['constructor'] = { prototype: { polluted: true } };
        break;
      case 'duplicate-key':
        if (target) target[`dup${rng.int(1e6)}`] = raw('1,"type":"message","type":{"x":1}');
        break;
      case 'empty-string':
        put('');
        break;
    }
    applied.push(`${mutation}@${where.slice(0, 24)}`);
  }
  return { value: root, applied };
}

/** Byte-level damage to a serialised body. */
export function mutateBytes(rng: Rng, body: Buffer): { body: Buffer; applied: string } {
  const kind = rng.pick(['truncate', 'garbage', 'invalid-utf8', 'bom', 'empty', 'trailing-garbage', 'nul-bytes', 'whitespace'] as const);
  switch (kind) {
    case 'truncate':
      return { body: body.subarray(0, rng.int(Math.max(1, body.length))), applied: kind };
    case 'garbage':
      return { body: rng.bytes(rng.range(1, 2000)), applied: kind };
    case 'invalid-utf8': {
      const at = rng.int(body.length + 1);
      return { body: Buffer.concat([body.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), body.subarray(at)]), applied: kind };
    }
    case 'bom':
      return { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]), applied: kind };
    case 'empty':
      return { body: Buffer.alloc(0), applied: kind };
    case 'trailing-garbage':
      return { body: Buffer.concat([body, Buffer.from('}}]]garbage')]), applied: kind };
    case 'nul-bytes':
      return { body: Buffer.concat([body, Buffer.alloc(rng.range(1, 64))]), applied: kind };
    case 'whitespace':
      return { body: Buffer.concat([Buffer.from(' \n\t'.repeat(rng.range(1, 1000))), body]), applied: kind };
  }
}

/** Compressed bodies that inflate far past any sane limit; made once per run (streamed, so small here). */
export interface Bombs {
  gzip10M: Buffer;
  gzip200M: Buffer;
  deflate10M: Buffer;
  br16M: Buffer;
}

async function compressZeros(stream: zlib.Gzip | zlib.Deflate | zlib.BrotliCompress, total: number): Promise<Buffer> {
  const out: Buffer[] = [];
  stream.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const mb = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < total; written += mb.length) {
    if (!stream.write(mb)) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await done;
  return Buffer.concat(out);
}

export async function makeBombs(): Promise<Bombs> {
  const MB = 1024 * 1024;
  return {
    gzip10M: await compressZeros(zlib.createGzip({ level: 9 }), 10 * MB),
    gzip200M: await compressZeros(zlib.createGzip({ level: 9 }), 200 * MB),
    deflate10M: await compressZeros(zlib.createDeflate({ level: 9 }), 10 * MB),
    br16M: await compressZeros(zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }), 16 * MB),
  };
}

/** A Content-Encoding (or none) and the body it goes with: some honest, some lies, some bombs. */
export function encodeBody(rng: Rng, body: Buffer, bombs: Bombs): { body: Buffer; encoding?: string; applied?: string } {
  const kind = rng.weighted([
    ['none', 70],
    ['gzip', 5],
    ['deflate', 3],
    ['br', 3],
    ['gzip-of-garbage', 4],
    ['truncated-gzip', 2],
    ['gzip-bomb', 2],
    ['gzip-bomb-200M', 0.5],
    ['deflate-bomb', 1],
    ['br-bomb', 1],
    ['unknown-encoding', 3],
    ['double-gzip-label', 1],
    ['identity', 1],
    ['upper-case', 1],
  ] as const);
  switch (kind) {
    case 'none':
      return { body };
    case 'gzip':
      return { body: zlib.gzipSync(body), encoding: rng.pick(['gzip', 'x-gzip']), applied: kind };
    case 'deflate':
      return { body: rng.chance(0.5) ? zlib.deflateSync(body) : zlib.deflateRawSync(body), encoding: 'deflate', applied: kind };
    case 'br':
      return { body: zlib.brotliCompressSync(body), encoding: 'br', applied: kind };
    case 'gzip-of-garbage':
      return { body: rng.chance(0.5) ? body : rng.bytes(rng.range(1, 500)), encoding: 'gzip', applied: kind };
    case 'truncated-gzip': {
      const gz = zlib.gzipSync(body);
      return { body: gz.subarray(0, rng.range(1, Math.max(1, gz.length - 1))), encoding: 'gzip', applied: kind };
    }
    case 'gzip-bomb':
      return { body: bombs.gzip10M, encoding: 'gzip', applied: kind };
    case 'gzip-bomb-200M':
      return { body: bombs.gzip200M, encoding: 'gzip', applied: kind };
    case 'deflate-bomb':
      return { body: bombs.deflate10M, encoding: 'deflate', applied: kind };
    case 'br-bomb':
      return { body: bombs.br16M, encoding: 'br', applied: kind };
    case 'unknown-encoding':
      return { body, encoding: rng.pick(['compress', 'zstd', 'snappy', 'gzip;q=1', 'chunked', 'x-fuzz', ',', 'br, zstd']), applied: kind };
    case 'double-gzip-label':
      return { body: zlib.gzipSync(body), encoding: 'gzip, gzip', applied: kind };
    case 'identity':
      return { body, encoding: 'identity', applied: kind };
    case 'upper-case':
      return { body: zlib.gzipSync(body), encoding: 'GZIP', applied: kind };
  }
}

export function contentType(rng: Rng): string | undefined {
  return rng.weighted<string | undefined>([
    ['application/json', 70],
    ['application/json; charset=utf-8', 10],
    [undefined, 3],
    ['text/plain', 3],
    ['application/x-www-form-urlencoded', 2],
    ['multipart/form-data; boundary=fuzz', 2],
    ['application/octet-stream', 2],
    ['application/json; charset=latin1', 2],
    ['application/vnd.fuzz+json', 1],
    ['APPLICATION/JSON', 1],
    ['application/json, text/html', 1],
    ['*/*', 1],
    ['json', 1],
  ]);
}
