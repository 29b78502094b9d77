import { ActivityTypes, Channels, TurnContext, type Activity, type CloudAdapter, type ConversationReference, type Storage } from 'botbuilder';
import type { Handoff, HandoffEvent } from '../../domain/handoff/Handoff.js';
import { HandoffNotFoundError, HandoffStateError, type HandoffEventMeta } from '../../domain/handoff/HandoffService.js';
import { ETagConflictError, type DocumentStore } from '../../domain/ports/DocumentStore.js';
import { handoffCardActivity, isHandoffCardAction } from './handoffCard.js';
import type { StaffActivityRouter } from '../../bot/StaffActivityRouter.js';
import type { ServiceLevelEvent, ServiceLevelListener } from '../../domain/tickets/ServiceLevel.js';
export type { StaffActivityRouter };

/** The part of HandoffService the Teams staff channel uses. */
export interface StaffHandoffs {
  subscribe(listener: (event: HandoffEvent, meta: HandoffEventMeta) => void, handoffId?: string): () => void;
  get(id: string): Promise<Handoff | null>;
  position(id: string): Promise<number | null>;
  accept(id: string, agent: string): Promise<Handoff>;
  agentMessage(id: string, agent: string, text: string): Promise<Handoff>;
  close(id: string, agent: string, note?: string): Promise<Handoff>;
}

/** Posting into the staff channel. Production: the adapter (proactive messages); tests: a recorder. */
export interface TeamsPoster {
  /** Posts a new message at the top of the channel; answers the reference of the thread it starts. */
  startThread(channel: Partial<ConversationReference>, activity: Partial<Activity>): Promise<Partial<ConversationReference>>;
  /** Posts into an existing thread (reply chain). */
  reply(thread: Partial<ConversationReference>, activity: Partial<Activity>): Promise<void>;
}


/** "19:abc@thread.tacv2;messageid=1700000000000" → "19:abc@thread.tacv2". */
export const channelOf = (conversationId: string) => conversationId.split(';')[0] ?? conversationId;

/** "close", or "close: note for the customer" (not "Close the app…", which is advice to relay). */
const CLOSE = /^\s*close\s*(?:[:\u2013-]\s*([\s\S]*))?$/i;
const THREAD_KEY = (conversationId: string) => `teams-staff/thread/${conversationId}`;
const HANDOFF_KEY = (handoffId: string) => `teams-staff/handoff/${handoffId}`;
/** One document per posted event: whoever creates it posts. */
const CLAIMS = 'teams-staff-claims';
/** Claims are needed only while every instance may still be handling the event. */
const CLAIM_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Staff in Teams: every queued handoff is posted to the configured Teams channel as a card with
 * Accept; whoever clicks it takes the customer (as their Teams name), and their @mentions of the bot
 * in that card's thread are relayed to the customer, while the customer's messages appear in the
 * thread. "close" in the thread ends the chat. The agent console keeps working alongside.
 *
 * Which thread belongs to which handoff is kept in the bot's Storage (both directions), so a
 * restart does not orphan a conversation in progress.
 *
 * With several instances every one hears every handoff event (the event bus); each post is made
 * once: the instance that creates the event's claim document (create-only, in the shared store)
 * posts, the others skip it. An instance that dies between its claim and its post loses that post
 * (at most once, never twice).
 */
export class TeamsStaffChannel implements StaffActivityRouter {
  private readonly pending = new Set<Promise<void>>();
  private unsubscribe: (() => void) | undefined;
  private unsubscribeServiceLevel: (() => void) | undefined;
  private readonly channel: Partial<ConversationReference>;
  private lastClaimPrune = 0;

  constructor(
    private readonly handoffs: StaffHandoffs,
    private readonly poster: TeamsPoster,
    /** The staff channel (TEAMS_STAFF_CONVERSATION): a ConversationReference as Teams sent it. */
    channel: { conversation: { id: string } } & Record<string, unknown>,
    private readonly storage: Storage,
    private readonly onError: (err: unknown, context: string) => void = () => undefined,
    /** The store every instance shares, for the claims; without it (one process) every event is posted here. */
    private readonly claims?: DocumentStore,
    /** First responses at risk or breached: each is posted to the channel once (claimed as handoff events are). */
    private readonly serviceLevel?: { subscribe(listener: ServiceLevelListener): () => void },
  ) {
    if (!channel.conversation.id) throw new Error('TeamsStaffChannel: the staff conversation reference has no conversation.id');
    this.channel = channel as unknown as Partial<ConversationReference>;
  }

