import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import { MORE_IN_NEXT_MESSAGE, jsonBytes, shorten, splitText } from './textLimits.js';
import type { AnswerSection, AnswerView, ChoiceItem, ChoicesView, Fact, FactsView, PolicyQuote } from './views.js';

/**
 * Adaptive Cards 1.4 with elements every host we target renders (TextBlock, FactSet, ActionSet,
 * Action.Submit): Web Chat and the Emulator render anything up to 1.6, Teams stops at 1.4 for bots
 * and ignores or garbles elements it does not know, so 1.4 is the ceiling for both.
 *
 * Teams refuses a message over about 28 KB, so for Teams a view too big for one card becomes
 * several cards, each ending with a note that more follows; long texts are split into several
 * TextBlocks (see textLimits.ts). Web Chat has no such limit and always gets one card.
 */
export const CARD_VERSION = '1.4';

export type CardHost = 'webchat' | 'msteams';

type Element = Record<string, unknown>;

/** Teams' limit for one message, the whole activity as JSON. */
export const TEAMS_MESSAGE_BYTES = 28_000;
/**
 * What a card activity may take of it: the adapter adds ids, serviceUrl, the conversation (long in
 * Teams) and the tenant after rendering, a few hundred bytes that 4 KB leaves room for.
 */
export const TEAMS_CARD_BYTES = TEAMS_MESSAGE_BYTES - 4_000;
/** One TextBlock's text on Teams: at most ~3 UTF-8 bytes a code unit, so a block is well inside a card. */
const TEAMS_TEXT_PIECE = 3_000;
/** One fact value on Teams; longer values continue in a fact with an empty title. */
const TEAMS_FACT_PIECE = 2_000;
/** Facts per FactSet on Teams, by size, so a FactSet can move to the next card whole. */
const TEAMS_FACTSET_BYTES = 8_000;
/** Button labels Teams draws on one line at most; longer ones are shortened visibly. */
const BUTTON_TITLE_MAX = 200;
/** Longer choice values post the choice's number instead, which ChoicePrompt recognises as well. */
const CHOICE_VALUE_MAX = 1_000;
/** Notification previews show a line or two. */
const SUMMARY_MAX = 250;

/** The data an Action.Submit button posts back; the inbound normaliser turns it into the message text. */
export interface ChoiceSubmitData {
  choice: string;
}

function cardActivity(host: CardHost, body: Element[], actions: Element[], summary: string | undefined): Partial<Activity> {
  const activity = MessageFactory.attachment(
    CardFactory.adaptiveCard({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: CARD_VERSION,
      body,
      ...(actions.length > 0 ? { actions } : {}),
      // Teams draws cards narrow unless asked; the property is ignored elsewhere, so only Teams gets it.
      ...(host === 'msteams' ? { msteams: { width: 'Full' } } : {}),
    }),
  );
  // Shown in notifications and kept by the transcript.
  if (summary) activity.summary = shorten(summary, SUMMARY_MAX, '…');
  return activity;
}

const moreNote: Element = { type: 'TextBlock', text: MORE_IN_NEXT_MESSAGE, wrap: true, isSubtle: true, size: 'Small', spacing: 'Medium' };

/**
 * The card, or for Teams as many cards as the body needs: elements are packed in order, each card
 * within {@link TEAMS_CARD_BYTES}; card-level actions go on the last card, after everything they answer.
 */
function cards(host: CardHost, body: Element[], actions: Element[], summary: string | undefined): Partial<Activity>[] {
  if (host !== 'msteams') return [cardActivity(host, body, actions, summary)];
  const envelope = jsonBytes(cardActivity(host, [moreNote], actions, summary));
  let current: Element[] = [];
  const parts = [current];
  let size = envelope;
  for (const element of body) {
    const bytes = jsonBytes(element) + 1;
    if (current.length > 0 && size + bytes > TEAMS_CARD_BYTES) {
      current = [];
      parts.push(current);
      size = envelope;
    }
    current.push(element);
    size += bytes;
  }
  return parts.map((part, i) => (i < parts.length - 1 ? cardActivity(host, [...part, moreNote], [], summary) : cardActivity(host, part, actions, summary)));
}

/** A TextBlock, or on Teams as many as a long text needs (each piece but the last marked as continued). */
function textBlocks(host: CardHost, text: string, props: Element = {}): Element[] {
  const pieces = host === 'msteams' ? splitText(text, TEAMS_TEXT_PIECE) : [text];
  return pieces.map((piece, i) => ({ type: 'TextBlock', text: piece, wrap: true, ...props, ...(i > 0 ? { spacing: 'None' } : {}) }));
}

