import { ConversationState, InputHints, MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogContext } from 'botbuilder-dialogs';
import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ChoicesPrompt } from '../../dialogs/rendering/ChoicesPrompt.js';
import { render, renderAll } from '../../dialogs/rendering/render.js';
import type { SlackChannelData } from '../../dialogs/rendering/slackBlocks.js';
import { CONTINUED, MORE_IN_NEXT_MESSAGE, SHORTENED, shorten, splitText } from '../../dialogs/rendering/textLimits.js';
import type { AnswerView, ChoicesView } from '../../dialogs/rendering/views.js';
import { cardActivityProblems, slackProblems, teamsSizeProblems } from './channelPayloads.js';

type CardNode = { type?: string; text?: string; body?: CardNode[]; actions?: CardNode[]; facts?: Array<{ title: string; value: string }>; title?: string; data?: { choice: string } };

const cardOf = (a: Partial<Activity>) => a.attachments?.[0]?.content as CardNode;
/** The card's elements and actions in reading order (body, then card-level actions). */
const nodes = (a: Partial<Activity>): CardNode[] => {
  const card = cardOf(a);
  const walk = (n: CardNode): CardNode[] => [n, ...(n.actions ?? []).flatMap(walk)];
  return [...(card.body ?? []).flatMap(walk), ...(card.actions ?? []).flatMap(walk)];
};
const textBlocks = (a: Partial<Activity>) => nodes(a).filter((n) => n.type === 'TextBlock' && n.text !== MORE_IN_NEXT_MESSAGE).map((n) => n.text ?? '');
const submits = (a: Partial<Activity>) => nodes(a).filter((n) => n.type === 'Action.Submit');
const lastText = (a: Partial<Activity>) => cardOf(a).body?.at(-1)?.text;

const slackOf = (a: Partial<Activity>) => a.channelData as SlackChannelData;
const buttons = (a: Partial<Activity>) => slackOf(a).blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements.filter((e): e is Button => e.type === 'button'));
const sectionTexts = (a: Partial<Activity>) => slackOf(a).blocks.flatMap((b: KnownBlock) => (b.type === 'section' && (b as SectionBlock).text ? [(b as SectionBlock).text?.text ?? ''] : []));
const lastBlock = (a: Partial<Activity>) => slackOf(a).blocks.at(-1);
const unescapeSlack = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Pieces of a split text back together: the markers removed. */
const rejoin = (pieces: readonly string[]) => pieces.map((p) => (p.endsWith(CONTINUED) ? p.slice(0, -CONTINUED.length) : p)).join('');

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ENTITY = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g;
const graphemeBoundaries = (text: string) => new Set([...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.index).concat(text.length));

