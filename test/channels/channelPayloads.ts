/**
 * Checks of what the bot sends against what the real channels accept: Adaptive Cards parsed and
 * validated by the `adaptivecards` package (the renderer Web Chat uses), Teams' message size, and
 * Slack's Block Kit limits as @slack/types documents them. Each returns readable problems, empty
 * when the payload is fine, so a failing test prints what is wrong.
 */
import * as AC from 'adaptivecards';
import type { Activity } from 'botbuilder';
import type { KnownBlock } from '@slack/types';
import { TEAMS_CARD_BYTES, TEAMS_MESSAGE_BYTES } from '../../dialogs/rendering/adaptiveCards.js';
import { SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, type SlackChannelData } from '../../dialogs/rendering/slackBlocks.js';
import { jsonBytes } from '../../dialogs/rendering/textLimits.js';

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** Parse and validation events of an Adaptive Card read as version 1.4 (what Teams renders for bots). */
export function adaptiveCardProblems(content: unknown): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_4);
  const card = new AC.AdaptiveCard();
  card.parse(content, context);
  const events = [...Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i)), ...card.validateProperties().validationEvents];
  return events.map((e) => `${AC.ValidationEvent[e.event]}: ${e.message}`);
}

/** The Adaptive Cards of an activity, each checked; an activity without a card is a problem here. */
export function cardActivityProblems(activity: Partial<Activity>): string[] {
  const cards = (activity.attachments ?? []).filter((a) => a.contentType === ADAPTIVE_CARD);
  if (cards.length === 0) return ['no Adaptive Card attachment'];
  return cards.flatMap((a) => adaptiveCardProblems(a.content));
}

/** What the adapter adds to an outgoing Teams activity (ids as long as Teams makes them). */
const TEAMS_ENVELOPE = {
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/7a3a5f0e-3d1b-4c1e-9f4e-5b2f1c0d9e8a/',
  from: { id: `28:${'b'.repeat(36)}`, name: 'CamSupport' },
  recipient: { id: `29:1${'x'.repeat(120)}`, name: 'Alex Installer', aadObjectId: 'a'.repeat(36) },
  conversation: { id: `a:1${'y'.repeat(160)}`, conversationType: 'personal', tenantId: 't'.repeat(36) },
  replyToId: `1${'7'.repeat(12)}`,
  locale: 'en-US',
  channelData: { tenant: { id: 't'.repeat(36) } },
};

/** Teams refuses a message over ~28 KB: the activity must leave room for the envelope. */
export function teamsSizeProblems(activity: Partial<Activity>): string[] {
  const alone = jsonBytes(activity);
  const sent = jsonBytes({ ...TEAMS_ENVELOPE, ...activity });
  return [
    ...(alone > TEAMS_CARD_BYTES ? [`activity is ${alone} bytes, over ${TEAMS_CARD_BYTES}`] : []),
    ...(sent > TEAMS_MESSAGE_BYTES ? [`activity as sent is ${sent} bytes, over ${TEAMS_MESSAGE_BYTES}`] : []),
  ];
}

type Problem = string;
const over = (what: string, text: string | undefined, max: number): Problem[] =>
  text === undefined || text.length === 0 ? [`${what} is empty`] : text.length > max ? [`${what} has ${text.length} characters, over ${max}`] : [];

function blockProblems(block: KnownBlock, at: string, actionIds: Set<string>): Problem[] {
  switch (block.type) {
    case 'section': {
      if (!block.text && !block.fields) return [`${at}: a section needs text or fields`];
      const fields = block.fields ?? [];
      return [
        ...(block.text ? over(`${at} text`, block.text.text, 3000) : []),
        ...(fields.length > 10 ? [`${at} has ${fields.length} fields, over 10`] : []),
        ...fields.flatMap((f, i) => over(`${at} field ${i}`, f.text, 2000)),
      ];
    }
    case 'header':
      return block.text.type === 'plain_text' ? over(`${at} header`, block.text.text, 150) : [`${at}: a header takes plain_text`];
    case 'context':
      return [
        ...(block.elements.length > 10 ? [`${at} has ${block.elements.length} elements, over 10`] : []),
        ...block.elements.flatMap((e, i) => ('text' in e && typeof e.text === 'string' ? over(`${at} element ${i}`, e.text, 3000) : [])),
      ];
    case 'actions':
      return [
        ...(block.elements.length > 25 ? [`${at} has ${block.elements.length} elements, over 25`] : []),
        ...block.elements.flatMap((e, i): Problem[] => {
          if (e.type !== 'button') return [`${at} element ${i} is a ${e.type}, not a button`];
          const id = e.action_id ?? '';
          const duplicate = actionIds.has(id) ? [`${at} action_id ${id} is used twice`] : [];
          actionIds.add(id);
          return [
            ...over(`${at} button ${i} text`, e.text.text, 75),
            ...over(`${at} button ${i} value`, e.value, 2000),
            ...over(`${at} button ${i} action_id`, id, 255),
            ...duplicate,
          ];
        }),
      ];
    case 'input': {
      // The survey's comment box: a label (2000) and a plain-text input (max_length up to 3000).
      const element = block.element;
      if (element.type !== 'plain_text_input') return [`${at}: the renderers make only plain_text_input inputs, not ${element.type}`];
      const id = element.action_id ?? '';
      const duplicate = actionIds.has(id) ? [`${at} action_id ${id} is used twice`] : [];
      actionIds.add(id);
      return [
        ...over(`${at} label`, block.label.text, 2000),
        ...((element.max_length ?? 3000) > 3000 ? [`${at} max_length ${element.max_length} over 3000`] : []),
        ...over(`${at} action_id`, id, 255),
        ...duplicate,
      ];
    }
    default:
      return [`${at}: the renderers do not make ${block.type} blocks`];
  }
}

/** Block Kit limits of one Slack message: 50 blocks, 40,000 characters, and each block's own limits. */
export function slackProblems(activity: Partial<Activity>): string[] {
  const data = activity.channelData as SlackChannelData | undefined;
  if (!data || !Array.isArray(data.blocks)) return ['no Block Kit in channelData'];
  const actionIds = new Set<string>();
  const texts = JSON.stringify(data.blocks).length;
  return [
    ...over('fallback text', data.text, SLACK_MAX_TEXT),
    ...over('activity text', activity.text, SLACK_MAX_TEXT),
    ...(data.blocks.length > SLACK_MAX_BLOCKS ? [`${data.blocks.length} blocks, over ${SLACK_MAX_BLOCKS}`] : []),
    ...(texts > SLACK_MAX_TEXT ? [`blocks hold ${texts} characters, over ${SLACK_MAX_TEXT}`] : []),
    ...data.blocks.flatMap((b, i) => blockProblems(b, `block ${i} (${b.type})`, actionIds)),
  ];
}
