import { randomBytes } from 'node:crypto';
import { conversationKeyOf, type CustomerDeliveries } from '../delivery/CustomerDeliveries.js';
import type { Handoff } from '../handoff/Handoff.js';
import type { Ticket } from '../tickets/Ticket.js';
import type { CsatMoment } from './ConversationOutcomes.js';
import type { OutcomeRecorder } from './OutcomeRecorder.js';
import type { SurveyComments } from './SurveyComments.js';

export type CsatRating = 1 | 2 | 3 | 4 | 5;

/** The longest comment kept: a sentence or two for staff, not an essay in the store. */
export const MAX_SURVEY_COMMENT = 1_000;
/** A survey may be answered for this long after it was asked; later answers are thanked and not counted. */
export const SURVEY_ANSWER_DAYS = 7;

/** What a survey message carries besides its text: the channel draws it as buttons that post this id back. */
export interface SurveyInvite {
  surveyId: string;
}

/**
 * The one survey of a conversation. Kept for staff (the comment is here, never in the outcome
 * events); `conversationKey` ties a submit to the conversation it was asked in.
 */
export interface SurveyRecord {
  /** Random and unguessable: what the buttons post back. */
  id: string;
  conversationKey: string;
  channel: string;
  after: CsatMoment;
  askedAt: string;
  /** What the survey followed, for staff reading the comment. */
  handoffId?: string;
  ticketId?: string;
  answer?: { rating: CsatRating; at: string; comment?: string };
}

/**
 * The store of surveys, one per conversation: `claim` is what makes "at most one ask per
 * conversation" hold across instances (create-only), `answer` what makes a rating count once.
 */
export interface SurveyStore {
  /** Stores the survey unless the conversation has one already (then false, and nothing changes). */
  claim(survey: SurveyRecord): Promise<boolean>;
  /** The conversation's survey, or null. */
  ofConversation(conversationKey: string): Promise<SurveyRecord | null>;
  /**
   * Sets the answer of the conversation's survey `surveyId` if it has none yet, atomically.
   * `recorded` only for the first answer; `answered` when one was there already; `unknown` when the
   * conversation has no survey with that id.
   */
  answer(conversationKey: string, surveyId: string, answer: NonNullable<SurveyRecord['answer']>): Promise<{ result: 'recorded' | 'answered' | 'unknown'; survey: SurveyRecord | null }>;
}

/** Why no survey was asked. */
export type NoSurvey = 'asked_before' | 'handoff_open';

/** How an answer went: counted, or (politely) not. */
export type SurveyAnswerResult =
  | { kind: 'recorded'; rating: CsatRating; after: CsatMoment }
  /** Answered before (a second click, a retry): the first rating stands. */
  | { kind: 'already_answered' }
  /** Not this conversation's survey (an old card of another conversation, a made-up id). */
  | { kind: 'unknown' }
  /** Past SURVEY_ANSWER_DAYS. */
  | { kind: 'expired' };

export interface SurveyAnswer {
  conversationKey: string;
  surveyId: string;
  rating: CsatRating;
  comment?: string;
}

/**
 * The satisfaction survey: whether to ask (at most once per conversation, never while a person is
 * waited for or chatting), asking after a handoff closes or a ticket is resolved (the survey goes
 * through the customer-message queue, after the closing message, to the same proven address), and
 * recording the answer once, as a `csat` fact without the comment (which stays with the survey, for
 * staff).
 */
export class SatisfactionSurvey {
  constructor(
    private readonly store: SurveyStore,
    /** Where the `csat` fact goes (the ConversationOutcomes port, through the recorder that hashes the conversation). */
    private readonly outcomes: Pick<OutcomeRecorder, 'record'>,
    private readonly handoffs: { openFor(conversationKey: string): Promise<Handoff | null> },
    private readonly deliveries: CustomerDeliveries,
    private readonly clock: () => Date,
    /** Where staff read the comments (by date range); the survey document keeps its own copy. */
    private readonly comments: Pick<SurveyComments, 'add'>,
    /** A comment that could not be kept for staff: reported (never with its text), the answer stands. */
    private readonly onCommentError: (err: unknown) => void = () => undefined,
  ) {}

  /**
   * Claims the conversation's one survey, or says why not. The caller sends it: the survey dialog
   * in the turn, `afterHandoffClosed` / `afterTicketResolved` through the queue.
   */
  async ask(input: { conversationKey: string; channel: string; after: CsatMoment; handoffId?: string; ticketId?: string }): Promise<SurveyRecord | NoSurvey> {
    if (await this.handoffs.openFor(input.conversationKey)) return 'handoff_open';
    const survey: SurveyRecord = {
      id: randomBytes(12).toString('base64url'),
      conversationKey: input.conversationKey,
      channel: input.channel,
      after: input.after,
      askedAt: this.clock().toISOString(),
      ...(input.handoffId ? { handoffId: input.handoffId } : {}),
      ...(input.ticketId ? { ticketId: input.ticketId } : {}),
    };
    return (await this.store.claim(survey)) ? survey : 'asked_before';
  }

  /** After staff closed a handoff (its closing message already queued): the survey follows it. */
  async afterHandoffClosed(handoff: Handoff): Promise<SurveyRecord | NoSurvey> {
    return this.askThroughQueue(handoff.address, { after: 'handoff_closed', handoffId: handoff.id });
  }

  /** After staff resolved a ticket (its status message already queued); a ticket without an address has nobody to ask. */
  async afterTicketResolved(ticket: Ticket): Promise<SurveyRecord | NoSurvey | 'no_address'> {
    if (!ticket.address) return 'no_address';
    return this.askThroughQueue(ticket.address, { after: 'ticket_resolved', ticketId: ticket.id });
  }

