import { ActivityTypes, EventFactory, TurnContext, type Activity, type StatePropertyAccessor } from 'botbuilder';
import type { ConversationRecords } from '../conversation/ConversationRecords.js';
import type { CustomerProfile } from '../conversation/CustomerProfile.js';
import type { Handoff, HandoffReason } from '../domain/handoff/Handoff.js';
import type { HandoffRequest, HandoffRequestResult } from '../domain/handoff/HandoffService.js';
import type { WarrantySummary } from '../domain/SupportRequest.js';
import { decisionOnly } from '../domain/scope.js';
import { customerClockOf, customerTime } from '../../dialogs/rendering/CustomerTime.js';

/** The part of the handoff service the bot needs. */
export interface HandoffDesk {
  request(input: HandoffRequest): Promise<HandoffRequestResult>;
  openFor(conversationKey: string): Promise<Handoff | null>;
  cancel(conversationKey: string): Promise<Handoff | null>;
  customerMessage(conversationKey: string, text: string): Promise<Handoff | null>;
  /** The handoff's place in the waiting queue (1 = next), null when it is not waiting. */
  position?(handoffId: string): Promise<number | null>;
  /** Whether a person could join now (staffed hours, someone available); assumed so when absent. */
  personCanJoin?(): Promise<boolean>;
}

/** Set on the turn when this turn queued the customer (or found them queued): no "anything else?" follows. */
export const QUEUED_THIS_TURN = Symbol('handoff.queuedThisTurn');

export type HandoffOutcome = HandoffRequestResult['kind'];

const CANCEL_WAIT = /^\s*(cancel|stop|stop waiting|cancel( the)? wait(ing)?|never ?mind|back to (the )?bot|forget it)\s*[.!]*\s*$/i;

export const conversationKey = (activity: Partial<Activity>) => `${activity.channelId}/${activity.conversation?.id}`;

/**
 * The bot's side of a handoff: asks the handoff service for a person with everything the agent
 * needs (customer, triage, warranty, transcript, where to reply), tells the customer their place in
 * the queue, emits the Bot Framework `handoff.initiate` event, and while a handoff is open relays
 * the customer's messages instead of running the dialogs.
 */
