import { ActivityTypes, Channels, TurnContext, type Activity, type Middleware } from 'botbuilder';

/**
 * What an Adaptive Card `Action.Submit` (Teams) or a Block Kit button (Slack) sends so that the
 * running dialog gets it as if the customer had typed it:
 *
 *   { "choice": "No, still broken" }   a choice of the open ChoicePrompt (its value, as on the button)
 *   { "text": "my dvr beeps" }         free text (an Input.Text with id "text")
 *
 * Other submit data (e.g. `{ "handoffAction": "accept", ... }` from the staff card) is left alone
 * for whoever owns it.
 */
export interface SubmitValue {
  choice?: string;
  text?: string;
}

/** Set on the turn when the normaliser changed the text: what the channel sent, for diagnostics. */
export const ORIGINAL_TEXT_KEY = Symbol('InboundNormaliser.originalText');

/** Teams conversation types in which the bot only answers when @mentioned. */
const SHARED_TEAMS_CONVERSATIONS = new Set(['channel', 'groupChat']);

/** `<@U0BOT>` or `<@U0BOT|camsupport>`: Slack's mention markup, as the Bot Framework Slack channel passes it. */
const SLACK_MENTION = /<@([A-Z0-9]+)(?:\|[^>]*)?>/g;
const LEADING_SLACK_MENTION = /^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*/;

/**
 * Makes Teams and Slack messages look like plain typed text before anything classifies them:
 * the bot's @mention is removed, card submits and button clicks become the text they stand for,
 * and Teams channel/group-chat messages that do not mention the bot are dropped (the bot is not
 * part of every conversation in a team). Other channels pass through untouched.
 */
export class InboundNormaliser implements Middleware {
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const activity = context.activity;
    if (activity.type === ActivityTypes.Message) {
      const before = activity.text;
      let keep = true;
      if (activity.channelId === Channels.Msteams) keep = normaliseTeams(activity);
      else if (activity.channelId === Channels.Slack) normaliseSlack(activity);
      if (!keep) return;
      if (activity.text !== before) context.turnState.set(ORIGINAL_TEXT_KEY, before);
    }
    await next();
  }
}

/** Returns false when the message is not for the bot (a shared Teams conversation without a mention). */
function normaliseTeams(activity: Activity): boolean {
  const submitted = submitText(activity.value);
  if (!activity.text?.trim() && submitted !== undefined) {
    activity.text = submitted;
    return true;
  }
  const botId = activity.recipient?.id;
  const mentioned = Boolean(botId) && TurnContext.getMentions(activity).some((m) => m.mentioned?.id === botId);
  const shared = SHARED_TEAMS_CONVERSATIONS.has(activity.conversation?.conversationType ?? '');
  // Card submits (a value, no text) are always for the bot: the card is the bot's.
  if (shared && !mentioned && activity.value === undefined) return false;
  if (mentioned && activity.text) activity.text = removeMentions(activity, botId as string);
  return true;
}

function normaliseSlack(activity: Activity): void {
  const clicked = slackButtonValue(activity.channelData);
  if (clicked !== undefined) {
    activity.text = clicked;
    return;
  }
  const submitted = submitText(activity.value);
  if (!activity.text?.trim() && submitted !== undefined) {
    activity.text = submitted;
    return;
  }
  if (!activity.text) return;
  const botId = activity.recipient?.id;
  if (botId && TurnContext.getMentions(activity).some((m) => m.mentioned?.id === botId)) activity.text = removeMentions(activity, botId);
  // In a Slack channel the bot hears `@bot …` (app_mention): the leading mention addresses the bot.
  // Mentions of the bot user (authed users of the event) are dropped anywhere; others are kept readable.
  const botUsers = new Set(slackBotUserIds(activity.channelData));
  activity.text = activity.text
    .replace(LEADING_SLACK_MENTION, '')
    .replace(SLACK_MENTION, (whole, id: string) => (botUsers.has(id) ? '' : whole))
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** Every mention of `id` taken out of the text (TurnContext.removeMentionText takes only the first). */
function removeMentions(activity: Activity, id: string): string {
  let text = activity.text ?? '';
  for (const mention of TurnContext.getMentions(activity)) {
    if (mention.mentioned?.id !== id || !mention.text) continue;
    text = text.split(mention.text).join(' ');
  }
  // Teams sometimes sends the mention with a non-breaking space or a trailing newline.
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

/** The text a card submit stands for (see SubmitValue), or undefined when it is not one of ours. */
export function submitText(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  // A survey rating ({ csat: 4, surveyId }) reads as the digit in transcripts; SurveyAnswers takes it from the submit itself.
  const candidate = typeof v.choice === 'string' ? v.choice : typeof v.text === 'string' ? v.text : typeof v.csat === 'number' ? String(v.csat) : undefined;
  const trimmed = candidate?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * A button click relayed by the Bot Framework Slack channel: `channelData.Payload` is Slack's
 * interaction payload (`block_actions` for Block Kit, `interactive_message` for legacy attachments),
 * whose first action's value is the answer.
 */
export function slackButtonValue(channelData: unknown): string | undefined {
  const payload = (channelData as { Payload?: { actions?: Array<{ value?: unknown; selected_option?: { value?: unknown } }> } } | undefined)?.Payload;
  const action = payload?.actions?.[0];
  const value = typeof action?.value === 'string' ? action.value : typeof action?.selected_option?.value === 'string' ? action.selected_option.value : undefined;
  if (value === undefined) return undefined;
  // A Block Kit button's value may carry our submit convention as JSON.
  if (value.startsWith('{')) {
    try {
      return submitText(JSON.parse(value)) ?? value;
    } catch {
      return value;
    }
  }
  return value.trim() || undefined;
}

/** The Slack user ids the event was delivered for (the bot user), from `channelData.SlackMessage`. */
function slackBotUserIds(channelData: unknown): string[] {
  const message = (channelData as { SlackMessage?: { authed_users?: unknown; authorizations?: Array<{ user_id?: unknown }> } } | undefined)?.SlackMessage;
  const ids: string[] = [];
  if (Array.isArray(message?.authed_users)) ids.push(...message.authed_users.filter((u): u is string => typeof u === 'string'));
  for (const a of message?.authorizations ?? []) if (typeof a.user_id === 'string') ids.push(a.user_id);
  return ids;
}
