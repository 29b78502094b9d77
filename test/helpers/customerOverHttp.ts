import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';

/** A message the bot sent back, as the tests read it. */
export interface Sent {
  type?: string;
  text?: string;
  summary?: string;
  attachments?: Array<{ contentType: string; content?: unknown }>;
  channelData?: unknown;
}

/** What one customer message carries: text, a card submit's value, or Slack's channelData. */
export interface CustomerMessage {
  text?: string;
  value?: unknown;
  channelData?: unknown;
}

/**
 * A customer talking to the bot over the real `/api/messages` (expectReplies, with proactive
 * messages going to `connectorUrl`): each call is one message and returns the bot's replies of that turn.
 */
export function customerOverHttp(botUrl: string, connectorUrl: string) {
  let n = 0;
  return async function turn(conversationId: string, message: CustomerMessage, channelId = 'webchat'): Promise<Sent[]> {
    const res = await fetch(`${botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `m${(n += 1)}`,
        ...message,
        from: { id: `user-${conversationId}`, name: 'Alex' },
        recipient: { id: 'bot' },
        conversation: { id: conversationId },
        channelId,
        serviceUrl: connectorUrl,
        deliveryMode: 'expectReplies',
      }),
    });
    expect(res.status).toBe(200);
    return (((await res.json()) as { activities?: Sent[] }).activities ?? []).filter((a) => a.type === 'message');
  };
}

/** What the bot posted to a channel's connector: the path, the conversation it names, the activity. */
export interface PostedActivity {
  url: string;
  conversationId: string;
  activity: Sent & { conversation?: { id: string }; from?: { id?: string; name?: string } };
}

/**
 * A stand-in for a channel's connector (`serviceUrl`): records every activity the bot posts to
 * /v3/conversations/…/activities and answers `status` (a refusal body when it is not 200).
 */
export async function fakeChannelConnector(status = 200) {
  const received: PostedActivity[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = req.url ?? '';
      received.push({ url, conversationId: decodeURIComponent(/\/v3\/conversations\/([^/]+)\//.exec(url)?.[1] ?? ''), activity: JSON.parse(body || '{}') as PostedActivity['activity'] });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { id: `sent-${received.length}` } : { error: { code: 'Forbidden', message: 'The bot is not part of the conversation roster.' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
