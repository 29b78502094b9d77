import { MessageFactory, type Activity } from 'botbuilder';
import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, PlainTextElement, SectionBlock } from '@slack/types';
import { answerText, bold, choicesText, factsText } from './plainText.js';
import { MORE_IN_NEXT_MESSAGE, shorten, splitText } from './textLimits.js';
import type { AnswerSection, AnswerView, ChoicesView, Fact, FactsView } from './views.js';

/**
 * Slack Block Kit through `channelData`: the Bot Framework Slack channel posts `channelData` as the
 * Slack message, so `{ text, blocks }` is what the customer sees; `text` is Slack's own fallback
 * (notifications). The activity's `text` carries the same words unescaped for the transcript.
 *
 * Block Kit limits (from @slack/types): 50 blocks and 40,000 characters of text a message, 3000
 * characters a section or text object, 10 fields of 2000 characters a section, 150 characters a
 * header, 25 elements an actions block, 75 characters a button label, 2000 a button value. Long
 * texts become several sections (each piece but the last marked as continued) and a view over a
 * message's limits becomes several messages, each but the last ending with a note that more
 * follows; nothing is dropped.
 */

export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_TEXT = 40_000;
const TEXT_MAX = 3_000;
const FIELD_MAX = 2_000;
const FIELDS_MAX = 10;
const HEADER_MAX = 150;
const ACTIONS_MAX = 25;
const BUTTON_TEXT_MAX = 75;
const BUTTON_VALUE_MAX = 2_000;

export interface SlackChannelData {
  text: string;
  blocks: KnownBlock[];
}

/** A block and its words as mrkdwn, for the fallback `text` of the message it ends up in. */
interface Part {
  block: KnownBlock;
  text: string;
}

/** Slack's mrkdwn: the three characters it reserves, escaped; `**bold**` as `*bold*`. */
const mrkdwn = (text: string) => bold(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), 'slack');
const unescapeMrkdwn = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const mrkdwnText = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text });
const plainText = (text: string): PlainTextElement => ({ type: 'plain_text', text, emoji: true });

/** Sections for a mrkdwn text, as many as it needs. */
const sections = (text: string): Part[] => splitText(text, TEXT_MAX).map((t) => ({ block: { type: 'section', text: mrkdwnText(t) } satisfies SectionBlock, text: t }));

/** Lines (mrkdwn) packed into as few sections as fit; a line too long for one continues in the next. */
function lineSections(lines: readonly string[]): Part[] {
  const texts: string[] = [];
  let current = '';
  for (const line of lines.flatMap((l) => splitText(l, TEXT_MAX))) {
    if (current !== '' && current.length + 1 + line.length > TEXT_MAX) {
      texts.push(current);
      current = line;
    } else current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') texts.push(current);
  return texts.flatMap(sections);
}

/** A header, or a bold section when the title is longer than a header holds (a header cannot continue). */
const header = (title: string): Part[] =>
  bold(title, 'plain').length <= HEADER_MAX ? [{ block: { type: 'header', text: plainText(bold(title, 'plain')) } satisfies HeaderBlock, text: `*${mrkdwn(title)}*` }] : sections(`*${mrkdwn(title)}*`);

const context = (text: string): Part[] => splitText(mrkdwn(text), TEXT_MAX).map((t) => ({ block: { type: 'context', elements: [mrkdwnText(t)] } satisfies ContextBlock, text: t }));

/** Facts as section fields, ten a section; a fact too long for a field gets sections of its own. */
function fields(facts: readonly Fact[]): Part[] {
  const parts: Part[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length > 0) parts.push({ block: { type: 'section', fields: run.map(mrkdwnText) } satisfies SectionBlock, text: run.join('\n') });
    run = [];
  };
  for (const [k, v] of facts) {
    const field = `*${mrkdwn(k)}*\n${mrkdwn(v)}`;
    if (field.length > FIELD_MAX) {
      flush();
      parts.push(...sections(field));
      continue;
    }
    run.push(field);
    if (run.length === FIELDS_MAX) flush();
  }
  flush();
  return parts;
}

function answerSection(s: AnswerSection): Part[] {
  if (s.lines.length === 0) return [];
  const style = s.style ?? (s.title ? 'bullets' : 'paragraphs');
  const lines = s.lines.map((l, i) => (style === 'bullets' ? `• ${mrkdwn(l)}` : style === 'numbered' ? `${i + 1}. ${mrkdwn(l)}` : mrkdwn(l)));
  return lineSections([...(s.title ? [`*${mrkdwn(s.title)}*`] : []), ...lines]);
}

