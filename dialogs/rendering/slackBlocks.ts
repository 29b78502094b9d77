import { MessageFactory, type Activity } from 'botbuilder';
import { answerText, bold, choicesText, factsText } from './plainText.js';
import type { AnswerSection, AnswerView, ChoicesView, Fact, FactsView } from './views.js';

/**
 * Slack Block Kit through `channelData`: the Bot Framework Slack channel posts `channelData` as the
 * Slack message, so `{ text, blocks }` is what the customer sees; `text` is Slack's own fallback
 * (notifications) and is also the activity's text, which transcripts keep.
 *
 * Block Kit limits honoured here: 50 blocks a message, 3000 characters a section, 10 fields of
 * 2000 characters a section, 150 characters a header, 25 elements an actions block, 75 characters
 * a button label, 2000 a button value.
 */

export type SlackBlock = Record<string, unknown>;

export interface SlackChannelData {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's mrkdwn: the three characters it reserves, escaped; `**bold**` as `*bold*`. */
const mrkdwn = (text: string) => bold(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), 'slack');
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const plain = (text: string, max: number) => ({ type: 'plain_text', text: cut(bold(text, 'plain'), max), emoji: true });

const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: cut(text, 3000) } });
const header = (text: string): SlackBlock => ({ type: 'header', text: plain(text, 150) });
const context = (text: string): SlackBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(mrkdwn(text), 3000) }] });

function fields(facts: readonly Fact[]): SlackBlock[] {
  const blocks: SlackBlock[] = [];
  for (let i = 0; i < facts.length; i += 10) {
    blocks.push({ type: 'section', fields: facts.slice(i, i + 10).map(([k, v]) => ({ type: 'mrkdwn', text: cut(`*${mrkdwn(k)}*\n${mrkdwn(v)}`, 2000) })) });
  }
  return blocks;
}

function answerSection(s: AnswerSection): SlackBlock[] {
  if (s.lines.length === 0) return [];
  const style = s.style ?? (s.title ? 'bullets' : 'paragraphs');
  const lines = s.lines.map((l, i) => (style === 'bullets' ? `• ${mrkdwn(l)}` : style === 'numbered' ? `${i + 1}. ${mrkdwn(l)}` : mrkdwn(l)));
  return [section([...(s.title ? [`*${mrkdwn(s.title)}*`] : []), ...lines].join('\n'))];
}

function message(fallback: string, blocks: SlackBlock[]): Partial<Activity> {
  const text = bold(fallback, 'slack');
  const channelData: SlackChannelData = { text, blocks: blocks.slice(0, 50) };
  const activity = MessageFactory.text(text);
  activity.channelData = channelData;
  return activity;
}

export function factsBlocks(view: FactsView): Partial<Activity> {
  return message(factsText(view), [section(`*${mrkdwn(view.title)}*`), ...fields(view.facts), ...(view.footer ? [context(view.footer)] : [])]);
}

export function answerBlocks(view: AnswerView): Partial<Activity> {
  return message(answerText(view), [
    ...(view.title ? [header(view.title)] : []),
    ...(view.headline ? [section(mrkdwn(view.headline))] : []),
    ...fields(view.facts ?? []),
    ...view.sections.flatMap(answerSection),
    ...(view.footer ? [context(view.footer)] : []),
  ]);
}

/** The question and its buttons; a button's value is what picking it "says", so the prompt recognises it. */
export function choicesBlocks(view: ChoicesView): Partial<Activity> {
  const buttons = view.choices.map((c, i) => ({ type: 'button', text: plain(c.title, 75), value: cut(c.value, 2000), action_id: `choice_${i}` }));
  const actions: SlackBlock[] = [];
  for (let i = 0; i < buttons.length; i += 25) actions.push({ type: 'actions', elements: buttons.slice(i, i + 25) });
  // The text fallback keeps the numbered list: typing "2" still answers where buttons do not show.
  return message(choicesText(view), [section(mrkdwn(view.prompt)), ...actions]);
}
