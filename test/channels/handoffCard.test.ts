// @vitest-environment happy-dom
// The card is rendered to HTML by the adaptivecards package, which needs a DOM.
import * as AC from 'adaptivecards';
import type { Activity } from 'botbuilder';
import { afterEach, describe, expect, test } from 'vitest';
import { SHORTENED } from '../../dialogs/rendering/textLimits.js';
import type { Handoff } from '../../src/domain/handoff/Handoff.js';
import { handoffCardActivity } from '../../src/channels/teams/handoffCard.js';
import { cardActivityProblems } from './channelPayloads.js';

/**
 * A host's Markdown as Teams applies it to TextBlocks and FactSet values: links, bold, italics,
 * and (the worst case) inline HTML passed through. Everything it is given is recorded.
 */
const markdownSeen: string[] = [];
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  markdownSeen.push(text);
  result.outputHtml = text
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<a href="$2">$1</a>')
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/\b_(.+?)_\b/g, '<em>$1</em>');
  result.didProcess = true;
};
afterEach(() => {
  markdownSeen.length = 0;
});

/** The card as a host draws it. */
function draw(activity: Partial<Activity>): HTMLElement {
  const card = new AC.AdaptiveCard();
  card.parse(activity.attachments?.[0]?.content);
  const element = card.render();
  if (!element) throw new Error('the card did not render');
  return element;
}

const LINK = '[click here](http://evil.example/login)';
const handoff: Handoff = {
  id: 'H-000007',
  status: 'waiting',
  reason: 'asked',
  customer: { channelId: 'webchat', userId: 'u-1', name: `**Your manager** ${LINK}`, contact: '<at>Dana</at>' },
  conversationKey: 'webchat/c-1',
  address: {},
  summary: '<b>Urgent</b><img src=x onerror=alert(1)>',
  transcript: [
    { at: '2026-01-01T10:00:00Z', from: 'customer', text: `please log in again: ${LINK} _now_` },
    { at: '2026-01-01T10:00:01Z', from: 'bot', text: 'One moment.' },
    { at: '2026-01-01T10:00:02Z', from: 'agent', agent: '**Dana**', text: 'Hi' },
  ],
  requestedAt: '2026-01-01T10:00:03Z',
};

describe('the staff handoff card shows what the customer typed, never as formatting', () => {
  test('the harness would catch it: a TextBlock with the same text becomes a link and bold', () => {
    const drawn = draw({ attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: `**x** ${LINK}` }] } }] });
    expect(drawn.querySelectorAll('a, strong')).toHaveLength(2);
  });

  test('Markdown links, bold, italics, <at> mentions and HTML from the customer reach staff as literal text', () => {
    const activity = handoffCardActivity(handoff, 2);
    expect(cardActivityProblems(activity)).toEqual([]);
    const drawn = draw(activity);
    // No link, no formatting, no element the customer wrote.
    expect(drawn.querySelectorAll('a, strong, em, b, img, at')).toHaveLength(0);
    const shown = drawn.textContent ?? '';
    for (const typed of [`**Your manager** ${LINK}`, '<at>Dana</at>', '<b>Urgent</b><img src=x onerror=alert(1)>', `please log in again: ${LINK} _now_`, '**Dana**']) {
      expect(shown).toContain(typed);
      expect(markdownSeen.some((m) => m.includes(typed))).toBe(false);
    }
    // Our own words are still there: who, why, the Accept button.
    expect(shown).toContain('Handoff H-000007: a customer is waiting');
    expect(shown).toContain('The customer asked for a person');
    expect(drawn.querySelector('button')?.textContent).toBe('Accept');
  });

  test('a very long message is shortened on the card, visibly (the whole transcript is in the agent console)', () => {
    const long = `${'word '.repeat(3000)}the end`;
    const shown = draw(handoffCardActivity({ ...handoff, transcript: [{ at: '', from: 'customer', text: long }] })).textContent ?? '';
    expect(shown).toContain(SHORTENED);
    expect(shown).not.toContain('the end');
  });
});
