import type { Activity, ConversationReference } from 'botbuilder';
import { describe, expect, test } from 'vitest';
import { TeamsStaffChannel, type TeamsPoster } from '../../src/channels/teams/TeamsStaffChannel.js';
import type { ConversationRecord } from '../../src/domain/SupportRequest.js';
import { newBotConversation } from '../helpers/dialogClient.js';

// Recorded Teams payload shapes (ids shortened): what the Bot Framework Teams channel posts to /api/messages.
const TENANT = '72f988bf-0000-4000-8000-2d7cd011db47';
const BOT = { id: '28:0b7e9c51-7a4f-4a64-9d2e-000000000001', name: 'CamSupport' };
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const TEAM = { id: '19:Q0nT9x1aR5Ks@thread.tacv2', name: 'Installers' };
const CUSTOMER_CHANNEL = '19:4b2f1cfa9c2e4e1c@thread.tacv2';
const STAFF_CHANNEL = '19:staff7d1e0a6b5c@thread.tacv2';
const ALEX = { id: '29:1GcS4EbGvq-alex', name: 'Alex Installer', aadObjectId: 'a1b2c3d4-0000-4000-8000-000000000002' };
const DANA = { id: '29:1xDv0-dana', name: 'Dana Agent', aadObjectId: 'd1d2d3d4-0000-4000-8000-000000000003' };
const CLIENT_INFO = { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Berlin' };
const mention = { type: 'mention', mentioned: { id: BOT.id, name: BOT.name }, text: `<at>${BOT.name}</at>` };

let nextId = 1_700_000_000_000;

/** A message in a team channel (the thread of the root post `root`). */
function channelMessage(channel: string, text: string, extra: Partial<Activity> = {}): Partial<Activity> {
  const id = String(nextId++);
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: ALEX,
    recipient: BOT,
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: `${channel};messageid=${id}`, name: '' },
    text,
    textFormat: 'plain',
    locale: 'en-US',
    entities: [CLIENT_INFO],
    channelData: { teamsChannelId: channel, teamsTeamId: TEAM.id, channel: { id: channel }, team: TEAM, tenant: { id: TENANT } },
    ...extra,
  } as Partial<Activity>;
}

const PERSONAL = { conversationType: 'personal', tenantId: TENANT, id: 'a:1Kj3xPqPersonalChatWithAlex', name: '', isGroup: false };

/** A message in the personal (1:1) chat with the bot. */
function personalMessage(extra: Partial<Activity>): Partial<Activity> {
  return {
    type: 'message',
    id: String(nextId++),
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: ALEX,
    recipient: BOT,
    conversation: PERSONAL,
    locale: 'en-US',
    entities: [CLIENT_INFO],
    channelData: { tenant: { id: TENANT } },
    ...extra,
  } as Partial<Activity>;
}

const text = (replies: Partial<Activity>[]) => JSON.stringify(replies.map((r) => ({ text: r.text, attachments: r.attachments, channelData: r.channelData })));

async function recordOf(storage: { read(keys: string[]): Promise<Record<string, unknown>> }, conversationId: string) {
  const key = `msteams/conversations/${conversationId}/`;
  return ((await storage.read([key]))[key] as { record?: ConversationRecord } | undefined)?.record;
}

describe('Teams mentions', () => {
  test('a channel message @mentioning the bot is classified without the mention', async () => {
    const { send, storage } = await newBotConversation({ channelId: 'msteams' });
    const activity = channelMessage(CUSTOMER_CHANNEL, `<at>${BOT.name}</at> my camera shows no video on channel 2, black screen`, { entities: [mention, CLIENT_INFO] });
    const replies = await send(activity);
    expect(text(replies)).toMatch(/covered by our support/i);
    const record = await recordOf(storage, activity.conversation!.id);
    expect(record?.transcript?.find((l) => l.from === 'customer')?.text).toBe('my camera shows no video on channel 2, black screen');
    expect(record?.lastTriage?.text).toBe('my camera shows no video on channel 2, black screen');
  });

  test('a channel message that does not mention the bot is ignored', async () => {
    const { send, storage } = await newBotConversation({ channelId: 'msteams' });
    const activity = channelMessage(CUSTOMER_CHANNEL, 'anyone know when the installer arrives? my camera shows no video');
    expect(await send(activity)).toEqual([]);
    expect(await recordOf(storage, activity.conversation!.id)).toBeUndefined();
  });

  test('a personal chat needs no mention', async () => {
    const { send } = await newBotConversation({ channelId: 'msteams' });
    expect(text(await send(personalMessage({ text: 'my camera shows no video on channel 2, black screen' })))).toMatch(/covered by our support/i);
  });
});