function message(text: string, mrkdwnFallback: string, blocks: KnownBlock[]): Partial<Activity> {
  const channelData: SlackChannelData = { text: mrkdwnFallback, blocks };
  const activity = MessageFactory.text(text);
  activity.channelData = channelData;
  return activity;
}

const moreNote: Part = { block: { type: 'context', elements: [mrkdwnText(MORE_IN_NEXT_MESSAGE)] }, text: MORE_IN_NEXT_MESSAGE };
/** A block's share of the message's text limit: its JSON, which counts every text in it and a little more. */
const size = (part: Part) => JSON.stringify(part.block).length;

/**
 * One message when the view fits Slack's limits, its fallback the view's words; otherwise as many
 * messages as needed, blocks in order, each message's fallback the words of its own blocks.
 */
function messages(fallback: string, parts: Part[]): Partial<Activity>[] {
  const total = parts.reduce((n, p) => n + size(p), 0);
  const whole = mrkdwn(fallback);
  if (parts.length <= SLACK_MAX_BLOCKS && total <= SLACK_MAX_TEXT && whole.length <= SLACK_MAX_TEXT) {
    return [message(bold(fallback, 'slack'), whole, parts.map((p) => p.block))];
  }
  const room = { blocks: SLACK_MAX_BLOCKS - 1, chars: SLACK_MAX_TEXT - size(moreNote) - moreNote.text.length };
  let current: Part[] = [];
  const chunks = [current];
  // Characters used in the message so far: by its blocks, and by its fallback (the blocks' words).
  let used = { blocks: 0, fallback: 0 };
  for (const part of parts) {
    const next = { blocks: used.blocks + size(part), fallback: used.fallback + part.text.length + 2 };
    if (current.length > 0 && (current.length === room.blocks || next.blocks > room.chars || next.fallback > room.chars)) {
      current = [];
      chunks.push(current);
      used = { blocks: size(part), fallback: part.text.length + 2 };
    } else used = next;
    current.push(part);
  }
  return chunks.map((chunk, i) => {
    const all = i < chunks.length - 1 ? [...chunk, moreNote] : chunk;
    const text = all.map((p) => p.text).join('\n\n');
    return message(unescapeMrkdwn(text), text, all.map((p) => p.block));
  });
}

export function factsBlocks(view: FactsView): Partial<Activity>[] {
  return messages(factsText(view), [...sections(`*${mrkdwn(view.title)}*`), ...fields(view.facts), ...(view.footer ? context(view.footer) : [])]);
}

export function answerBlocks(view: AnswerView): Partial<Activity>[] {
  return messages(answerText(view), [
    ...(view.title ? header(view.title) : []),
    ...(view.headline ? sections(mrkdwn(view.headline)) : []),
    ...fields(view.facts ?? []),
    ...view.sections.flatMap(answerSection),
    ...(view.footer ? context(view.footer) : []),
    // Slack cannot collapse a block: the policy's words are one short line away ("policy").
    ...(view.quote ? context(view.quote.hint) : []),
  ]);
}

/**
 * The question and its buttons; a button's value is what picking it "says", so the prompt
 * recognises it (a value too long for Slack sends the choice's number, which it recognises too).
 */
export function choicesBlocks(view: ChoicesView): Partial<Activity>[] {
  const buttons = view.choices.map((c, i): Button => ({
    type: 'button',
    text: plainText(shorten(bold(c.title, 'plain'), BUTTON_TEXT_MAX, '…')),
    value: c.value.length <= BUTTON_VALUE_MAX ? c.value : String(i + 1),
    action_id: `choice_${i}`,
  }));
  const actions: Part[] = [];
  for (let i = 0; i < buttons.length; i += ACTIONS_MAX) {
    const elements = buttons.slice(i, i + ACTIONS_MAX);
    actions.push({ block: { type: 'actions', elements } satisfies ActionsBlock, text: elements.map((b, j) => `${i + j + 1}. ${mrkdwn(b.text.text)}`).join('\n') });
  }
  // The text fallback keeps the numbered list: typing "2" still answers where buttons do not show.
  return messages(choicesText(view), [...sections(mrkdwn(view.prompt)), ...actions]);
}
