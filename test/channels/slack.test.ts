import type { Activity } from 'botbuilder';
import { describe, expect, test } from 'vitest';
import { slackButtonValue } from '../../src/bot/InboundNormaliser.js';
import type { ConversationRecord } from '../../src/domain/SupportRequest.js';
import { newBotConversation } from '../helpers/dialogClient.js';

// Recorded shapes of the Bot Framework Slack channel (channelId "slack"): ids are "<user>:<team>",
// the conversation "<bot>:<team>:<channel>", Slack's own event in channelData.SlackMessage and a
// button click's interaction payload in channelData.Payload.
const TEAM = 'T0CAMTEAM';
const BOT = { id: `B0BOT:${TEAM}`, name: 'camsupport' };
const ALEX = { id: `U0ALEX:${TEAM}`, name: 'alex' };
const CONVERSATION = { id: `${BOT.id}:C0SUPPORT`, isGroup: true, name: '' };
let ts = 1_700_000_000;

function slackMessage(text: string): Partial<Activity> {
  ts += 1;
  return {
    type: 'message',
    id: `${ts}.000100`,
    channelId: 'slack',
    serviceUrl: 'https://slack.botframework.com/',
    from: ALEX,
    recipient: BOT,
    conversation: CONVERSATION,
    text,
    channelData: {
      SlackMessage: {
        token: 'verification-token-redacted',
        team_id: TEAM,
        api_app_id: 'A0CAMAPP',
        event: { type: 'app_mention', user: 'U0ALEX', text, ts: `${ts}.000100`, channel: 'C0SUPPORT', event_ts: `${ts}.000100` },
        type: 'event_callback',
        event_id: `Ev0${ts}`,
        event_time: ts,
        authed_users: ['U0BOT'],
      },
      ApiToken: 'xoxb-redacted',
    },
  } as Partial<Activity>;
}

/** A Block Kit button click as the Slack channel forwards it: no text, Slack's payload in channelData. */
function slackButtonClick(label: string, value: string): Partial<Activity> {
  ts += 1;
  return {
    type: 'message',
    id: `${ts}.000200`,
    channelId: 'slack',
    serviceUrl: 'https://slack.botframework.com/',
    from: ALEX,
    recipient: BOT,
    conversation: CONVERSATION,
    channelData: {
      Payload: {
        type: 'block_actions',
        user: { id: 'U0ALEX', username: 'alex', name: 'alex', team_id: TEAM },
        api_app_id: 'A0CAMAPP',
        token: 'verification-token-redacted',
        container: { type: 'message', message_ts: `${ts - 1}.000100`, channel_id: 'C0SUPPORT', is_ephemeral: false },
        trigger_id: '1234567890.0987654321.abcdef',
        team: { id: TEAM, domain: 'camsupport' },
        channel: { id: 'C0SUPPORT', name: 'support' },
        response_url: `https://hooks.slack.com/actions/${TEAM}/1/redacted`,
        actions: [{ action_id: 'choice-1', block_id: 'choices', text: { type: 'plain_text', text: label, emoji: true }, value, type: 'button', action_ts: `${ts}.000200` }],
      },
    },
  } as Partial<Activity>;
}

const shown = (replies: Partial<Activity>[]) => JSON.stringify(replies.map((r) => ({ text: r.text, attachments: r.attachments, channelData: r.channelData })));

describe('Slack', () => {
  test('"<@U0BOT> my camera…" is triaged without the mention', async () => {
    const { send, storage } = await newBotConversation({ channelId: 'slack' });
    const replies = await send(slackMessage('<@U0BOT> my camera shows no video on channel 2, black screen'));
    expect(shown(replies)).toMatch(/covered by our support/i);
    const key = `slack/conversations/${CONVERSATION.id}/`;
    const record = ((await storage.read([key]))[key] as { record?: ConversationRecord } | undefined)?.record;
    expect(record?.lastTriage?.text).toBe('my camera shows no video on channel 2, black screen');
  });

  test('other people mentioned in the text are kept', async () => {
    const { send, storage } = await newBotConversation({ channelId: 'slack' });
    await send(slackMessage('<@U0BOT|camsupport> <@U0SAM> says the dvr beeps every night'));
    const key = `slack/conversations/${CONVERSATION.id}/`;
    const record = ((await storage.read([key]))[key] as { record?: ConversationRecord } | undefined)?.record;
    expect(record?.transcript?.[0]?.text).toBe('<@U0SAM> says the dvr beeps every night');
  });

  test('a button click answers the running choice prompt', async () => {
    const { send } = await newBotConversation({ channelId: 'slack' });
    await send(slackMessage('<@U0BOT> forgot the admin password of my NVR, locked out'));
    const replies = await send(slackButtonClick('No, still broken', 'No, still broken'));
    expect(shown(replies)).toMatch(/open a ticket/i);
  });

  test('button values: plain, our JSON submit convention, a select menu', () => {
    expect(slackButtonValue({ Payload: { actions: [{ value: 'Yes, fixed' }] } })).toBe('Yes, fixed');
    expect(slackButtonValue({ Payload: { actions: [{ value: '{"choice":"Open a ticket"}' }] } })).toBe('Open a ticket');
    expect(slackButtonValue({ Payload: { actions: [{ selected_option: { value: 'Talk to a person' } }] } })).toBe('Talk to a person');
    expect(slackButtonValue({ SlackMessage: {} })).toBeUndefined();
  });
});