describe('Teams Adaptive Card submits', () => {
  test('an Action.Submit { choice } answers the running ChoicePrompt', async () => {
    const { send } = await newBotConversation({ channelId: 'msteams' });
    await send(personalMessage({ text: 'forgot the admin password of my NVR, locked out' }));
    // What Teams posts for Action.Submit with data { "choice": "No, still broken" }: no text, the data as value.
    const replies = await send(personalMessage({ value: { choice: 'No, still broken' }, replyToId: '1700000000123', channelData: { tenant: { id: TENANT }, source: { name: 'message' }, legacy: { replyToId: '1:1abc' } } }));
    expect(text(replies)).toMatch(/open a ticket/i);
    expect(text(replies)).toMatch(/talk to a person/i);
  });
});

describe('Teams install welcome', () => {
  test('installationUpdate (add) in a personal scope: the welcome card, once', async () => {
    const { sayAll } = await newBotConversation({ channelId: 'msteams' });
    const install = { type: 'installationUpdate', action: 'add', id: 'f:1', channelId: 'msteams', serviceUrl: SERVICE_URL, from: ALEX, recipient: BOT, conversation: PERSONAL, channelData: { tenant: { id: TENANT }, source: null } };
    const first = (await sayAll(install as Partial<Activity>)).filter((a) => a.type === 'message');
    expect(first).toHaveLength(1);
    expect(JSON.stringify(first[0]?.attachments)).toMatch(/support assistant/);
    // Teams also sends conversationUpdate with the bot among membersAdded: no second greeting.
    const update = { type: 'conversationUpdate', id: 'f:2', channelId: 'msteams', serviceUrl: SERVICE_URL, from: ALEX, recipient: BOT, conversation: PERSONAL, membersAdded: [{ id: BOT.id }], channelData: { tenant: { id: TENANT }, eventType: 'teamMemberAdded' } };
    expect((await sayAll(update as Partial<Activity>)).filter((a) => a.type === 'message')).toEqual([]);
  });

  test('added to a team: a short intro that says to @mention the bot; later members are not greeted', async () => {
    const { sayAll } = await newBotConversation({ channelId: 'msteams' });
    const teamConversation = { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: CUSTOMER_CHANNEL, name: '' };
    const channelData = { team: TEAM, eventType: 'teamMemberAdded', tenant: { id: TENANT }, settings: { selectedChannel: { id: CUSTOMER_CHANNEL } } };
    const added = { type: 'conversationUpdate', id: 'f:3', channelId: 'msteams', serviceUrl: SERVICE_URL, from: ALEX, recipient: BOT, conversation: teamConversation, membersAdded: [{ id: BOT.id }], channelData };
    const replies = (await sayAll(added as Partial<Activity>)).filter((a) => a.type === 'message');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toMatch(/@mention me/);
    const colleague = { ...added, id: 'f:4', membersAdded: [{ id: '29:new-colleague', aadObjectId: 'x' }] };
    expect((await sayAll(colleague as Partial<Activity>)).filter((a) => a.type === 'message')).toEqual([]);
  });
});

class RecordingPoster implements TeamsPoster {
  readonly posts: Array<{ thread: Partial<ConversationReference>; activity: Partial<Activity> }> = [];
  readonly replies: Array<{ thread: Partial<ConversationReference>; activity: Partial<Activity> }> = [];
  async startThread(channel: Partial<ConversationReference>, activity: Partial<Activity>) {
    const postId = String(nextId++);
    const thread = { ...channel, conversation: { ...channel.conversation!, id: `${channel.conversation!.id};messageid=${postId}` }, activityId: postId };
    this.posts.push({ thread, activity });
    return thread;
  }
  async reply(thread: Partial<ConversationReference>, activity: Partial<Activity>) {
    this.replies.push({ thread, activity });
  }
}