describe('splitting text: nothing lost, no emoji or entity broken', () => {
  const atoms = ['a', 'b', ' ', '\n', 'é', 'e\u0301', '📷', '👍🏽', '👨‍👩‍👧', '🇩🇪', '&amp;', '&lt;', '&#123;', '&#x1F600;', '&', ';'];
  test('property: pieces within the limit, marked, rejoining to the text, cut only between graphemes and outside entities', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...atoms), { maxLength: 300 }), fc.integer({ min: CONTINUED.length + 12, max: 90 }), (parts, max) => {
        const text = parts.join('');
        const pieces = splitText(text, max);
        expect(rejoin(pieces)).toBe(text);
        expect(pieces.every((p) => p.length <= max)).toBe(true);
        expect(pieces.slice(0, -1).every((p) => p.endsWith(CONTINUED))).toBe(true);
        const boundaries = graphemeBoundaries(text);
        const entities = [...text.matchAll(ENTITY)].map((m) => [m.index, m.index + m[0].length] as const);
        let at = 0;
        for (const p of pieces.slice(0, -1)) {
          at += p.length - CONTINUED.length;
          expect(boundaries.has(at), `cut at ${at} splits a grapheme`).toBe(true);
          expect(entities.some(([s, e]) => s < at && at < e), `cut at ${at} splits an entity`).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('an emoji exactly at the cut point moves whole to the next piece', () => {
    const max = 40;
    const room = max - CONTINUED.length;
    const text = `${'x'.repeat(room - 1)}👨‍👩‍👧${'y'.repeat(60)}`;
    const pieces = splitText(text, max);
    expect(pieces[0]).toBe(`${'x'.repeat(room - 1)}${CONTINUED}`);
    expect(pieces[1]?.startsWith('👨‍👩‍👧')).toBe(true);
    expect(rejoin(pieces)).toBe(text);
  });

  test('an entity at the cut point moves whole to the next piece', () => {
    const max = 40;
    const room = max - CONTINUED.length;
    const text = `${'x'.repeat(room - 2)}&#123;${'y'.repeat(60)}`;
    const pieces = splitText(text, max);
    expect(pieces[0]).toBe(`${'x'.repeat(room - 2)}${CONTINUED}`);
    expect(pieces[1]?.startsWith('&#123;')).toBe(true);
  });

  test('shortening says so; text within the limit is untouched', () => {
    expect(shorten('short', 20)).toBe('short');
    expect(shorten('The quick brown fox jumps over the lazy dog', 30)).toBe(`The quick brown${SHORTENED}`);
    // Half an emoji is never shown: what does not fit whole is left out, and the marker says so.
    expect(shorten('👍🏽'.repeat(10), 4, '…')).toBe('…');
    expect(shorten(`ab👍🏽cd`, 5, '…')).toBe('ab…');
  });
});

const manyChoices: ChoicesView = {
  kind: 'choices',
  prompt: 'Which camera shows no picture?',
  choices: Array.from({ length: 200 }, (_, i) => `Camera ${i + 1}: ${'driveway '.repeat(7).trim()}`).map((t) => ({ title: t, value: t })),
};
/** ~100 KB of text with &, < and emoji in it, one paragraph (no line breaks to split on). */
const hundredKb = 'Check the cable & the <PoE> switch 📷, then restart. '.repeat(1900);
const longAnswer: AnswerView = { kind: 'answer', headline: hundredKb, sections: [], tone: 'neutral' };

describe('Teams: several cards instead of one refused or clipped message', () => {
  test('200 choices: several valid cards within the size limit, every button in order, a note where more follows', () => {
    const activities = renderAll(manyChoices, 'msteams');
    expect(activities.length).toBeGreaterThan(1);
    for (const a of activities) {
      expect(cardActivityProblems(a)).toEqual([]);
      expect(teamsSizeProblems(a)).toEqual([]);
    }
    expect(activities.flatMap(submits).map((s) => s.data?.choice)).toEqual(manyChoices.choices.map((c) => c.value));
    expect(activities.flatMap(submits).map((s) => s.title)).toEqual(manyChoices.choices.map((c) => c.title));
    expect(textBlocks(activities[0] as Partial<Activity>)[0]).toBe(manyChoices.prompt);
    expect(activities.slice(0, -1).map(lastText)).toEqual(activities.slice(1).map(() => MORE_IN_NEXT_MESSAGE));
    expect(lastText(activities.at(-1) as Partial<Activity>)).not.toBe(MORE_IN_NEXT_MESSAGE);
  });

  test('100 KB of text: several valid cards whose text blocks rejoin to the whole text', () => {
    const activities = renderAll(longAnswer, 'msteams');
    expect(activities.length).toBeGreaterThan(3);
    for (const a of activities) {
      expect(cardActivityProblems(a)).toEqual([]);
      expect(teamsSizeProblems(a)).toEqual([]);
    }
    const pieces = activities.flatMap(textBlocks);
    expect(rejoin(pieces)).toBe(hundredKb);
    expect(pieces.some((p) => LONE_SURROGATE.test(p))).toBe(false);
  });

  test('a long question keeps its buttons after its last words', () => {
    const activities = renderAll({ kind: 'choices', prompt: hundredKb, choices: [{ title: 'Yes', value: 'Yes' }, { title: 'No', value: 'No' }] }, 'msteams');
    expect(activities.length).toBeGreaterThan(1);
    expect(activities.map((a) => submits(a).length)).toEqual([...activities.slice(1).map(() => 0), 2]);
    expect(rejoin(activities.flatMap(textBlocks))).toBe(hundredKb);
  });

  test('an emoji or an entity at the cut point stays whole', () => {
    // Teams cuts text into TextBlocks of 3000 code units, 2987 of text before the marker.
    const emoji = `${'x'.repeat(2986)}👍🏽${'y'.repeat(4000)}`;
    const [first, second] = renderAll({ kind: 'answer', headline: emoji, sections: [], tone: 'neutral' }, 'msteams').flatMap(textBlocks);
    expect(first).toBe(`${'x'.repeat(2986)}${CONTINUED}`);
    expect(second?.startsWith('👍🏽y')).toBe(true);

    const entity = `${'x'.repeat(2984)}&#123;${'y'.repeat(4000)}`;
    const [one, two] = renderAll({ kind: 'answer', headline: entity, sections: [], tone: 'neutral' }, 'msteams').flatMap(textBlocks);
    expect(one).toBe(`${'x'.repeat(2984)}${CONTINUED}`);
    expect(two?.startsWith('&#123;y')).toBe(true);
  });

  test('a fact too long for one cell continues in the next row; a huge button label is shortened visibly', () => {
    const value = 'event & more '.repeat(1000);
    const [card] = renderAll({ kind: 'facts', title: 'Log', facts: [['Events', value], ['Status', 'ok']] }, 'msteams');
    const rows = nodes(card as Partial<Activity>).flatMap((n) => n.facts ?? []);
    expect(rows[0]?.title).toBe('Events');
    expect(rejoin(rows.filter((r) => r.title !== 'Status').map((r) => r.value))).toBe(value);
    expect(rows.at(-1)).toEqual({ title: 'Status', value: 'ok' });

    const [asked] = renderAll({ kind: 'choices', prompt: 'Pick', choices: [{ title: 'long '.repeat(100), value: 'long' }, { title: 'b', value: 'b' }] }, 'msteams');
    expect(submits(asked as Partial<Activity>)[0]?.title?.endsWith(SHORTENED)).toBe(true);
    expect(submits(asked as Partial<Activity>)[0]?.data).toEqual({ choice: 'long' });
  });
});

describe('Slack: several messages within Block Kit limits instead of clipped text', () => {
  test('200 choices: several valid messages, every button in order, a note where more follows', () => {
    const messages = renderAll(manyChoices, 'slack');
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(slackProblems(m)).toEqual([]);
    expect(messages.flatMap(buttons).map((b) => b.value)).toEqual(manyChoices.choices.map((c) => c.value));
    expect(messages.flatMap(buttons).map((b) => b.text.text)).toEqual(manyChoices.choices.map((c) => c.title));
    expect(sectionTexts(messages[0] as Partial<Activity>)[0]).toBe(manyChoices.prompt);
    for (const m of messages.slice(0, -1)) expect(lastBlock(m)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: MORE_IN_NEXT_MESSAGE }] });
    // Each message's fallback (notifications, transcript) lists its own buttons; together, all 200 by number.
    const numbered = messages.flatMap((m) => (m.text ?? '').split('\n').filter((l) => /^\d+\. Camera/.test(l)));
    expect(numbered.map((l) => Number(l.split('.')[0]))).toEqual(manyChoices.choices.map((_, i) => i + 1));
  });

  test('100 KB of text: several valid messages whose sections rejoin to the whole text, escaped for mrkdwn', () => {
    const messages = renderAll(longAnswer, 'slack');
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(slackProblems(m)).toEqual([]);
    const pieces = messages.flatMap(sectionTexts);
    expect(rejoin(pieces)).toBe(hundredKb.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    expect(unescapeSlack(rejoin(pieces))).toBe(hundredKb);
    // No piece ends in a broken entity or half an emoji.
    expect(pieces.some((p) => LONE_SURROGATE.test(p) || /&[a-z#0-9]*$/.test(p.replace(CONTINUED, '')))).toBe(false);
    // The transcript's copy of the words (activity.text) is unescaped and complete too.
    expect(rejoin(messages.map((m) => (m.text ?? '').replace(`\n\n${MORE_IN_NEXT_MESSAGE}`, '')).flatMap((t) => t.split('\n\n')))).toBe(hundredKb);
  });

  test('an emoji or an escaped entity at the cut point stays whole', () => {
    // Slack sections hold 3000 characters, 2987 of text before the marker.
    const emoji = `${'x'.repeat(2986)}👍🏽${'y'.repeat(4000)}`;
    const [first, second] = renderAll({ kind: 'answer', headline: emoji, sections: [], tone: 'neutral' }, 'slack').flatMap(sectionTexts);
    expect(first).toBe(`${'x'.repeat(2986)}${CONTINUED}`);
    expect(second?.startsWith('👍🏽y')).toBe(true);

    // "&" becomes "&amp;" (2985–2989): a cut at 2987 would break it.
    const amp = `${'x'.repeat(2985)}&${'y'.repeat(4000)}`;
    const [one, two] = renderAll({ kind: 'answer', headline: amp, sections: [], tone: 'neutral' }, 'slack').flatMap(sectionTexts);
    expect(one).toBe(`${'x'.repeat(2985)}${CONTINUED}`);
    expect(two?.startsWith('&amp;y')).toBe(true);
  });

  test('what cannot be split is shortened visibly or moved where it fits: labels, headers, long facts', () => {
    const [asked] = renderAll({ kind: 'choices', prompt: 'Pick', choices: [{ title: 'a very long label '.repeat(10), value: 'long' }] }, 'slack');
    const [button] = buttons(asked as Partial<Activity>);
    expect(button?.text.text.length).toBeLessThanOrEqual(75);
    expect(button?.text.text.endsWith('…')).toBe(true);
    expect(button?.value).toBe('long');

    const title = 'A title far longer than a Slack header holds. '.repeat(5);
    const [answered] = renderAll({ kind: 'answer', title, facts: [['Log', 'entry '.repeat(600)]], sections: [], tone: 'neutral' }, 'slack');
    expect(slackProblems(answered as Partial<Activity>)).toEqual([]);
    expect(slackOf(answered as Partial<Activity>).blocks.some((b) => b.type === 'header')).toBe(false);
    expect(sectionTexts(answered as Partial<Activity>)[0]).toBe(`*${title}*`);
    expect(rejoin(sectionTexts(answered as Partial<Activity>).slice(1))).toBe(`*Log*\n${'entry '.repeat(600)}`);
  });
});

describe('sending a view that needs several messages', () => {
  test('render() refuses rather than drop the rest; the prompt sends every part and only the last expects an answer', async () => {
    expect(() => render(manyChoices, 'msteams')).toThrow(/needs \d+ messages/);

    const state = new ConversationState(new MemoryStorage());
    const dialogs = new DialogSet(state.createProperty('dialogs')).add(new ChoicesPrompt('pick'));
    let picked: string | undefined;
    const adapter = new TestAdapter(
      async (context) => {
        const dc: DialogContext = await dialogs.createContext(context);
        const result = await dc.continueDialog();
        if (result.status === DialogTurnStatus.empty) await dc.prompt('pick', { prompt: manyChoices.prompt, choices: manyChoices.choices.map((c) => ({ value: c.value, action: { type: 'imBack', title: c.title, value: c.value } })) });
        else if (result.status === DialogTurnStatus.complete) picked = (result.result as { value: string }).value;
        await state.saveChanges(context);
      },
      { channelId: 'msteams' },
    );
    await adapter.send('hi');
    const sent = adapter.activeQueue.splice(0);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.map((a) => a.inputHint)).toEqual([...sent.slice(1).map(() => InputHints.AcceptingInput), InputHints.ExpectingInput]);
    expect(sent.flatMap((a) => submits(a))).toHaveLength(200);
    // Clicking the 150th button (the normaliser turns its data into the text) answers the prompt.
    const choice150 = sent.flatMap((a) => submits(a))[149]?.data?.choice ?? '';
    await adapter.send(choice150);
    expect(picked).toBe(manyChoices.choices[149]?.value);
  });
});