  /** Starts listening to handoff events; stop() (or the returned function) ends it. */
  start(): () => void {
    this.unsubscribe ??= this.handoffs.subscribe((event, meta) => this.track(this.onEvent(event, meta), `${event.type} event`));
    this.unsubscribeServiceLevel ??= this.serviceLevel?.subscribe((event, meta) => this.track(this.onServiceLevel(event, meta), `${event.type} event`));
    return () => this.stop();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unsubscribeServiceLevel?.();
    this.unsubscribeServiceLevel = undefined;
  }

  /** Resolves when every post started by a handoff event has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** True for a message from the staff channel: those never reach the customer pipeline. */
  isStaffActivity(context: TurnContext): boolean {
    const a = context.activity;
    return a.channelId === Channels.Msteams && Boolean(a.conversation?.id) && channelOf(a.conversation.id) === channelOf(this.channel.conversation?.id ?? '');
  }

  async handle(context: TurnContext): Promise<boolean> {
    if (!this.isStaffActivity(context)) return false;
    if (context.activity.type !== ActivityTypes.Message) return true;
    const agent = context.activity.from?.name?.trim() || context.activity.from?.id || 'staff';
    try {
      if (isHandoffCardAction(context.activity.value)) {
        await this.accept(context, context.activity.value.handoffId, agent);
        return true;
      }
      const text = context.activity.text?.trim() ?? '';
      if (!text) return true;
      const handoffId = await this.handoffOfThread(context.activity.conversation.id);
      if (!handoffId) {
        await context.sendActivity('This thread has no handoff. Customers waiting for a person appear in this channel as cards: click Accept on one, then @mention me in its thread to write to the customer.');
        return true;
      }
      const close = CLOSE.exec(text);
      if (close) {
        const note = close[1]?.trim();
        await this.handoffs.close(handoffId, agent, note || undefined);
        await context.sendActivity(`${agent} closed ${handoffId}; the customer is back with the bot.`);
        return true;
      }
      await this.handoffs.agentMessage(handoffId, agent, text);
    } catch (err) {
      if (err instanceof HandoffStateError || err instanceof HandoffNotFoundError) {
        await context.sendActivity(staffErrorText(err));
        return true;
      }
      throw err;
    }
    return true;
  }

  private async accept(context: TurnContext, handoffId: string, agent: string): Promise<void> {
    const handoff = await this.handoffs.accept(handoffId, agent);
    // The submit comes from the card's thread: remember it (again), in case the card was posted
    // before a restart or from another instance.
    await this.remember(handoffId, TurnContext.getConversationReference(context.activity));
    await context.sendActivity(
      `${agent} accepted ${handoffId} (${handoff.customer.name ?? handoff.customer.userId}). @mention me in this thread to write to the customer; their messages appear here. Say "close" (optionally with a note) to end the chat.`,
    );
  }

  private async onEvent(event: HandoffEvent, meta: HandoffEventMeta): Promise<void> {
    switch (event.type) {
      case 'queued': {
        if (!(await this.claim(meta))) return;
        const thread = await this.poster.startThread(this.channel, handoffCardActivity(event.handoff, event.position));
        await this.remember(event.handoff.id, thread);
        return;
      }
      case 'message':
        if (event.line.from !== 'customer') return;
        // Plain text: what the customer typed must not become a Markdown link, formatting or a mention.
        await this.replyInThread(event.handoffId, `Customer: ${event.line.text}`, meta, 'plain');
        return;
      case 'accepted': {
        // Accepted in the agent console (a Teams accept already said so in the thread).
        if (event.handoff.agent) await this.replyInThread(event.handoff.id, `${event.handoff.id} is being handled by ${event.handoff.agent}.`, meta);
        return;
      }
      case 'closed':
        await this.replyInThread(event.handoff.id, `${event.handoff.id} is closed.`, meta);
        return;
      default:
        return;
    }
  }

  /** A ticket at risk of missing its first response, or past it: a message at the top of the channel, once. */
  private async onServiceLevel(event: ServiceLevelEvent, meta: HandoffEventMeta): Promise<void> {
    if (!(await this.claim(meta))) return;
    await this.poster.startThread(this.channel, { type: ActivityTypes.Message, text: serviceLevelText(event) });
  }

  private async replyInThread(handoffId: string, text: string, meta: HandoffEventMeta, textFormat?: 'plain'): Promise<void> {
    const thread = await this.threadOf(handoffId);
    if (thread && (await this.claim(meta))) await this.poster.reply(thread, { type: ActivityTypes.Message, text, ...(textFormat ? { textFormat } : {}) });
  }

