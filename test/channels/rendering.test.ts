import { welcomeActivity } from '../../dialogs/messages.js';
import type { Activity } from 'botbuilder';
import type { ActionsBlock, Button } from '@slack/types';
import { describe, expect, test } from 'vitest';
import { render } from '../../dialogs/rendering/render.js';
import type { SlackChannelData } from '../../dialogs/rendering/slackBlocks.js';
import type { AnswerView, ChoicesView, FactsView } from '../../dialogs/rendering/views.js';
import { joined, newClient, say } from '../helpers/dialogClient.js';
import { SAMPLE_REGISTRY_DAY } from '../helpers/testBot.js';

const facts: FactsView = { kind: 'facts', title: 'Ticket T-000007', facts: [['Status', 'open, waiting for our team'], ['Summary', 'no video on channel 2']], footer: 'We answer within 2 hours.' };
const answer: AnswerView = {
  kind: 'answer',
  title: 'Warranty check',
  headline: 'Good news: your **DS-7608** is under warranty until 2027-04-22.',
  facts: [['Status', 'Covered'], ['Covered until', '2027-04-22']],
  sections: [{ title: 'Free of charge', lines: ['Spare parts', 'Repair <or> replacement & return'] }],
  footer: 'Please back up your recordings.',
  tone: 'good',
};
const choices: ChoicesView = { kind: 'choices', prompt: 'Did that fix it?', choices: [{ title: 'Yes, fixed', value: 'Yes, fixed' }, { title: 'No, still broken', value: 'No, still broken' }] };

interface Card {
  version: string;
  body: Array<Record<string, unknown>>;
  actions?: Array<Record<string, unknown>>;
  msteams?: { width: string };
}
const cardOf = (a: Partial<Activity>) => {
  const attachment = a.attachments?.[0];
  expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  return attachment?.content as Card;
};
const slackOf = (a: Partial<Activity>) => a.channelData as SlackChannelData;
const slackButtons = (a: Partial<Activity>) =>
  slackOf(a)
    .blocks.filter((b): b is ActionsBlock => b.type === 'actions')
    .flatMap((b) => b.elements.filter((e): e is Button => e.type === 'button'));

/** Every element and action of a card, nested ones included. */
function walk(node: unknown, seen: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(node)) node.forEach((n) => walk(n, seen));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.type === 'string') seen.push(o);
    for (const key of ['body', 'actions', 'items', 'columns']) walk(o[key], seen);
  }
  return seen;
}
/** What Teams renders for bots (Adaptive Cards 1.4 and below, no Action.Execute without Universal Actions). */
const TEAMS_ELEMENTS = new Set(['AdaptiveCard', 'TextBlock', 'FactSet', 'ActionSet', 'Container', 'ColumnSet', 'Column', 'Image', 'RichTextBlock', 'Action.Submit', 'Action.OpenUrl', 'Action.ShowCard']);

