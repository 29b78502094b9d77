import { AutoSaveStateMiddleware, MemoryStorage, TestAdapter, type Activity, type Storage } from 'botbuilder';
import type { StaffActivityRouter } from '../../src/bot/StaffActivityRouter.js';
import { DialogTestClient } from 'botbuilder-testing';
import type { BotParts } from '../../src/bot/buildBot.js';
import type { ConversationRecord } from '../../src/domain/SupportRequest.js';
import { fixedClock, testBot, testServices, type TestServices } from './testBot.js';

/** Sends one message and returns every reply of that turn, in order. */
export async function say(client: DialogTestClient, text: string): Promise<Partial<Activity>[]> {
  const replies: Partial<Activity>[] = [];
  let reply = (await client.sendActivity(text)) as Partial<Activity> | undefined;
  while (reply) {
    if (reply.type === 'message') replies.push(reply);
    reply = client.getNextReply() as Partial<Activity> | undefined;
  }
  return replies;
}

export const joined = (replies: Partial<Activity>[]) => replies.map((r) => r.text ?? '').join('\n---\n');
export const buttons = (replies: Partial<Activity>[]) => replies.flatMap((r) => r.suggestedActions?.actions.map((a) => a.title) ?? []);

/** The main dialog on a channel, with its state in memory, and what its conversation record holds after each turn. */
export async function newClient(options: { channelId?: string; now?: () => Date; staffedHours?: string } = {}): Promise<{
  client: DialogTestClient;
  parts: BotParts;
  services: TestServices;
  record: () => Promise<ConversationRecord | undefined>;
}> {
  const storage = new MemoryStorage();
  const channelId = options.channelId ?? 'webchat';
  const now = options.now ?? fixedClock();
  const services = testServices(now, options.staffedHours);
  const parts = await testBot(storage, now, services);
  // The main dialog as the bot runs it, with the transcript recorder the adapter uses.
  const client = new DialogTestClient(channelId, parts.mainDialog, undefined, [parts.inbound, parts.transcript, new AutoSaveStateMiddleware(parts.userState)], parts.conversationState);
  // DialogTestClient saves conversation state after every turn; Convo1 is TestAdapter's conversation id.
  const record = async () => {
    const key = `${channelId}/conversations/Convo1/`;
    const item = (await storage.read([key]))[key] as { record?: ConversationRecord } | undefined;
    return item?.record;
  };
  return { client, parts, services, record };
}

/**
 * The whole bot (SupportBot: handoff relay, dialogs, state saving) on a TestAdapter, for flows
 * that go beyond the dialogs. `say` returns every activity the bot sent in that turn.
 */
export async function newBotConversation(
  options: {
    channelId?: string;
    now?: () => Date;
    staffedHours?: string;
    /** A staff router (the Teams staff channel) built on the conversation's services and bot storage. */
    staffRouter?: (services: TestServices, storage: Storage) => StaffActivityRouter;
  } = {},
) {
  const storage = new MemoryStorage();
  const now = options.now ?? fixedClock();
  const services = testServices(now, options.staffedHours);
  const staffRouter = options.staffRouter?.(services, storage);
  const parts = await testBot(storage, now, services, staffRouter ? { staffRouter } : {});
  // No template (it would overwrite the conversation of every activity): the adapter's conversation
  // supplies whatever a sent activity leaves out.
  const adapter = new TestAdapter((ctx) => parts.bot.run(ctx));
  adapter.conversation.channelId = options.channelId ?? 'webchat';
  // As createRuntime registers them: the normaliser first, so the transcript sees the plain text.
  adapter.use(parts.inbound);
  adapter.use(parts.transcript);
  /** Any activity (a channel's recorded payload); fields not given come from the conversation's defaults. */
  const sendAll = async (activity: string | Partial<Activity>): Promise<Partial<Activity>[]> => {
    await adapter.receiveActivity(activity);
    return adapter.activeQueue.splice(0);
  };
  const sayMessages = async (text: string) => (await sendAll(text)).filter((a) => a.type === 'message');
  const send = async (activity: Partial<Activity>) => (await sendAll(activity)).filter((a) => a.type === 'message');
  return { services, parts, storage, adapter, sayAll: sendAll, say: sayMessages, send };
}
