import { MemoryStorage, type Activity } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import type { BotParts } from '../../src/bot/buildBot.js';
import type { ConversationRecord } from '../../src/domain/SupportRequest.js';
import { fixedClock, testBot } from './testBot.js';

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
export async function newClient(options: { channelId?: string; now?: () => Date } = {}): Promise<{
  client: DialogTestClient;
  parts: BotParts;
  record: () => Promise<ConversationRecord | undefined>;
}> {
  const storage = new MemoryStorage();
  const channelId = options.channelId ?? 'webchat';
  const parts = await testBot(storage, options.now ?? fixedClock());
  const client = new DialogTestClient(channelId, parts.mainDialog, undefined, [], parts.conversationState);
  // DialogTestClient saves conversation state after every turn; Convo1 is TestAdapter's conversation id.
  const record = async () => {
    const key = `${channelId}/conversations/Convo1/`;
    const item = (await storage.read([key]))[key] as { record?: ConversationRecord } | undefined;
    return item?.record;
  };
  return { client, parts, record };
}
