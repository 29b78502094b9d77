import WebSocket from 'ws';

/**
 * Clients of a running app, as Web Chat and the agent console use it: Direct Line over HTTP and
 * its WebSocket stream, and the staff API's Server-Sent Events. They wait for what arrives
 * (frames, events), never for a fixed time.
 */

export interface FeedActivity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; role?: string };
  replyToId?: string;
  channelData?: { clientActivityID?: string };
}

export async function call(base: string, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

export interface Conversation {
  id: string;
  token: string;
  userId: string;
  streamUrl: string;
}

/** What the demo page does: a token for a new conversation (on `tokenBase`), then start it (on `startBase`). */
export async function startConversation(tokenBase: string, startBase: string = tokenBase): Promise<Conversation> {
  const generated = await call(tokenBase, 'POST', '/v3/directline/tokens/generate');
  if (generated.status !== 200) throw new Error(`tokens/generate: ${generated.status}`);
  const started = await call(startBase, 'POST', '/v3/directline/conversations', generated.body.token as string);
  if (started.status !== 201) throw new Error(`conversations: ${started.status} ${JSON.stringify(started.body)}`);
  return { id: started.body.conversationId as string, token: started.body.token as string, userId: generated.body.userId as string, streamUrl: started.body.streamUrl as string };
}

export async function say(base: string, conversation: { id: string; token: string }, text: string) {
  const res = await call(base, 'POST', `/v3/directline/conversations/${conversation.id}/activities`, conversation.token, {
    type: 'message',
    text,
    from: { id: 'visitor' },
    channelData: { clientActivityID: `c${Math.random()}` },
  });
  if (res.status !== 200) throw new Error(`post activity: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function poll(base: string, conversation: { id: string; token: string }, watermark?: string) {
  const res = await call(base, 'GET', `/v3/directline/conversations/${conversation.id}/activities${watermark ? `?watermark=${watermark}` : ''}`, conversation.token);
  if (res.status !== 200) throw new Error(`poll: ${res.status}`);
  return res.body as unknown as { activities: FeedActivity[]; watermark: string };
}

export const botMessages = (activities: FeedActivity[]) => activities.filter((a) => a.type === 'message' && a.from.role === 'bot');

/** Resolves once `check` holds for what has arrived, re-checked on every `wake`; rejects after `timeoutMs`. */
function waiter<T>(current: () => T, describe: () => string) {
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  const until = (check: (value: T) => boolean, timeoutMs = 10_000) =>
    new Promise<T>((resolve, reject) => {
      const test = () => {
        if (!check(current())) return;
        waiters.delete(test);
        clearTimeout(timer);
        resolve(current());
      };
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(new Error(`timed out; got ${describe()}`));
      }, timeoutMs);
      waiters.add(test);
      test();
    });
  return { wake, until };
}

/** A Direct Line WebSocket client on a streamUrl, keeping every frame. */
export async function openStream(url: string) {
  const ws = new WebSocket(url);
  const frames: string[] = [];
  let closedWith: number | null = null;
  const activities = () => frames.filter((f) => f !== '').flatMap((f) => (JSON.parse(f) as { activities: FeedActivity[] }).activities);
  const { wake, until } = waiter(activities, () => JSON.stringify(activities().map((a) => a.text ?? a.type)));
  ws.on('message', (data) => {
    frames.push(String(data));
    wake();
  });
  const closed = new Promise<number>((resolve) =>
    ws.once('close', (code) => {
      closedWith = code;
      resolve(code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  const close = async () => {
    if (closedWith === null) ws.close();
    await closed;
  };
  return { ws, frames, activities, until, closed, close };
}

export interface SseEvent {
  event: string;
  id?: string;
  data: Record<string, unknown>;
}

/** A Server-Sent Events client (what the agent console reads), with the staff token. */
export async function openEventStream(base: string, path: string, token: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`event stream ${path}: ${res.status}`);
  const events: SseEvent[] = [];
  const { wake, until } = waiter(() => events, () => JSON.stringify(events.map((e) => e.event)));
  const reading = (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
          }
          if (!fields.has('data')) continue;
          events.push({ event: fields.get('event') ?? 'message', ...(fields.has('id') ? { id: fields.get('id') } : {}), data: JSON.parse(fields.get('data') ?? '{}') as Record<string, unknown> });
          wake();
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  const close = async () => {
    controller.abort();
    await reading;
  };
  return { events, until, close };
}
