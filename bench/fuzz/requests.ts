import { contentType, encodeBody, mutateBytes, mutateJson, randomUnicode, resetRaw, serialise, type Bombs, type Json } from './mutate.js';
import type { Rng } from './prng.js';

/** One request to send, and what the report needs to know about it. */
export interface RequestSpec {
  /** The route template ("POST /v3/directline/conversations/:id/activities"), the report's row. */
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  /** Send only this many bytes of the body (Content-Length says all of it), then drop the connection. */
  abortAfter?: number;
  /** A stream (SSE) or a WebSocket upgrade: note the status, then hang up. */
  stream?: boolean;
  upgrade?: boolean;
  /** botbuilder answers 501 to an invoke no handler implements: allowed here, counted apart. */
  allow501?: boolean;
  /** What was done to the seed, for the report ("invoke", "gzip-bomb", "huge-string@text"). */
  notes: string[];
}

/** What the generators may use that the server handed out: Direct Line conversations, a staff token. */
export interface Pools {
  conversations: Array<{ id: string; token: string }>;
  /** Tokens from /tokens/generate not yet used to start a conversation. */
  spareTokens: string[];
  staffToken: string | null;
}

export interface GenContext {
  rng: Rng;
  pools: Pools;
  bombs: Bombs;
}

const SERVICE_URL = 'http://127.0.0.1:1';
const TEXTS = [
  'my DVR stopped recording',
  'no picture on channel 2 of my dvr, video loss',
  'is my camera under warranty? serial NVR-2024-000123',
  'talk to a person',
  'I want to speak to a human, this is useless',
  'what is the status of T-000001',
  'yes',
  'no',
  'Yes, fixed',
  'how do I set up port forwarding on my netgear router',
  'the app says device offline',
  'cancel',
  'start over',
  'help',
  '',
];
const INVOKE_NAMES = [
  'adaptiveCard/action',
  'task/fetch',
  'task/submit',
  'composeExtension/query',
  'signin/verifyState',
  'signin/tokenExchange',
  'healthCheck',
  'application/search',
  'actionableMessage/executeAction',
  'fileConsent/invoke',
  'handoff/action',
  'fuzz/nothing',
];
const CHANNELS = ['emulator', 'webchat', 'directline', 'msteams', 'slack', 'test'];

/**
 * Percent-encoded text for paths and queries: the UTF-8 of random Unicode, or raw random bytes
 * (invalid UTF-8 once decoded, which is what makes decodeURIComponent throw).
 */