describe('one view model, one renderer per channel family', () => {
  test('webchat: facts and answers with facts as Adaptive Cards 1.4, choices as suggested actions', () => {
    const card = cardOf(render(facts, 'webchat'));
    expect(card.version).toBe('1.4');
    expect(card.body).toContainEqual({ type: 'FactSet', facts: [{ title: 'Status', value: 'open, waiting for our team' }, { title: 'Summary', value: 'no video on channel 2' }] });
    expect(card.msteams).toBeUndefined();

    const answered = render(answer, 'webchat');
    expect(cardOf(answered).body.map((b) => b.text)).toContain('• Spare parts');
    expect(answered.summary).toBe(answer.headline);

    const asked = render(choices, 'webchat');
    expect(asked.text).toBe('Did that fix it?');
    expect(asked.suggestedActions?.actions).toEqual([
      { type: 'imBack', title: 'Yes, fixed', value: 'Yes, fixed' },
      { type: 'imBack', title: 'No, still broken', value: 'No, still broken' },
    ]);
  });

  test('webchat: a prose answer stays Markdown text', () => {
    const prose: AnswerView = { kind: 'answer', headline: 'This is covered by our support. **No video** — please try these steps:', sections: [{ lines: ['Check the cable', 'Restart'], style: 'numbered' }], footer: 'If it still fails: call us.', tone: 'good' };
    const a = render(prose, 'directline');
    expect(a.attachments).toBeUndefined();
    expect(a.text).toBe('This is covered by our support. **No video** — please try these steps:\n\n1. Check the cable\n2. Restart\n\nIf it still fails: call us.');
  });

  test('msteams: cards within Teams limits, choices as Action.Submit carrying { choice }', () => {
    for (const view of [facts, answer, choices]) {
      const a = render(view, 'msteams');
      const card = cardOf(a);
      expect(Number(card.version)).toBeLessThanOrEqual(1.4);
      expect(card.msteams).toEqual({ width: 'Full' });
      expect(walk(card).filter((e) => !TEAMS_ELEMENTS.has(String(e.type)))).toEqual([]);
      expect(a.suggestedActions).toBeUndefined();
    }
    const asked = render(choices, 'msteams');
    expect(asked.summary).toBe('Did that fix it?');
    expect(walk(cardOf(asked)).filter((e) => e.type === 'Action.Submit')).toEqual([
      { type: 'Action.Submit', title: 'Yes, fixed', data: { choice: 'Yes, fixed' } },
      { type: 'Action.Submit', title: 'No, still broken', data: { choice: 'No, still broken' } },
    ]);
    // Many or long options: one full-width button per row instead of a clipped row.
    const many: ChoicesView = { ...choices, choices: ['Dropped, knocked or scratched', 'Water, damp or rust', 'Fire, lightning or a natural disaster', 'None of these'].map((t) => ({ title: t, value: t })) };
    const body = cardOf(render(many, 'msteams')).body;
    expect(body.filter((b) => b.type === 'ActionSet')).toHaveLength(4);
    // A multi-line question (the network checks' "How to check" list): one TextBlock a line.
    const checked = cardOf(render({ ...choices, prompt: 'Check 1 of 3: is the link light on?\n\nHow to check:\n- Look at the port' }, 'msteams')).body;
    expect(checked.filter((b) => b.type === 'TextBlock').map((b) => b.text)).toEqual(['Check 1 of 3: is the link light on?', 'How to check:', '- Look at the port']);
    // Prose answers are cards too in Teams.
    expect(cardOf(render({ kind: 'answer', headline: 'Outside our support.', sections: [], tone: 'attention' }, 'msteams')).body[0]).toMatchObject({ color: 'Attention' });
  });

  test('slack: Block Kit in channelData, buttons carrying the choice title, no cards, no suggested actions', () => {
    const asked = render(choices, 'slack');
    expect(asked.suggestedActions).toBeUndefined();
    expect(asked.attachments).toBeUndefined();
    expect(slackOf(asked).blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'Did that fix it?' } });
    expect(slackButtons(asked).map((b) => [b.type, b.text.text, b.value])).toEqual([
      ['button', 'Yes, fixed', 'Yes, fixed'],
      ['button', 'No, still broken', 'No, still broken'],
    ]);
    expect(slackOf(asked).text).toBe('Did that fix it?\n\n1. Yes, fixed\n2. No, still broken');

    const answered = render(answer, 'slack');
    const blocks = slackOf(answered).blocks;
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Warranty check', emoji: true } });
    // Slack's bold is *x*, and &, <, > are escaped in mrkdwn.
    expect(blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'Good news: your *DS-7608* is under warranty until 2027-04-22.' } });
    expect(blocks[2]).toEqual({ type: 'section', fields: [{ type: 'mrkdwn', text: '*Status*\nCovered' }, { type: 'mrkdwn', text: '*Covered until*\n2027-04-22' }] });
    expect(JSON.stringify(blocks)).toContain('Repair &lt;or&gt; replacement &amp; return');
    expect(answered.text).toContain('Status: Covered');
    // Slack reads the fallback as mrkdwn too, so it is escaped there; the transcript keeps the words as written.
    expect(slackOf(answered).text).toContain('Repair &lt;or&gt; replacement &amp; return');
    expect(answered.text).toContain('Repair <or> replacement & return');

    const factBlocks = slackOf(render(facts, 'slack')).blocks;
    expect(factBlocks.map((b) => b.type)).toEqual(['section', 'section', 'context']);
  });

  test('sms and unknown channels: plain text, choices as a numbered list', () => {
    for (const channel of ['sms', 'some-new-channel']) {
      const asked = render(choices, channel);
      expect(asked).toMatchObject({ type: 'message', text: 'Did that fix it?\n\n1. Yes, fixed\n2. No, still broken' });
      expect(asked.suggestedActions).toBeUndefined();
      const answered = render(answer, channel);
      expect(answered.attachments).toBeUndefined();
      expect(answered.channelData).toBeUndefined();
      expect(answered.text).toBe(
        'Good news: your DS-7608 is under warranty until 2027-04-22.\n\nStatus: Covered\nCovered until: 2027-04-22\n\nFree of charge:\n- Spare parts\n- Repair <or> replacement & return\n\nPlease back up your recordings.',
      );
      expect(render(facts, channel).text).toBe('Ticket T-000007\n\nStatus: open, waiting for our team\nSummary: no video on channel 2\n\nWe answer within 2 hours.');
    }
  });
});

