import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import { shorten } from '../../../dialogs/rendering/textLimits.js';
import type { Handoff } from '../../domain/handoff/Handoff.js';
import { triageInWords } from '../../domain/triageInWords.js';
import type { WarrantyCheckResult } from '../../domain/tickets/Ticket.js';

/** What the staff card's Accept button submits; the Teams staff channel routes on `handoffAction`. */
export interface HandoffCardAction {
  handoffAction: 'accept';
  handoffId: string;
}

const REASONS: Record<Handoff['reason'], string> = {
  asked: 'The customer asked for a person',
  not_helping: 'The bot could not help (twice)',
  negative_sentiment: 'The customer is upset',
};

/** A warranty status as staff read it: a conditional answer is not "covered" until they check. */
const WARRANTY_WORDS: Record<WarrantyCheckResult['status'], string> = {
  covered: 'covered',
  conditional: 'covered if confirmed',
  not_covered: 'not covered',
  expired: 'expired',
};

/** The last transcript lines shown on the card; the whole transcript is in the agent console. */
const TRANSCRIPT_LINES = 6;
/** Longer lines, summaries and names are shortened visibly: the card stays far below Teams' ~28 KB. */
const LINE_MAX = 500;
const SUMMARY_MAX = 1_000;
const CUSTOMER_MAX = 200;

type Inline = { type: 'TextRun'; text: string; weight?: 'Bolder' };

/**
 * A label and text the customer (or their channel) supplied, as TextRuns: Adaptive Cards never
 * read Markdown in a TextRun, so `[click](http://…)`, `**bold**`, `<at>` or HTML a customer types
 * reach staff as the literal characters, not as a link, formatting or a mention. A TextBlock or a
 * FactSet value would be rendered as Markdown, so nothing the customer wrote goes into one.
 */
const literal = (label: string, text: string, extra: Record<string, unknown> = {}) => ({
  type: 'RichTextBlock',
  inlines: [{ type: 'TextRun', text: label, weight: 'Bolder' } satisfies Inline, { type: 'TextRun', text } satisfies Inline],
  ...extra,
});

/** Adaptive Card 1.4 (Teams renders up to 1.5): who is waiting, why, triage, warranty, summary, Accept. */
export function handoffCardActivity(handoff: Handoff, position?: number): Partial<Activity> {
  const customer = shorten([handoff.customer.name ?? handoff.customer.userId, handoff.customer.contact].filter(Boolean).join(', '), CUSTOMER_MAX);
  // Only our own words (reasons, triage labels, registry data, times) go into the FactSet.
  const facts: Array<[string, string]> = [['Reason', REASONS[handoff.reason]]];
  if (position !== undefined) facts.push(['Queue', `number ${position}`]);
  if (handoff.triage) {
    facts.push(['Triage', triageInWords(handoff.triage)]);
    if (handoff.triage.language) facts.push(['Language', handoff.triage.language]);
  }
  if (handoff.warranty) {
    const w = handoff.warranty;
    facts.push(['Warranty', `${w.model} ${w.serial}: ${WARRANTY_WORDS[w.status]}${w.coveredUntil ? ` until ${w.coveredUntil}` : ''}${w.chargeable ? ', chargeable' : ''}`]);
    // What the customer could not tell: staff check these before the warranty applies.
    if (w.toVerify && w.toVerify.length > 0) facts.push(['To verify', w.toVerify.map((v) => shorten(v, LINE_MAX)).join('; ')]);
  }
  facts.push(['Requested', `${handoff.requestedAt.slice(0, 16).replace('T', ' ')} UTC`]);
  const recent = handoff.transcript
    .slice(-TRANSCRIPT_LINES)
    .map((l, i) => literal(`${l.from === 'agent' ? shorten(l.agent ?? 'agent', CUSTOMER_MAX) : l.from}: `, shorten(l.text, LINE_MAX), i === 0 ? { separator: true, spacing: 'Medium' } : {}));
  const accept: HandoffCardAction = { handoffAction: 'accept', handoffId: handoff.id };
  const card = CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body: [
      { type: 'TextBlock', text: `Handoff ${handoff.id}: a customer is waiting`, size: 'Medium', weight: 'Bolder', wrap: true },
      literal('Customer: ', `${customer} (${handoff.customer.channelId})`),
      { type: 'FactSet', facts: facts.map(([title, value]) => ({ title, value })) },
      ...(handoff.summary ? [literal('Summary: ', shorten(handoff.summary, SUMMARY_MAX))] : []),
      ...recent,
      { type: 'TextBlock', text: 'Accept, then @mention the bot in this thread to write to the customer; "close" ends the chat.', wrap: true, size: 'Small', isSubtle: true },
    ],
    actions: [{ type: 'Action.Submit', title: 'Accept', data: accept }],
  });
  const activity = MessageFactory.attachment(card);
  activity.summary = `Handoff ${handoff.id}: ${customer} is waiting`;
  return activity;
}

export function isHandoffCardAction(value: unknown): value is HandoffCardAction {
  const v = value as Partial<HandoffCardAction> | undefined;
  return typeof v === 'object' && v !== null && v.handoffAction === 'accept' && typeof v.handoffId === 'string' && /^H-\d+$/.test(v.handoffId);
}
