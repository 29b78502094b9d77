import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import type { AnswerSection, AnswerView, ChoicesView, Fact, FactsView } from './views.js';

/**
 * Adaptive Cards 1.4 with elements every host we target renders (TextBlock, FactSet, ActionSet,
 * Action.Submit): Web Chat and the Emulator render anything up to 1.6, Teams stops at 1.4 for bots
 * and ignores or garbles elements it does not know, so 1.4 is the ceiling for both.
 */
export const CARD_VERSION = '1.4';

export type CardHost = 'webchat' | 'msteams';

type Element = Record<string, unknown>;

/** The data an Action.Submit button posts back; the inbound normaliser turns it into the message text. */
export interface ChoiceSubmitData {
  choice: string;
}

function card(host: CardHost, body: Element[], actions: Element[] = []) {
  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    ...(actions.length > 0 ? { actions } : {}),
    // Teams draws cards narrow unless asked; the property is ignored elsewhere, so only Teams gets it.
    ...(host === 'msteams' ? { msteams: { width: 'Full' } } : {}),
  });
}

const factSet = (facts: readonly Fact[]): Element => ({ type: 'FactSet', facts: facts.map(([title, value]) => ({ title, value })) });

function sectionBlocks(s: AnswerSection): Element[] {
  if (s.lines.length === 0) return [];
  const style = s.style ?? (s.title ? 'bullets' : 'paragraphs');
  const line = (l: string, i: number) => (style === 'bullets' ? `• ${l}` : style === 'numbered' ? `${i + 1}. ${l}` : l);
  return [
    ...(s.title ? [{ type: 'TextBlock', text: s.title, weight: 'Bolder', spacing: 'Medium', wrap: true }] : []),
    ...s.lines.map((l, i) => ({ type: 'TextBlock', text: line(l, i), wrap: true, spacing: s.title ? 'Small' : 'Medium' })),
  ];
}

export function factsCard(view: FactsView, host: CardHost): Partial<Activity> {
  const activity = MessageFactory.attachment(
    card(host, [
      { type: 'TextBlock', text: view.title, size: 'Medium', weight: 'Bolder', wrap: true },
      factSet(view.facts),
      ...(view.footer ? [{ type: 'TextBlock', text: view.footer, wrap: true, isSubtle: true }] : []),
    ]),
  );
  // Shown in notifications and kept by the transcript.
  activity.summary = view.title;
  return activity;
}

export function answerCard(view: AnswerView, host: CardHost): Partial<Activity> {
  const color = view.tone === 'good' ? 'Good' : view.tone === 'attention' ? 'Attention' : undefined;
  const activity = MessageFactory.attachment(
    card(host, [
      ...(view.title ? [{ type: 'TextBlock', text: view.title, size: 'Large', weight: 'Bolder', wrap: true }] : []),
      ...(view.headline ? [{ type: 'TextBlock', text: view.headline, wrap: true, ...(color ? { color } : {}) }] : []),
      ...(view.facts && view.facts.length > 0 ? [factSet(view.facts)] : []),
      ...view.sections.flatMap(sectionBlocks),
      ...(view.footer ? [{ type: 'TextBlock', text: view.footer, wrap: true, spacing: 'Medium', isSubtle: true }] : []),
    ]),
  );
  const summary = view.headline ?? view.title;
  if (summary) activity.summary = summary;
  return activity;
}

/** Buttons whose titles all fit side by side; longer or more options get one full-width row each. */
const fitsInOneRow = (view: ChoicesView) => view.choices.length <= 3 && view.choices.every((c) => c.title.length <= 20);

/**
 * The question as a card with Action.Submit buttons posting `{ choice }`: Teams shows suggested
 * actions only in personal chats, a card's buttons in every scope.
 */
export function choicesCard(view: ChoicesView, host: CardHost): Partial<Activity> {
  const submit = (c: ChoicesView['choices'][number]): Element => ({ type: 'Action.Submit', title: c.title, data: { choice: c.value } satisfies ChoiceSubmitData });
  // One TextBlock a line: Teams' Markdown drops single line breaks inside a TextBlock.
  const prompt: Element[] = view.prompt
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((text, i) => ({ type: 'TextBlock', text, wrap: true, ...(i > 0 ? { spacing: 'Small' } : {}) }));
  const activity = fitsInOneRow(view)
    ? MessageFactory.attachment(card(host, prompt, view.choices.map(submit)))
    : MessageFactory.attachment(card(host, [...prompt, ...view.choices.map((c) => ({ type: 'ActionSet', actions: [submit(c)], spacing: 'Small' }))]));
  activity.summary = view.prompt;
  return activity;
}