function pctGarbage(rng: Rng, length: number): string {
  const bytes = rng.chance(0.5) ? Buffer.from(randomUnicode(rng, length), 'utf8') : rng.bytes(length);
  return [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

const randomId = (rng: Rng, prefix: string) => `${prefix}${rng.int(1_000_000).toString(36)}`;

function activitySeed(rng: Rng): { activity: { [key: string]: Json }; type: string } {
  const type = rng.weighted([
    ['message', 50],
    ['conversationUpdate', 15],
    ['invoke', 15],
    ['event', 5],
    ['typing', 3],
    ['messageReaction', 3],
    ['installationUpdate', 2],
    ['endOfConversation', 2],
    ['fuzzType', 2],
  ] as const);
  const user = `fuzz-user-${rng.int(40)}`;
  const channelId = type === 'invoke' && rng.chance(0.5) ? 'msteams' : rng.pick(CHANNELS);
  const activity: { [key: string]: Json } = {
    type,
    id: randomId(rng, 'a'),
    timestamp: new Date(Date.UTC(2026, 11, 1)).toISOString(),
    channelId,
    serviceUrl: SERVICE_URL,
    // Replies come back in the HTTP answer, so the bot never calls out (and the serviceUrl is closed).
    deliveryMode: 'expectReplies',
    from: { id: user, name: 'Fuzz', role: 'user' },
    recipient: { id: 'camsupport-bot', name: 'Support', role: 'bot' },
    conversation: { id: `fuzz-conv-${rng.int(60)}`, ...(channelId === 'msteams' ? { tenantId: 'fuzz-tenant', conversationType: 'personal' } : {}) },
    locale: rng.pick(['en-US', 'en', 'de-DE', 'xx', '']),
  };
  switch (type) {
    case 'message':
      activity.text = rng.pick(TEXTS);
      if (rng.chance(0.2)) activity.value = { action: rng.pick(['yes', 'no', 'ticket', 'handoff']), serial: 'NVR-2024-000123' };
      if (rng.chance(0.1)) activity.attachments = [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1:1/x.png' }];
      if (channelId === 'msteams') activity.channelData = { tenant: { id: 'fuzz-tenant' } };
      break;
    case 'conversationUpdate':
      activity.membersAdded = [{ id: user, name: 'Fuzz' }, ...(rng.chance(0.5) ? [{ id: 'camsupport-bot' }] : [])];
      if (rng.chance(0.2)) activity.membersRemoved = [{ id: user }];
      break;
    case 'invoke':
      activity.name = rng.pick(INVOKE_NAMES);
      activity.value = rng.pick<Json>([{}, { action: { type: 'Action.Execute', verb: 'fuzz', data: { x: 1 } } }, { state: '123456' }, null, [1, 2], 'text']);
      break;
    case 'event':
      activity.name = rng.pick(['webchat/join', 'handoff', 'fuzz', '']);
      activity.value = { language: 'en' };
      break;
    case 'messageReaction':
      activity.reactionsAdded = [{ type: 'like' }];
      activity.replyToId = randomId(rng, 'a');
      break;
    default:
      break;
  }
  return { activity, type };
}

function maybeEncodeJson(ctx: GenContext, seed: Json, route: string, method: string, path: string, headers: Record<string, string> = {}): RequestSpec {
  const { rng } = ctx;
  resetRaw();
  const notes: string[] = [];
  let value = seed;
  if (rng.chance(0.6)) {
    const mutated = mutateJson(rng, value, rng.range(1, 3));
    value = mutated.value;
    notes.push(...mutated.applied);
  }
  let body: Buffer = Buffer.from(serialise(value));
  if (rng.chance(0.08)) {
    const damaged = mutateBytes(rng, body);
    body = damaged.body;
    notes.push(damaged.applied);
  }
  const encoded = encodeBody(rng, body, ctx.bombs);
  if (encoded.applied) notes.push(encoded.applied);
  const type = contentType(rng);
  if (type !== 'application/json' && type !== 'application/json; charset=utf-8') notes.push(`content-type:${type ?? 'none'}`);
  const spec: RequestSpec = {
    route,
    method,
    path,
    headers: { ...headers, ...(type ? { 'content-type': type } : {}), ...(encoded.encoding !== undefined ? { 'content-encoding': encoded.encoding } : {}) },
    body: encoded.body,
    notes,
  };
  if (rng.chance(0.04)) {
    spec.chunked = true;
    notes.push('chunked');
  }
  if (encoded.body.length > 8 && rng.chance(0.02)) {
    spec.abortAfter = rng.int(encoded.body.length);
    notes.push('client-abort');
  }
  return spec;
}

function extraHeaders(rng: Rng, spec: RequestSpec): RequestSpec {
  if (rng.chance(0.03)) {
    spec.headers['x-fuzz-huge'] = 'h'.repeat(rng.pick([8_000, 20_000]));
    spec.notes.push('huge-header');
  }
  if (rng.chance(0.03)) {
    spec.headers['x-forwarded-for'] = rng.pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1, ' + 'x'.repeat(200), '999.999.999.999']);
    spec.notes.push('x-forwarded-for');
  }
  if (rng.chance(0.02)) {
    spec.headers.expect = '100-continue';
    spec.notes.push('expect-continue');
  }
  return spec;
}

// ---- routes --------------------------------------------------------------------------------

function botFrameworkMessage(ctx: GenContext): RequestSpec {
  const { rng } = ctx;
  const { activity, type } = activitySeed(rng);
  const headers: Record<string, string> = {};
  if (rng.chance(0.1)) headers.authorization = rng.pick(['Bearer garbage', 'Bearer eyJhbGciOiJub25lIn0.eyJpc3MiOiJmdXp6In0.', 'Basic Zm9vOmJhcg==', 'Bearer']);
  const spec = maybeEncodeJson(ctx, activity, 'POST /api/messages', 'POST', '/api/messages', headers);
  spec.notes.unshift(type);
  if (type === 'invoke') spec.allow501 = true;
  return spec;
}

function conversationRef(ctx: GenContext): { id: string; token: string; note: string } {
  const { rng, pools } = ctx;
  const known = pools.conversations.length > 0 ? rng.pick(pools.conversations) : null;
  const r = rng.next();
  if (known && r < 0.7) return { ...known, note: 'valid-token' };
  if (known && r < 0.8) {
    const other = rng.pick(pools.conversations);
    return { id: known.id, token: other.token, note: other === known ? 'valid-token' : 'other-conversation-token' };
  }
  const id = rng.pick([randomId(rng, 'conv'), 'short', 'x'.repeat(80), '%2e%2e', pctGarbage(rng, 6), known?.id ?? 'none1234']);
  const token = rng.pick([known?.token ?? 'none', 'garbage', 'a.b.c', '', 'x'.repeat(3000), `${known?.token ?? 'x'}tampered`]);
  return { id, token, note: 'bad-ref' };
}

function bearer(token: string): Record<string, string> {
  return token === '' ? {} : { authorization: `Bearer ${token}` };
}

function watermarkQuery(rng: Rng): string {
  return rng.pick(['', '?watermark=', '?watermark=0', '?watermark=3', '?watermark=-1', '?watermark=1e9', '?watermark=abc', '?watermark=99999999999999999999', '?watermark=1&watermark=2', '?watermark=%00']);
}

function directLine(ctx: GenContext): RequestSpec {
  const { rng, pools } = ctx;
  const which = rng.weighted([
    ['generate', 3],
    ['refresh', 3],
    ['start', 4],
    ['get-conversation', 4],
    ['get-activities', 5],
    ['post-activity', 15],
    ['stream-upgrade', 1],
    ['connector', 3],
    ['webchat-token', 2],
  ] as const);
  switch (which) {
    case 'generate': {
      if (rng.chance(0.5)) return { route: 'POST /v3/directline/tokens/generate', method: 'POST', path: '/v3/directline/tokens/generate', headers: {}, notes: ['no-body'] };
      return maybeEncodeJson(ctx, { user: { id: 'dl_fuzz', name: 'Fuzz' } }, 'POST /v3/directline/tokens/generate', 'POST', '/v3/directline/tokens/generate');
    }
    case 'refresh': {
      const ref = conversationRef(ctx);
      const spec: RequestSpec = rng.chance(0.7)
        ? { route: 'POST /v3/directline/tokens/refresh', method: 'POST', path: '/v3/directline/tokens/refresh', headers: bearer(ref.token), notes: [] }
        : maybeEncodeJson(ctx, {}, 'POST /v3/directline/tokens/refresh', 'POST', '/v3/directline/tokens/refresh', bearer(ref.token));
      spec.notes.unshift(ref.note);
      return spec;
    }
    case 'start': {
      const spare = rng.chance(0.6) ? pools.spareTokens.pop() : undefined;
      const token = spare ?? conversationRef(ctx).token;
      const spec: RequestSpec = rng.chance(0.8)
        ? { route: 'POST /v3/directline/conversations', method: 'POST', path: '/v3/directline/conversations', headers: bearer(token), notes: [] }
        : maybeEncodeJson(ctx, { user: { id: 'x' } }, 'POST /v3/directline/conversations', 'POST', '/v3/directline/conversations', bearer(token));
      spec.notes.unshift(spare ? 'new-conversation' : 'existing-or-bad');
      return spec;
    }
    case 'get-conversation': {
      const ref = conversationRef(ctx);
      return { route: 'GET /v3/directline/conversations/:id', method: 'GET', path: `/v3/directline/conversations/${ref.id}${watermarkQuery(rng)}`, headers: bearer(ref.token), notes: [ref.note] };
    }
    case 'get-activities': {
      const ref = conversationRef(ctx);
      return { route: 'GET /v3/directline/conversations/:id/activities', method: 'GET', path: `/v3/directline/conversations/${ref.id}/activities${watermarkQuery(rng)}`, headers: bearer(ref.token), notes: [ref.note] };
    }
    case 'post-activity': {
      const ref = conversationRef(ctx);
      const seed: Json = {
        type: rng.pick(['message', 'message', 'message', 'event', 'typing']),
        text: rng.pick(TEXTS),
        textFormat: 'plain',
        locale: 'en-US',
        from: { id: 'dl_fuzz', name: 'Fuzz' },
        channelData: { clientActivityID: randomId(rng, 'c'), clientTimestamp: new Date(Date.UTC(2026, 11, 1)).toISOString() },
      };
      const spec = maybeEncodeJson(ctx, seed, 'POST /v3/directline/conversations/:id/activities', 'POST', `/v3/directline/conversations/${ref.id}/activities`, bearer(ref.token));
      spec.notes.unshift(ref.note);
      return spec;
    }
    case 'stream-upgrade': {
      const ref = conversationRef(ctx);
      return {
        route: 'GET /v3/directline/conversations/:id/stream (upgrade)',
        method: 'GET',
        path: `/v3/directline/conversations/${ref.id}/stream?t=${encodeURIComponent(rng.pick([ref.token, 'garbage', '']))}`,
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
        upgrade: true,
        notes: [ref.note],
      };
    }
    case 'connector': {
      const ref = conversationRef(ctx);
      const reply = rng.chance(0.5) ? `/${randomId(rng, 'r')}` : '';
      const spec = maybeEncodeJson(
        ctx,
        { type: 'message', text: 'a reply', from: { id: 'camsupport-bot' }, serviceUrl: SERVICE_URL },
        `POST /directline-connector/v3/conversations/:id/activities${reply ? '/:replyToId' : ''}`,
        'POST',
        `/directline-connector/v3/conversations/${ref.id}/activities${reply}`,
      );
      spec.notes.unshift(ref.note);
      return spec;
    }
    case 'webchat-token':
      return rng.chance(0.7)
        ? { route: 'POST /api/webchat/token', method: 'POST', path: '/api/webchat/token', headers: {}, notes: [] }
        : maybeEncodeJson(ctx, { user: 'x' }, 'POST /api/webchat/token', 'POST', '/api/webchat/token');
  }
}

function staffAuth(ctx: GenContext): { headers: Record<string, string>; note: string } {
  const { rng, pools } = ctx;
  const r = rng.next();
  if (pools.staffToken && r < 0.45) return { headers: { authorization: `Bearer ${pools.staffToken}` }, note: 'staff-token' };
  return rng.pick<{ headers: Record<string, string>; note: string }>([
    { headers: {}, note: 'no-token' },
    { headers: { authorization: 'Bearer garbage-token' }, note: 'bad-token' },
    { headers: { authorization: `Bearer ${'t'.repeat(4000)}` }, note: 'long-token' },
    { headers: { authorization: 'Basic c3RhZmY6c3RhZmY=' }, note: 'basic' },
    { headers: { authorization: 'Bearer' }, note: 'empty-bearer' },
    { headers: { authorization: `Bearer ${pools.staffToken ?? 'x'}x` }, note: 'tampered-token' },
  ]);
}

function ticketId(rng: Rng): string {
  return rng.pick(['T-000001', 'T-000002', 'T-000003', 't-1', 'T-999999999', 'T-0', 'garbage', '%00', 'T-' + '9'.repeat(40), pctGarbage(rng, 4)]);
}

function handoffId(rng: Rng): string {
  return rng.pick(['H-000001', 'H-000002', 'H-000003', 'h-1', 'H-0', 'H-9999999999', 'garbage', '%2e%2e', pctGarbage(rng, 4)]);
}

function staffApi(ctx: GenContext): RequestSpec {
  const { rng } = ctx;
  const auth = staffAuth(ctx);
  const streamed = auth.note === 'staff-token';
  const which = rng.weighted([
    ['me', 2],
    ['tickets', 3],
    ['ticket', 3],
    ['patch-ticket', 4],
    ['comment', 4],
    ['handoffs', 3],
    ['handoff', 3],
    ['events', 1],
    ['handoff-events', 1],
    ['accept', 3],
    ['message', 4],
    ['close', 3],
    ['to-ticket', 2],
    ['insights', 3],
    ['presence', 2],
    ['desk', 2],
  ] as const);
  const get = (route: string, path: string, extra: Partial<RequestSpec> = {}): RequestSpec => ({ route, method: 'GET', path, headers: auth.headers, notes: [auth.note], ...extra });
  const post = (route: string, method: string, path: string, seed: Json | undefined): RequestSpec => {
    const spec = seed === undefined || rng.chance(0.15) ? { route, method, path, headers: { ...auth.headers }, notes: ['no-body'] } : maybeEncodeJson(ctx, seed, route, method, path, auth.headers);
    spec.notes.unshift(auth.note);
    return spec;
  };
  switch (which) {
    case 'me':
      return get('GET /api/me', '/api/me');
    case 'tickets':
      return get(
        'GET /api/tickets',
        `/api/tickets${rng.pick(['', '?status=open', '?status=bogus', '?page=0', '?page=2&pageSize=100', '?pageSize=1000', '?text=' + pctGarbage(rng, 10), '?assignee=&text=', '?page=1e3'])}`,
      );
    case 'ticket':
      return get('GET /api/tickets/:id', `/api/tickets/${ticketId(rng)}`);
    case 'patch-ticket':
      return post('PATCH /api/tickets/:id', 'PATCH', `/api/tickets/${ticketId(rng)}`, { status: rng.pick(['open', 'in_progress', 'waiting_customer', 'resolved', 'closed']), priority: rng.pick(['low', 'normal', 'high', 'urgent']), assignee: 'fuzz' });
    case 'comment':
      return post('POST /api/tickets/:id/comments', 'POST', `/api/tickets/${ticketId(rng)}/comments`, { text: 'Checked the NVR logs.', public: rng.chance(0.5) });
    case 'handoffs':
      return get('GET /api/handoffs', `/api/handoffs${rng.pick(['', '?status=waiting', '?status=active', '?status=closed', '?status=bogus', '?status='])}`);
    case 'handoff':
      return get('GET /api/handoffs/:id', `/api/handoffs/${handoffId(rng)}`);
    case 'events':
      return get('GET /api/handoffs/events', '/api/handoffs/events', streamed ? { stream: true } : {});
    case 'handoff-events':
      return get('GET /api/handoffs/:id/events', `/api/handoffs/${handoffId(rng)}/events`, streamed ? { stream: true } : {});
    case 'accept':
      return post('POST /api/handoffs/:id/accept', 'POST', `/api/handoffs/${handoffId(rng)}/accept`, {});
    case 'message':
      return post('POST /api/handoffs/:id/messages', 'POST', `/api/handoffs/${handoffId(rng)}/messages`, { text: 'Hello, this is support.' });
    case 'close':
      return post('POST /api/handoffs/:id/close', 'POST', `/api/handoffs/${handoffId(rng)}/close`, { note: 'resolved on the phone' });
    case 'to-ticket':
      return post('POST /api/handoffs/:id/ticket', 'POST', `/api/handoffs/${handoffId(rng)}/ticket`, {});
    case 'insights': {
      const query = rng.pick(['?from=2026-11-01&to=2026-11-30', '?from=2026-11-30&to=2026-11-01', '?from=2026-02-30&to=2026-03-01', '?from=&to=', '', '?from=2026-11-01&to=2026-11-30&channel=' + pctGarbage(rng, 8), '?from=2020-01-01&to=2026-12-31', '?from=2026-11-01&to=2026-11-30&limit=' + rng.pick(['0', '50', '9999', 'x'])]);
      const path = rng.pick(['/api/insights', '/api/insights.csv', '/api/insights/comments']);
      return get(`GET ${path}`, `${path}${query}`);
    }
    case 'presence':
      return rng.chance(0.5)
        ? post('PUT /api/presence', 'PUT', '/api/presence', { status: rng.pick(['available', 'away', 'busy', '']) })
        : post('POST /api/presence/heartbeat', 'POST', '/api/presence/heartbeat', {});
    case 'desk': {
      const path = rng.pick(['/api/canned-replies', '/api/service-level', '/api/console-features', '/api/presence']);
      return get(`GET ${path}`, path);
    }
  }
}

const STATIC_PATHS = ['/', '/agent', '/agent/', '/agent/console.js', '/agent/console.css', '/agent/insights', '/agent/insights.js', '/agent/staffSession.js', '/widget.js', '/favicon.ico', '/healthz', '/readyz'];

function staticPage(ctx: GenContext): RequestSpec {
  const { rng } = ctx;
  // The Web Chat bundle is 3.9 MB: now and then, not at every tenth request.
  const path = rng.chance(0.03) ? '/webchat/webchat.js' : rng.pick(STATIC_PATHS);
  const method = rng.weighted([
    ['GET', 85],
    ['HEAD', 5],
    ['OPTIONS', 3],
    ['POST', 4],
    ['DELETE', 3],
  ] as const);
  const query = rng.chance(0.15) ? `?${rng.pick(['x=1', 'x=%', 'x=%zz', '__proto__[a]=1', 'a='.repeat(500), pctGarbage(rng, 20)])}` : '';
  const route = method === 'GET' ? `GET ${path}` : `${method} (static paths)`;
  return { route, method, path: path + query, headers: rng.chance(0.1) ? { 'accept-encoding': 'gzip, br', range: 'bytes=0-10' } : {}, notes: [] };
}

const SEGMENTS = ['api', 'messages', 'v3', 'directline', 'conversations', 'activities', 'tokens', 'generate', 'refresh', 'agent', 'widget.js', 'webchat', 'tickets', 'handoffs', 'events', 'stream', 'directline-connector', '..', '.', '%2e%2e', '%2f', '%00', '%', '%zz', '%ff%fe', '~', '$', '.env', 'package.json', 'healthz', 'x'.repeat(300)];

function randomRequest(ctx: GenContext): RequestSpec {
  const { rng } = ctx;
  const method = rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'FUZZ']);
  const notes: string[] = [];
  let path = '/' + Array.from({ length: rng.range(0, 6) }, () => rng.pick(SEGMENTS)).join('/');
  if (rng.chance(0.05)) {
    const length = rng.pick([2_000, 10_000, 70_000]);
    path = '/' + 'a'.repeat(length);
    notes.push(`path-${length}-bytes`);
  }
  if (rng.chance(0.05)) {
    path = '/' + path;
    notes.push('double-slash');
  }
  if (rng.chance(0.03)) {
    path = '*';
    notes.push('asterisk-path');
  }
  if (rng.chance(0.2)) path += `?${Array.from({ length: rng.range(1, 4) }, () => `${rng.pick(['a', 'watermark', 't', 'status', '__proto__'])}=${pctGarbage(rng, 5)}`).join('&')}`;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    const spec = maybeEncodeJson(ctx, { type: 'message', text: 'x' }, `${method} (random path)`, method, path);
    spec.notes.unshift(...notes);
    return spec;
  }
  return { route: `${method} (random path)`, method, path, headers: {}, notes };
}

/** Request number i of the run (its own PRNG stream). */
export function generateRequest(ctx: GenContext): RequestSpec {
  const kind = ctx.rng.weighted([
    ['messages', 35],
    ['directline', 30],
    ['staff', 15],
    ['static', 8],
    ['random', 12],
  ] as const);
  const spec =
    kind === 'messages' ? botFrameworkMessage(ctx) : kind === 'directline' ? directLine(ctx) : kind === 'staff' ? staffApi(ctx) : kind === 'static' ? staticPage(ctx) : randomRequest(ctx);
  return extraHeaders(ctx.rng, spec);
}