function factSets(host: CardHost, facts: readonly Fact[]): Element[] {
  if (host !== 'msteams') return [{ type: 'FactSet', facts: facts.map(([title, value]) => ({ title, value })) }];
  const rows = facts.flatMap(([title, value]) => splitText(value, TEAMS_FACT_PIECE).map((piece, i) => ({ title: i === 0 ? shorten(title, BUTTON_TITLE_MAX) : '', value: piece })));
  let current: typeof rows = [];
  const sets = [current];
  let size = 0;
  for (const row of rows) {
    const bytes = jsonBytes(row) + 1;
    if (current.length > 0 && size + bytes > TEAMS_FACTSET_BYTES) {
      current = [];
      sets.push(current);
      size = 0;
    }
    current.push(row);
    size += bytes;
  }
  return sets.map((set) => ({ type: 'FactSet', facts: set }));
}

function sectionBlocks(host: CardHost, s: AnswerSection): Element[] {
  if (s.lines.length === 0) return [];
  const style = s.style ?? (s.title ? 'bullets' : 'paragraphs');
  const line = (l: string, i: number) => (style === 'bullets' ? `• ${l}` : style === 'numbered' ? `${i + 1}. ${l}` : l);
  return [
    ...(s.title ? textBlocks(host, s.title, { weight: 'Bolder', spacing: 'Medium' }) : []),
    ...s.lines.flatMap((l, i) => textBlocks(host, line(l, i), { spacing: s.title ? 'Small' : 'Medium' })),
  ];
}

export function factsCard(view: FactsView, host: CardHost): Partial<Activity>[] {
  return cards(
    host,
    [
      ...textBlocks(host, view.title, { size: 'Medium', weight: 'Bolder' }),
      ...factSets(host, view.facts),
      ...(view.footer ? textBlocks(host, view.footer, { isSubtle: true }) : []),
    ],
    [],
    view.title,
  );
}

export function answerCard(view: AnswerView, host: CardHost): Partial<Activity>[] {
  const color = view.tone === 'good' ? 'Good' : view.tone === 'attention' ? 'Attention' : undefined;
  return cards(
    host,
    [
      ...(view.title ? textBlocks(host, view.title, { size: 'Large', weight: 'Bolder' }) : []),
      ...(view.headline ? textBlocks(host, view.headline, color ? { color } : {}) : []),
      ...(view.facts && view.facts.length > 0 ? factSets(host, view.facts) : []),
      ...view.sections.flatMap((s) => sectionBlocks(host, s)),
      ...(view.footer ? textBlocks(host, view.footer, { spacing: 'Medium', isSubtle: true }) : []),
    ],
    view.quote ? [showQuote(host, view.quote)] : [],
    view.headline ?? view.title,
  );
}

/** The policy's words behind a button (Action.ShowCard, 1.2+): there when wanted, not in the way. */
function showQuote(host: CardHost, quote: PolicyQuote): Element {
  return {
    type: 'Action.ShowCard',
    title: quote.label,
    card: { type: 'AdaptiveCard', body: textBlocks(host, quote.text, { isSubtle: true }) },
  };
}

/**
 * Web Chat's prose answer with its policy quote collapsed: the words stay in `text` (the bubble,
 * transcripts, screen readers) and the card under them holds only the button that shows the quote.
 */
export function textWithQuoteCard(text: string, quote: PolicyQuote): Partial<Activity> {
  const activity = MessageFactory.attachment(
    CardFactory.adaptiveCard({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: CARD_VERSION,
      body: [],
      actions: [showQuote('webchat', quote)],
    }),
    text,
  );
  activity.textFormat = 'markdown';
  return activity;
}

/** Buttons whose titles all fit side by side; longer or more options get one full-width row each. */
const fitsInOneRow = (view: ChoicesView) => view.choices.length <= 3 && view.choices.every((c) => c.title.length <= 20);

const submit = (c: ChoiceItem, i: number): Element => ({
  type: 'Action.Submit',
  title: shorten(c.title, BUTTON_TITLE_MAX),
  data: { choice: c.value.length <= CHOICE_VALUE_MAX ? c.value : String(i + 1) } satisfies ChoiceSubmitData,
});

/**
 * The question as a card with Action.Submit buttons posting `{ choice }`: Teams shows suggested
 * actions only in personal chats, a card's buttons in every scope.
 */
export function choicesCard(view: ChoicesView, host: CardHost): Partial<Activity>[] {
  // One TextBlock a line: Teams' Markdown drops single line breaks inside a TextBlock.
  const prompt = view.prompt
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((text, i) => textBlocks(host, text, i > 0 ? { spacing: 'Small' } : {}));
  return fitsInOneRow(view)
    ? cards(host, prompt, view.choices.map(submit), view.prompt)
    : cards(host, [...prompt, ...view.choices.map((c, i) => ({ type: 'ActionSet', actions: [submit(c, i)], spacing: 'Small' }))], [], view.prompt);
}
