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
