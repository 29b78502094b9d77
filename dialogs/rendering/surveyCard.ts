import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import type { ActionsBlock, Button, InputBlock, KnownBlock, SectionBlock } from '@slack/types';
import { MAX_SURVEY_COMMENT, ratingOf, type CsatRating, type SurveyInvite } from '../../src/domain/insights/SatisfactionSurvey.js';
import { CARD_VERSION } from './adaptiveCards.js';
import { channelFamily } from './render.js';
import type { SlackChannelData } from './slackBlocks.js';

/**
 * The satisfaction survey in each channel's own form, and its answer read back:
 *
 * - Web Chat (and Direct Line, the Emulator) and Teams: an Adaptive Card 1.4 with an optional
 *   comment box (Input.Text `comment`) and five Action.Submit buttons posting
 *   `{ csat: n, surveyId }` (Web Chat and Teams add the comment box's text to it);
 * - Slack: Block Kit with an optional plain_text_input (its text comes back in the click's
 *   `state.values`) and five buttons whose value is `{"csat":n,"surveyId":…}`;
 * - anything else: the question as text ("reply with a number from 1 to 5").
 */

/** The data of a rating button: what Web Chat and Teams post back as the message's `value`. */
export interface SurveySubmitData {
  csat: CsatRating;
  surveyId: string;
}

/** A survey answer as the channel delivered it. */
export interface SurveySubmit {
  surveyId: string;
  rating: CsatRating;
  comment?: string;
}

const COMMENT_INPUT_ID = 'comment';
const SLACK_COMMENT_BLOCK = 'csat_comment';
const SLACK_ACTIONS_BLOCK = 'csat';
const RATINGS: readonly CsatRating[] = [1, 2, 3, 4, 5];
const HEADLINE = 'How would you rate the help you got today?';
const SCALE = '1 = poor, 5 = excellent';
const COMMENT_LABEL = 'Anything to add? (optional)';

/** The survey for the channel: `text` is the question in words (the fallback, and the whole message in plain-text channels). */
export function surveyActivities(channelId: string | undefined, invite: SurveyInvite, text: string): Partial<Activity>[] {
  switch (channelFamily(channelId)) {
    case 'webchat':
      return [surveyCard(invite, text, 'webchat')];
    case 'msteams':
      return [surveyCard(invite, text, 'msteams')];
    case 'slack':
      return [surveyBlocks(invite, text)];
    case 'text':
      return [MessageFactory.text(text)];
  }
}

function surveyCard(invite: SurveyInvite, text: string, host: 'webchat' | 'msteams'): Partial<Activity> {
  const activity = MessageFactory.attachment(
    CardFactory.adaptiveCard({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: CARD_VERSION,
      body: [
        { type: 'TextBlock', text: HEADLINE, wrap: true, weight: 'Bolder' },
        { type: 'TextBlock', text: SCALE, wrap: true, isSubtle: true, spacing: 'Small' },
        { type: 'Input.Text', id: COMMENT_INPUT_ID, label: COMMENT_LABEL, placeholder: 'What went well, or what could be better', isMultiline: true, maxLength: MAX_SURVEY_COMMENT },
      ],
      actions: RATINGS.map((rating) => ({ type: 'Action.Submit', title: String(rating), data: { csat: rating, surveyId: invite.surveyId } satisfies SurveySubmitData })),
      ...(host === 'msteams' ? { msteams: { width: 'Full' } } : {}),
    }),
  );
  // Notifications and the transcript show the question.
  activity.summary = text;
  return activity;
}

function surveyBlocks(invite: SurveyInvite, text: string): Partial<Activity> {
  const buttons = RATINGS.map((rating): Button => ({
    type: 'button',
    text: { type: 'plain_text', text: String(rating), emoji: true },
    value: JSON.stringify({ csat: rating, surveyId: invite.surveyId } satisfies SurveySubmitData),
    action_id: `csat_${rating}`,
  }));
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${HEADLINE}*\n${SCALE}` } } satisfies SectionBlock,
    {
      type: 'input',
      block_id: SLACK_COMMENT_BLOCK,
      optional: true,
      label: { type: 'plain_text', text: COMMENT_LABEL, emoji: true },
      element: { type: 'plain_text_input', action_id: COMMENT_INPUT_ID, multiline: true, max_length: MAX_SURVEY_COMMENT },
    } satisfies InputBlock,
    { type: 'actions', block_id: SLACK_ACTIONS_BLOCK, elements: buttons } satisfies ActionsBlock,
  ];
  const activity = MessageFactory.text(text);
  activity.channelData = { text, blocks } satisfies SlackChannelData;
  return activity;
}

/**
 * The rating a message carries from a survey's buttons: an Adaptive Card submit (`value`) or a
 * Slack button click (`channelData.Payload`). Null for anything else (typed text included).
 */
export function surveySubmitOf(activity: Pick<Partial<Activity>, 'value' | 'channelData'>): SurveySubmit | null {
  return fromCardValue(activity.value) ?? fromSlackPayload(activity.channelData);
}

function fromCardValue(value: unknown): SurveySubmit | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const rating = ratingOf(v.csat);
  if (rating === null || typeof v.surveyId !== 'string' || v.surveyId === '') return null;
  const comment = typeof v[COMMENT_INPUT_ID] === 'string' ? v[COMMENT_INPUT_ID].trim() : '';
  return { surveyId: v.surveyId, rating, ...(comment ? { comment } : {}) };
}

interface SlackPayload {
  actions?: Array<{ block_id?: unknown; value?: unknown }>;
  state?: { values?: Record<string, Record<string, { value?: unknown } | undefined> | undefined> };
}

function fromSlackPayload(channelData: unknown): SurveySubmit | null {
  const payload = (channelData as { Payload?: SlackPayload } | undefined)?.Payload;
  const action = payload?.actions?.[0];
  if (typeof action?.value !== 'string' || !action.value.startsWith('{')) return null;
  let data: unknown;
  try {
    data = JSON.parse(action.value);
  } catch {
    return null;
  }
  const submit = fromCardValue(data);
  if (!submit) return null;
  // The comment box's text as it was when the button was clicked.
  const typed = payload?.state?.values?.[SLACK_COMMENT_BLOCK]?.[COMMENT_INPUT_ID]?.value;
  const comment = typeof typed === 'string' ? typed.trim() : '';
  return comment ? { ...submit, comment } : submit;
}
