import { expect, test } from 'vitest';
import { ConversationFeeds } from '../../src/channels/directline/ConversationFeeds.js';

test('feeds stay within their memory budget: the least recently used conversations are dropped first', () => {
  const feeds = new ConversationFeeds({ maxBytes: 50_000 });
  const text = 'x'.repeat(1_000);
  for (let c = 0; c < 200; c += 1) {
    feeds.open(`conv-${c}`);
    for (let i = 0; i < 5; i += 1) feeds.append(`conv-${c}`, { type: 'message', text });
  }
  expect(feeds.bytes).toBeLessThanOrEqual(50_000);
  // The newest conversation is whole; the oldest is gone (its client gets 404 and starts again).
  expect(feeds.since('conv-199', 0)?.activities).toHaveLength(5);
  expect(feeds.has('conv-0')).toBe(false);
});

test('a conversation over its activity cap keeps its newest activities and its weight goes down with the dropped ones', () => {
  const feeds = new ConversationFeeds({ perConversation: 3 });
  feeds.open('c');
  for (let i = 0; i < 10; i += 1) feeds.append('c', { type: 'message', text: `line ${i}` });
  const page = feeds.since('c', 0);
  expect(page?.activities.map((a) => a.text)).toEqual(['line 7', 'line 8', 'line 9']);
  expect(feeds.bytes).toBe(page!.activities.reduce((sum, a) => sum + JSON.stringify(a).length, 0));
});