  private async askThroughQueue(address: Record<string, unknown>, about: { after: CsatMoment; handoffId?: string; ticketId?: string }): Promise<SurveyRecord | NoSurvey> {
    const conversationKey = conversationKeyOf(address);
    const survey = await this.ask({ conversationKey, channel: String(address.channelId), ...about });
    if (typeof survey === 'string') return survey;
    // Same conversation key as the closing message: the queue delivers them in this order.
    this.deliveries.enqueue({ id: `csat-${survey.id}`, conversationKey, address, text: SURVEY_QUESTION, subject: { kind: 'survey', surveyId: survey.id } });
    return survey;
  }

  /**
   * The conversation's survey while it can still be answered: asked, unanswered, not expired, and
   * no handoff open (messages then belong to the agent). For typed ratings ("4", "great").
   */
  async pending(conversationKey: string): Promise<SurveyRecord | null> {
    const survey = await this.store.ofConversation(conversationKey);
    if (!survey || survey.answer || this.expired(survey)) return null;
    if (await this.handoffs.openFor(conversationKey)) return null;
    return survey;
  }

  /** Records an answer once: the first counts (a `csat` fact), any later one is ignored. */
  async answer(input: SurveyAnswer): Promise<SurveyAnswerResult> {
    const current = await this.store.ofConversation(input.conversationKey);
    if (!current || current.id !== input.surveyId) return { kind: 'unknown' };
    if (current.answer) {
      // A retry heals a comment whose copy for staff was lost after the answer was stored (idempotent).
      await this.keepComment(current);
      return { kind: 'already_answered' };
    }
    if (this.expired(current)) return { kind: 'expired' };
    const at = this.clock().toISOString();
    const comment = input.comment?.trim().slice(0, MAX_SURVEY_COMMENT) || undefined;
    const { result, survey } = await this.store.answer(input.conversationKey, input.surveyId, { rating: input.rating, at, ...(comment ? { comment } : {}) });
    if (result === 'unknown' || !survey) return { kind: 'unknown' };
    if (result === 'answered') {
      await this.keepComment(survey);
      return { kind: 'already_answered' };
    }
    await this.keepComment(survey);
    // The fact says whether there was a comment, never what it says.
    await this.outcomes.record(input.conversationKey, { kind: 'csat', rating: input.rating, hasComment: comment !== undefined, after: survey.after });
    return { kind: 'recorded', rating: input.rating, after: survey.after };
  }

  /** The answered survey's comment, copied where staff read comments by date; none without a comment. */
  private async keepComment(survey: SurveyRecord): Promise<void> {
    const answer = survey.answer;
    if (!answer?.comment) return;
    try {
      await this.comments.add(survey.id, {
        answeredAt: answer.at,
        channel: survey.channel,
        rating: answer.rating,
        after: survey.after,
        comment: answer.comment,
        ...(survey.ticketId ? { ticketId: survey.ticketId } : {}),
        ...(survey.handoffId ? { handoffId: survey.handoffId } : {}),
      });
    } catch (err) {
      this.onCommentError(err);
    }
  }

  private expired(survey: SurveyRecord): boolean {
    return this.clock().getTime() - Date.parse(survey.askedAt) > SURVEY_ANSWER_DAYS * 86_400_000;
  }
}

/** The question, as plain text: the whole message where no buttons render, the fallback where they do. */
export const SURVEY_QUESTION = 'How would you rate the help you got today? Reply with a number from 1 (poor) to 5 (excellent); you can add a comment after it.';

const RATING_WORDS: ReadonlyArray<[RegExp, CsatRating]> = [
  [/^(?:terrible|awful|horrible|useless|very (?:bad|poor))$/, 1],
  [/^(?:bad|poor|not (?:good|great|helpful))$/, 2],
  [/^(?:ok|okay|fine|average|so[- ]so|meh)$/, 3],
  [/^(?:good|helpful|very helpful|nice|pretty good)$/, 4],
  [/^(?:great|excellent|perfect|amazing|awesome|fantastic|brilliant|very good|superb)$/, 5],
];

/**
 * A typed rating: "4", "4/5", "4 out of 5", "4 stars", "★★★★", or a word ("great", "poor"), with
 * an optional comment after a number ("4 - the guide was clear"). Null for anything else, so a
 * new problem is never taken for a rating. Words take no comment: "good morning" is no rating.
 */
export function ratingFromText(text: string): { rating: CsatRating; comment?: string } | null {
  const t = text.trim();
  const stars = /^[★⭐]{1,5}$/u.exec(t);
  if (stars) return { rating: [...t].length as CsatRating };
  const numbered = /^([1-5])\s*(\/\s*5|out of 5|of 5|stars?\b|★|⭐)?(.*)$/isu.exec(t);
  if (numbered) {
    const rating = Number(numbered[1]) as CsatRating;
    const rest = (numbered[3] ?? '').trim();
    if (rest === '') return { rating };
    // "4.5" or "45" is no rating on our scale.
    if (/^[.,]?\d/.test(rest)) return null;
    // A comment is set apart ("4 - the guide was clear", "4/5 quick"); "5 cameras are offline" is a problem.
    const apart = /^[-–—:,;.!)]\s*(.*)$/su.exec(rest);
    if (apart) return apart[1]?.trim() ? { rating, comment: apart[1].trim() } : { rating };
    return numbered[2] ? { rating, comment: rest } : null;
  }
  const word = t.toLowerCase().replace(/[.!]+$/, '').replace(/\s+/g, ' ');
  for (const [pattern, rating] of RATING_WORDS) if (pattern.test(word)) return { rating };
  return null;
}

/** A rating posted by a button, from whatever the channel carried it as (a number or a digit string). */
export function ratingOf(value: unknown): CsatRating | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[1-5]\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 5 ? (n as CsatRating) : null;
}