describe('dialogs on Slack and Teams', () => {
  const today = () => new Date(SAMPLE_REGISTRY_DAY);

  test('slack: the warranty answer as Block Kit, then the ChoicePrompt as Block Kit buttons it recognises', async () => {
    const { client } = await newClient({ channelId: 'slack', now: today });
    const replies = await say(client, 'warranty status for SL-DVR8-241128-0106');
    const answer = replies.find((r) => (r.channelData as SlackChannelData | undefined)?.blocks.some((b) => b.type === 'header'));
    expect(answer).toBeDefined();
    const blocks = slackOf(answer as Partial<Activity>).blocks;
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Warranty check' } });
    expect(JSON.stringify(blocks)).toContain('*Status*\\nExpired');
    expect(JSON.stringify(blocks)).toContain('*Charged*');

    const prompt = replies[replies.length - 1] as Partial<Activity>;
    expect(replies.some((r) => r.suggestedActions || (r.attachments ?? []).length > 0)).toBe(false);
    expect(slackButtons(prompt).map((b) => b.value)).toEqual(['Open a ticket', 'Talk to a person', 'No thanks']);
    // A button press arrives (through the inbound normaliser) as its value: the prompt recognises it.
    expect(joined(await say(client, slackButtons(prompt)[0]?.value ?? ''))).toMatch(/So our team can reach you/);

    // The ticket confirmation: facts as section fields, and the confirm prompt's buttons.
    const confirm = await say(client, 'Dana, 0903 112 458');
    const ticket = confirm.map((r) => slackOf(r).blocks);
    expect(ticket[0]?.[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*Your ticket*' } });
    expect(JSON.stringify(ticket[0])).toContain('*Device*\\nSL-DVR8');
    expect(slackButtons(confirm[1] as Partial<Activity>).map((b) => b.text.text)).toEqual(['Open the ticket', 'Change the summary', 'Cancel']);
    expect(joined(await say(client, 'Open the ticket'))).toMatch(/Your ticket T-000001 is open/);
  });

  test('msteams: the same prompt as a card whose Action.Submit data the dialog recognises', async () => {
    const { client } = await newClient({ channelId: 'msteams', now: today });
    const replies = await say(client, 'warranty status for SL-DVR8-241128-0106');
    const cards = replies.map((r) => r.attachments?.[0]?.content as Card | undefined).filter((c): c is Card => c !== undefined);
    expect(cards[0]?.body.some((b) => b.type === 'FactSet')).toBe(true);
    const submits = cards.flatMap((c) => walk(c)).filter((e) => e.type === 'Action.Submit');
    expect(submits.map((s) => s.data)).toEqual([{ choice: 'Open a ticket' }, { choice: 'Talk to a person' }, { choice: 'No thanks' }]);
    expect(joined(await say(client, String((submits[0]?.data as { choice: string }).choice)))).toMatch(/So our team can reach you/);
  });
});

test('the welcome goes through the same layer: suggested actions on Web Chat, Block Kit buttons on Slack, a card on Teams', () => {
  const webchat = welcomeActivity('webchat');
  expect(webchat.suggestedActions?.actions.map((a) => a.title)).toContain('My DVR stopped recording');
  const slack = welcomeActivity('slack');
  expect(slack.suggestedActions).toBeUndefined();
  expect(JSON.stringify(slack.channelData)).toContain('"value":"My DVR stopped recording"');
  const teams = welcomeActivity('msteams');
  expect(JSON.stringify(teams.attachments)).toContain('"choice":"Talk to a person"');
});