describe('staff in Teams', () => {
  test('a queued handoff is posted as a card; Accept, chat from the thread, close', async () => {
    const poster = new RecordingPoster();
    let staff: TeamsStaffChannel | undefined;
    const staffReference = { channelId: 'msteams', serviceUrl: SERVICE_URL, conversation: { id: STAFF_CHANNEL, isGroup: true, conversationType: 'channel', tenantId: TENANT }, bot: BOT };
    const { send, services } = await newBotConversation({
      channelId: 'msteams',
      staffRouter: (s, storage) => {
        staff = new TeamsStaffChannel(s.handoffs, poster, staffReference, storage);
        staff.start();
        return staff;
      },
    });
    await send(personalMessage({ text: 'forgot the admin password of my NVR, locked out' }));
    await send(personalMessage({ text: 'talk to a person' }));
    await staff!.idle();

    // The card in the staff channel: customer, reason, triage, summary, Accept.
    expect(poster.posts).toHaveLength(1);
    const card = poster.posts[0]!.activity.attachments?.[0];
    expect(card?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const cardJson = JSON.stringify(card?.content);
    expect(cardJson).toContain('H-000001');
    expect(cardJson).toContain('Alex Installer');
    expect(cardJson).toContain('The customer asked for a person');
    expect(cardJson).toMatch(/Triage/);
    const accept = (card?.content as { actions: Array<{ type: string; title: string; data: unknown }> }).actions[0];
    expect(accept).toEqual({ type: 'Action.Submit', title: 'Accept', data: { handoffAction: 'accept', handoffId: 'H-000001' } });

    // Dana clicks Accept on the card: the submit arrives in the card's thread.
    const thread = poster.posts[0]!.thread;
    const inThread = (extra: Partial<Activity>) =>
      ({ ...channelMessage(STAFF_CHANNEL, '', { from: DANA }), conversation: { ...thread.conversation!, name: '' }, ...extra }) as Partial<Activity>;
    const accepted = await send(inThread({ text: undefined, value: { handoffAction: 'accept', handoffId: 'H-000001' }, replyToId: thread.activityId! }));
    expect(accepted.map((a) => a.text).join('\n')).toMatch(/Dana Agent accepted H-000001/);
    const active = await services.handoffs.get('H-000001');
    expect(active).toMatchObject({ status: 'active', agent: 'Dana Agent' });
    expect(services.messenger.sent.at(-1)?.text).toMatch(/Dana Agent from our support team has joined/);

    // Dana @mentions the bot in the thread: relayed to the customer, without the mention.
    expect(await send(inThread({ text: `<at>${BOT.name}</at> Hi, I am Dana. Which model is it?`, entities: [mention, CLIENT_INFO] }))).toEqual([]);
    expect(services.messenger.sent.at(-1)).toMatchObject({ text: 'Hi, I am Dana. Which model is it?', address: { conversation: { id: PERSONAL.id } } });

    // The customer's answer appears in the thread; the bot stays silent towards the customer.
    expect(await send(personalMessage({ text: 'It is the SL-NVR32' }))).toEqual([]);
    await staff!.idle();
    expect(poster.replies.map((r) => r.activity.text)).toContain('Customer: It is the SL-NVR32');
    // What the customer typed reaches staff as literal text: no Markdown link, formatting or mention.
    expect(await send(personalMessage({ text: '[open this](http://evil.example) **urgent** <at>Everyone</at>' }))).toEqual([]);
    await staff!.idle();
    const injected = poster.replies.at(-1)?.activity;
    expect(injected).toMatchObject({ text: 'Customer: [open this](http://evil.example) **urgent** <at>Everyone</at>', textFormat: 'plain' });
    expect(injected?.entities ?? []).toEqual([]);
    expect(poster.replies.every((r) => r.thread.conversation?.id === thread.conversation?.id)).toBe(true);

    // Staff chatter without a mention never reaches the customer.
    const before = services.messenger.sent.length;
    expect(await send(inThread({ text: 'taking this one, brb' }))).toEqual([]);
    expect(services.messenger.sent.length).toBe(before);

    // "close: note" ends it.
    const closed = await send(inThread({ text: `<at>${BOT.name}</at> close: Reset code sent by email.`, entities: [mention] }));
    expect(closed.map((a) => a.text).join('\n')).toMatch(/closed H-000001/);
    expect(await services.handoffs.get('H-000001')).toMatchObject({ status: 'closed' });
    expect(services.messenger.sent.at(-1)?.text).toMatch(/Note from Dana Agent: Reset code sent by email\./);
    await staff!.idle();
  });

  test('a second Accept says who has it', async () => {
    const poster = new RecordingPoster();
    let staff: TeamsStaffChannel | undefined;
    const staffReference = { channelId: 'msteams', serviceUrl: SERVICE_URL, conversation: { id: STAFF_CHANNEL } };
    const { send, services } = await newBotConversation({
      channelId: 'msteams',
      staffRouter: (s, storage) => {
        staff = new TeamsStaffChannel(s.handoffs, poster, staffReference, storage);
        staff.start();
        return staff;
      },
    });
    await send(personalMessage({ text: 'talk to a person' }));
    await staff!.idle();
    await services.handoffs.accept('H-000001', 'sam');
    const thread = poster.posts[0]!.thread;
    const replies = await send({ ...channelMessage(STAFF_CHANNEL, '', { from: DANA }), text: undefined, conversation: { ...thread.conversation!, name: '' }, value: { handoffAction: 'accept', handoffId: 'H-000001' } } as Partial<Activity>);
    expect(replies.map((a) => a.text).join('\n')).toMatch(/accepted by sam/);
    await staff!.idle();
  });
});

describe('Teams app package', () => {
  test('manifest id filled, icons at the right sizes, a valid ZIP', async () => {
    const { readFile } = await import('node:fs/promises');
    const { inflateRawSync } = await import('node:zlib');
    const { crc32, teamsAppFiles, zip } = await import('../../src/channels/teams/appPackage.js');
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const appId = '0b7e9c51-7a4f-4a64-9d2e-000000000001';
    const files = teamsAppFiles(await readFile(new URL('../../appPackage/manifest.json', import.meta.url), 'utf8'), appId);
    const manifest = JSON.parse(files[0]!.data.toString('utf8')) as { id: string; manifestVersion: string; bots: Array<{ botId: string; scopes: string[] }> };
    expect(manifest).toMatchObject({ id: appId, manifestVersion: '1.17', bots: [{ botId: appId, scopes: ['personal', 'team', 'groupChat'] }] });
    // PNG width/height live at bytes 16..23 of IHDR.
    expect([files[1]!.data.readUInt32BE(16), files[1]!.data.readUInt32BE(20)]).toEqual([192, 192]);
    expect([files[2]!.data.readUInt32BE(16), files[2]!.data.readUInt32BE(20)]).toEqual([32, 32]);
    const archive = zip(files);
    expect(archive.readUInt32LE(0)).toBe(0x04034b50);
    const nameLength = archive.readUInt16LE(26);
    const compressedSize = archive.readUInt32LE(18);
    const first = inflateRawSync(archive.subarray(30 + nameLength, 30 + nameLength + compressedSize));
    expect(first.equals(files[0]!.data)).toBe(true);
    expect(archive.readUInt32LE(archive.length - 22)).toBe(0x06054b50);
  });
});

describe('TEAMS_STAFF_CONVERSATION', () => {
  test('a Teams channel reference is accepted; a thread id or bad JSON is refused by name', async () => {
    const { loadConfig } = await import('../../src/config.js');
    const good = { channelId: 'msteams', serviceUrl: SERVICE_URL, conversation: { id: STAFF_CHANNEL, tenantId: TENANT } };
    expect(loadConfig({ TEAMS_STAFF_CONVERSATION: JSON.stringify(good) }).teams.staffConversation?.conversation.id).toBe(STAFF_CHANNEL);
    expect(loadConfig({}).teams.staffConversation).toBeUndefined();
    const thread = { ...good, conversation: { id: `${STAFF_CHANNEL};messageid=1` } };
    expect(() => loadConfig({ TEAMS_STAFF_CONVERSATION: JSON.stringify(thread) })).toThrow(/TEAMS_STAFF_CONVERSATION.*without ";messageid="/);
    expect(() => loadConfig({ TEAMS_STAFF_CONVERSATION: '{not json' })).toThrow(/TEAMS_STAFF_CONVERSATION: is not valid JSON/);
  });
});