  /** True when this instance is the one to post for the event (create-only write of its claim). */
  private async claim(meta: HandoffEventMeta): Promise<boolean> {
    if (!this.claims) return true;
    await this.pruneClaims();
    try {
      await this.claims.write(CLAIMS, `${meta.epoch}.${meta.id}`, { at: new Date().toISOString() }, null);
      return true;
    } catch (err) {
      if (err instanceof ETagConflictError) return false;
      throw err;
    }
  }

  /** At most hourly per instance: claims older than a day are of events nobody handles any more. */
  private async pruneClaims(): Promise<void> {
    const now = Date.now();
    if (!this.claims || now - this.lastClaimPrune < 60 * 60 * 1000) return;
    this.lastClaimPrune = now;
    await this.claims.expireIdle(CLAIMS, new Date(now - CLAIM_RETENTION_MS));
  }

  private async remember(handoffId: string, thread: Partial<ConversationReference>): Promise<void> {
    const conversationId = thread.conversation?.id;
    if (!conversationId) return;
    await this.storage.write({
      [THREAD_KEY(conversationId)]: { handoffId, eTag: '*' },
      [HANDOFF_KEY(handoffId)]: { thread: { ...thread }, eTag: '*' },
    });
  }

  private async handoffOfThread(conversationId: string): Promise<string | undefined> {
    const key = THREAD_KEY(conversationId);
    const item = (await this.storage.read([key]))[key] as { handoffId?: string } | undefined;
    return item?.handoffId;
  }

  private async threadOf(handoffId: string): Promise<Partial<ConversationReference> | undefined> {
    const key = HANDOFF_KEY(handoffId);
    const item = (await this.storage.read([key]))[key] as { thread?: Partial<ConversationReference> } | undefined;
    return item?.thread;
  }

  /** Event listeners run synchronously: the post they start is tracked, and a failure reported. */
  private track(work: Promise<void>, context: string): void {
    const tracked: Promise<void> = work
      .catch((err: unknown) => this.onError(err, `TeamsStaffChannel: ${context} not posted to Teams`))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** Our own words and ids only: nothing the customer wrote goes into the channel here. */
export function serviceLevelText(event: ServiceLevelEvent): string {
  const due = `${event.due.slice(0, 16).replace('T', ' ')} UTC`;
  if (event.type === 'first_response_at_risk') {
    const minutes = Math.max(0, Math.round((Date.parse(event.due) - Date.parse(event.at)) / 60_000));
    return `⚠️ Ticket ${event.ticketId} has had no response from staff and its first response is due at ${due} (in about ${minutes} minutes). Please pick it up in the agent console.`;
  }
  return `🔴 Ticket ${event.ticketId} missed its first-response time (due ${due}): nobody from staff has responded yet. Please pick it up in the agent console.`;
}

function staffErrorText(err: HandoffStateError | HandoffNotFoundError): string {
  if (err instanceof HandoffNotFoundError) return `There is no handoff ${err.handoffId} any more.`;
  if (err.status === 'waiting') return `${err.handoffId} is still waiting: click Accept on its card first.`;
  // "HandoffService.accept(): handoff H-1 is active (accepted by dana), not waiting" → the part after "): ".
  const detail = err.message.replace(/^[^:]*\(\):\s*/, '');
  return `Can't do that: ${detail}.`;
}

/**
 * Posts through the bot's adapter. A proactive message to a Teams channel's conversation id starts
 * a new thread; its reply chain is the channel id with `;messageid=<id of that post>`.
 */
export class AdapterTeamsPoster implements TeamsPoster {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async startThread(channel: Partial<ConversationReference>, activity: Partial<Activity>): Promise<Partial<ConversationReference>> {
    let postId: string | undefined;
    await this.adapter.continueConversationAsync(this.appId, channel, async (context) => {
      postId = (await context.sendActivity(activity))?.id;
    });
    if (!postId) throw new Error('AdapterTeamsPoster.startThread(): Teams returned no id for the posted card');
    const channelId = channelOf(channel.conversation?.id ?? '');
    return { ...channel, conversation: { ...channel.conversation, id: `${channelId};messageid=${postId}` } as ConversationReference['conversation'], activityId: postId };
  }

  async reply(thread: Partial<ConversationReference>, activity: Partial<Activity>): Promise<void> {
    await this.adapter.continueConversationAsync(this.appId, thread, async (context) => {
      await context.sendActivity(activity);
    });
  }
}