export class HandoffCoordinator {
  constructor(
    private readonly desk: HandoffDesk,
    private readonly records: ConversationRecords,
    private readonly profile: StatePropertyAccessor<CustomerProfile>,
    /** "Mon-Fri 08:00-18:00 (UTC)": said when nobody is on shift. */
    private readonly staffedHoursText: string,
    /** For "the next shift starts tomorrow at 08:00" in the customer's terms. */
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(ctx: TurnContext, reason: HandoffReason, details: { summary?: string; warranty?: WarrantySummary } = {}): Promise<HandoffOutcome> {
    const record = await this.records.get(ctx);
    const profile = await this.profile.get(ctx, {});
    const name = profile.name ?? ctx.activity.from?.name;
    // With the message's language when it was one the bot does not speak, so staff know how to answer.
    const triage = record.lastTriage ? decisionOnly(record.lastTriage) : undefined;
    const warranty = details.warranty ?? record.lastWarranty;
    const summary = details.summary ?? record.lastTriage?.text;
    const transcript = record.transcript ?? [];
    const result = await this.desk.request({
      reason,
      customer: { channelId: ctx.activity.channelId, userId: ctx.activity.from.id, ...(name ? { name } : {}), ...(profile.contact ? { contact: profile.contact } : {}) },
      conversationKey: conversationKey(ctx.activity),
      address: { ...TurnContext.getConversationReference(ctx.activity) },
      ...(triage ? { triage } : {}),
      ...(warranty ? { warranty } : {}),
      ...(summary ? { summary } : {}),
      transcript,
    });
    await this.records.addRequest(ctx, { kind: 'human', ...(summary ? { summary } : {}), ...(warranty ? { warranty } : {}) });

    if (result.kind === 'closed_hours') {
      // The chat team's hours are not the hotline's: say how the two differ, or "nobody can join"
      // next to "24x7" reads as a contradiction.
      await ctx.sendActivity(
        `Our chat team works ${this.staffedHoursText}, so nobody can join this chat right now; the next shift starts ${customerTime(result.nextOpening, this.now(), customerClockOf(ctx.activity))}. ` +
          'Our phone hotline is separate: under our Service Promise it takes calls 24x7 and responds within 2 hours. ' +
          'I can open a ticket now so the chat team picks it up first.',
      );
      return result.kind;
    }
    if (result.kind === 'nobody_available') {
      // Staffed hours, but every agent is away (or their consoles are closed): a ticket, as after hours.
      await ctx.sendActivity(
        "Nobody from our support team is available to chat right now. I can open a ticket so they pick it up first: the first response comes within 2 hours.",
      );
      return result.kind;
    }
    if (result.kind === 'already') {
      ctx.turnState.set(QUEUED_THIS_TURN, true);
      await ctx.sendActivity(`You are already waiting for a person: you are number ${result.position} in the queue. Type "cancel" to stop waiting.`);
      return result.kind;
    }
    ctx.turnState.set(QUEUED_THIS_TURN, true);
    const lead =
      reason === 'asked'
        ? 'Of course.'
        : reason === 'not_helping'
          ? "I'm sorry I haven't been able to solve this."
          : "I'm sorry this has been frustrating.";
    await ctx.sendActivity(
      `${lead} I've asked a person from our support team to take over, with a summary of our conversation. You are number ${result.position} in the queue; the estimated wait is about ${result.estimatedWaitMinutes} minute${result.estimatedWaitMinutes === 1 ? '' : 's'}. I'll tell you when someone joins. Type "cancel" to stop waiting and continue with me.`,
    );
    // The standard handoff protocol, so a channel connected to a contact centre can take over too.
    await ctx.sendActivity(
      EventFactory.createHandoffInitiation(
        ctx,
        { handoffId: result.handoff.id, reason, queuePosition: result.position, triage, warranty, summary },
        { activities: transcript.map((l) => ({ type: ActivityTypes.Message, text: l.text, timestamp: new Date(l.at), from: { id: l.from, name: l.from, role: l.from === 'customer' ? 'user' : 'bot' } }) as unknown as Activity) },
      ),
    );
    return result.kind;
  }

  /** Whether a person could join this chat now: only then is one offered; otherwise a ticket is. */
  async personCanJoin(): Promise<boolean> {
    return this.desk.personCanJoin ? this.desk.personCanJoin() : true;
  }

  /** When the chat team works, as said to the customer ("Mon-Fri 08:00-18:00 (UTC)"). */
  get staffedHours(): string {
    return this.staffedHoursText;
  }

  /** After the offer of a person (taken or declined), the failures in a row are counted afresh. */
  async resetFailures(ctx: TurnContext): Promise<void> {
    await this.records.resetFailures(ctx);
  }

  /**
   * While a handoff is open the conversation belongs to the agent: the customer's message is
   * relayed and the bot stays silent, except for cancelling the wait. Returns true when handled.
   */
  async relay(ctx: TurnContext): Promise<boolean> {
    if (ctx.activity.type !== ActivityTypes.Message) return false;
    const key = conversationKey(ctx.activity);
    const open = await this.desk.openFor(key);
    if (!open) return false;
    const text = ctx.activity.text?.trim() ?? '';
    if (open.status === 'waiting' && CANCEL_WAIT.test(text)) {
      await this.desk.cancel(key);
      await ctx.sendActivity("OK, I've cancelled the request for a person. You're back with me: describe the problem, or say \"help\".");
      return true;
    }
    if (text) await this.desk.customerMessage(key, text);
    // Never swallowed silently: the first message while waiting is answered, so the customer knows
    // it went to the queue and how to get back to the bot (later ones go quietly to the agent).
    if (text && open.status === 'waiting' && !(await this.records.waitAcknowledged(ctx, open.id))) {
      const position = (await this.desk.position?.(open.id)) ?? null;
      await ctx.sendActivity(
        `You're waiting for a person${position ? ` (number ${position} in the queue)` : ''}. I've added your message for them, so they will see it when they join. Say "cancel" to stop waiting and go back to the bot.`,
      );
    }
    return true;
  }
}
