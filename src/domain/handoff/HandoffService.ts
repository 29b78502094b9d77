import { randomUUID } from 'node:crypto';
import type { CustomerDeliveries, DeliveryEvent } from '../delivery/CustomerDeliveries.js';
import { InMemoryEventBus } from '../events/InMemoryEventBus.js';
import type { MessageSender } from '../ports/CustomerMessenger.js';
import type { BusEvent, EventBus } from '../ports/EventBus.js';
import type { Actor, Ticket, TicketDraft, TranscriptLine } from '../tickets/Ticket.js';
import type { Handoff, HandoffEvent, HandoffStatus } from './Handoff.js';
import { handoffIdOf } from './Handoff.js';
import { HandoffAlreadyOpenError, type HandoffStore } from './HandoffStore.js';
import type { StaffedHours } from './StaffedHours.js';
import type { OutcomeRecorder } from '../insights/OutcomeRecorder.js';

/** A handoff keeps at most this many transcript lines (the oldest go first): bounded in storage. */
export const MAX_HANDOFF_TRANSCRIPT_LINES = 500;
/** A request whose create lost to a handoff that closed at once asks again at most this often. */
const MAX_REQUEST_ATTEMPTS = 3;
/** A ticket summary made from the first customer line is cut to this length. */
const SUMMARY_MAX = 120;

/** What the bot knows when the customer is to be handed to a person (the transcript: the conversation so far). */
export type HandoffRequest = Pick<Handoff, 'reason' | 'customer' | 'conversationKey' | 'address' | 'triage' | 'warranty' | 'summary' | 'transcript'>;

export type HandoffRequestResult =
  /** In the queue: 1-based position and the estimated wait (position × average handling time). */
  | { kind: 'queued'; handoff: Handoff; position: number; estimatedWaitMinutes: number }
  /** The conversation already has an open handoff; position is 0 when an agent has accepted it. */
  | { kind: 'already'; handoff: Handoff; position: number }
  /** Outside staffed hours: nothing was queued (the bot offers a ticket instead). */
  | { kind: 'closed_hours'; nextOpening: Date }
  /** In staffed hours, but no agent is available (presence): nothing was queued (the bot offers a ticket instead). */
  | { kind: 'nobody_available' };

/** The slice of the ticket service a handoff needs. */
export interface TicketOpener {
  open(draft: TicketDraft, by: Actor): Promise<Ticket>;
}

export interface HandoffServiceOptions {
  /** Average minutes an agent spends per customer; the wait estimate is position × this. */
  averageMinutes: number;
  /**
   * Told when a subscriber threw. A failed delivery is not an error here: it is recorded on the
   * handoff and emitted as `delivery_failed`. Default: ignored.
   */
  onError?: (err: unknown, context: string) => void;
  /**
   * Whether an agent is there to take the customer (AgentPresence); without it, staffed hours
   * alone decide. Asked only in staffed hours, before queueing.
   */
  presence?: { anyoneAvailable(): Promise<boolean> };
  /** At most this many active chats per agent (AGENT_MAX_ACTIVE_CHATS); without it, no limit. */
  maxActiveChatsPerAgent?: number;
  /** Where handoffs, their acceptance (with the queue wait) and their close are recorded for Insights. */
  outcomes?: Pick<OutcomeRecorder, 'record'>;
}

/** The handoff is not in a state that allows the action (the staff API answers 409). */
export class HandoffStateError extends Error {
  constructor(
    message: string,
    readonly handoffId: string,
    readonly status: HandoffStatus,
  ) {
    super(message);
    this.name = 'HandoffStateError';
  }
}

/** No handoff has that id (the staff API answers 404). Commands throw it; queries return null. */
export class HandoffNotFoundError extends Error {
  constructor(
    readonly method: string,
    readonly handoffId: string,
  ) {
    super(`HandoffService.${method}(): no handoff "${handoffId}"`);
    this.name = 'HandoffNotFoundError';
  }
}

/** The bus topic of handoff events. */
export const HANDOFF_TOPIC = 'handoff';

/**
 * Where an event sits in the stream all instances share: ids grow, and compare only within one
 * `epoch` (an SSE client resumes with them; a Teams post is claimed once by them).
 */
export interface HandoffEventMeta {
  id: number;
  epoch: string;
}

export type HandoffListener = (event: HandoffEvent, meta: HandoffEventMeta) => void;

/**
 * The human handoff: a queue of customers waiting for a person, the live relay between a customer's
 * conversation and an agent, and the way back to the bot or on to a ticket.
 *
 * Pure domain: storage, the outbox of customer messages, the ticket service, staffed hours and the
 * clock are injected. Messages to customers (the agent's lines, "X has joined", queue positions)
 * are enqueued, never awaited: a customer whose channel hangs cannot hold up a staff action. Their
 * outcome comes back from the outbox and is recorded here (the line's delivery state, the
 * handoff's `unreachable` flag) and streamed as `delivered` / `delivery_failed` events.
 *
 * Queries (`get`, `position`, `openFor`) answer null for an unknown id or conversation; staff
 * commands (`accept`, `agentMessage`, `close`, `toTicket`) throw HandoffNotFoundError for an
 * unknown id and HandoffStateError when the handoff's status does not allow the action.
 *
 * Requests of one conversation and ticket conversions of one handoff are serialised in this process;
 * across processes the store keeps one open handoff per conversation (a create that loses answers
 * "already" with the winner) and makes every status change atomic (two accepts: one wins).
 */
export class HandoffService {
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly closedByStaff = new Set<(closed: Handoff) => Promise<unknown>>();

  constructor(
    private readonly store: HandoffStore,
    private readonly tickets: TicketOpener,
    private readonly deliveries: CustomerDeliveries,
    private readonly hours: StaffedHours,
    private readonly clock: () => Date,
    private readonly options: HandoffServiceOptions,
    /** Where events go: every instance's subscribers (consoles, Teams) hear every instance's handoffs. */
    private readonly bus: EventBus = new InMemoryEventBus(),
  ) {
    if (!(options.averageMinutes > 0)) throw new Error('HandoffService: options.averageMinutes must be a positive number');
    // For the life of the service (as the outbox): every outcome of a handoff's message is recorded.
    deliveries.subscribe((event) => (event.subject.kind === 'handoff' ? this.recordDelivery(event.subject.handoffId, event) : undefined));
  }

  /**
   * Whether a person could join a chat now: staffed hours, and (with presence) an agent available.
   * Asked before offering a person, so the customer is not offered one nobody can be.
   */
  async personCanJoin(): Promise<boolean> {
    if (!this.hours.isOpen(this.clock())) return false;
    return !this.options.presence || (await this.options.presence.anyoneAvailable());
  }

  /**
   * Puts the customer in the queue, or says they already are, or (outside staffed hours) says when
   * staff are back without queueing. The bot tells the customer the result in its own reply.
   */
  async request(input: HandoffRequest): Promise<HandoffRequestResult> {
    return this.serialised(`conversation:${input.conversationKey}`, async () => {
      for (let attempt = 1; ; attempt += 1) {
        const existing = await this.openFor(input.conversationKey);
        if (existing) return this.already(existing);
        const now = this.clock();
        if (!this.hours.isOpen(now)) {
          // Nobody staffed: the bot offers a ticket instead, counted as an after-hours handoff.
          await this.options.outcomes?.record(input.conversationKey, { kind: 'handoff', trigger: 'after_hours', handoffId: null });
          return { kind: 'closed_hours', nextOpening: this.hours.nextOpening(now) };
        }
        if (this.options.presence && !(await this.options.presence.anyoneAvailable())) {
          await this.options.outcomes?.record(input.conversationKey, { kind: 'handoff', trigger: 'after_hours', handoffId: null });
          return { kind: 'nobody_available' };
        }
        const handoff = await this.newHandoff(input, now);
        try {
          await this.store.create(handoff);
        } catch (err) {
          // Another instance (or service on this store) queued this conversation first: the store
          // keeps one open handoff per conversation, and this request answers with that one.
          if (!(err instanceof HandoffAlreadyOpenError)) throw err;
          if (err.open) return this.already(err.open);
          // The winner closed already: ask again (bounded, in case closes keep racing this).
          if (attempt >= MAX_REQUEST_ATTEMPTS) throw err;
          continue;
        }
        const position = (await this.position(handoff.id)) ?? 1;
        await this.emit({ type: 'queued', handoff, position });
        await this.options.outcomes?.record(handoff.conversationKey, { kind: 'handoff', trigger: handoff.reason, handoffId: handoff.id });
        return { kind: 'queued', handoff, position, estimatedWaitMinutes: this.estimateMinutes(position) };
      }
    });
  }

  private async already(open: Handoff): Promise<HandoffRequestResult> {
    return { kind: 'already', handoff: open, position: (await this.position(open.id)) ?? 0 };
  }

  private async newHandoff(input: HandoffRequest, now: Date): Promise<Handoff> {
    return {
      id: handoffId(await this.store.nextNumber()),
      status: 'waiting',
      reason: input.reason,
      customer: { ...input.customer },
      conversationKey: input.conversationKey,
      address: input.address,
      triage: input.triage,
      warranty: input.warranty,
      summary: input.summary,
      transcript: capTranscript(input.transcript),
      requestedAt: now.toISOString(),
    };
  }

  /** The waiting or active handoff of a conversation, or null. */
  async openFor(conversationKey: string): Promise<Handoff | null> {
    return this.store.findOpen(conversationKey);
  }

  /**
   * The customer ends the wait (or leaves an active chat): the handoff is closed and the customers
   * behind it are told their new place. Null when the conversation has no open handoff.
   */
  async cancel(conversationKey: string): Promise<Handoff | null> {
    const open = await this.openFor(conversationKey);
    if (!open) return null;
    const before = await this.waitingQueue();
    const at = this.clock().toISOString();
    let closed: Handoff | null;
    try {
      closed = await this.store.update(open.id, (h) => {
        if (h.status === 'closed') throw new HandoffStateError(`HandoffService.cancel(): handoff ${h.id} is already closed`, h.id, h.status);
        const text = h.status === 'waiting' ? 'The customer cancelled the wait.' : 'The customer left the chat.';
        return { ...h, status: 'closed', closedAt: at, transcript: capTranscript([...h.transcript, { at, from: 'bot', text }]) };
      });
    } catch (err) {
      // Closed meanwhile (by staff): from the customer's side there is nothing left to cancel.
      if (err instanceof HandoffStateError) return null;
      throw err;
    }
    if (!closed) return null;
    await this.emit({ type: 'closed', handoff: closed });
    await this.options.outcomes?.record(closed.conversationKey, { kind: 'handoff_closed', handoffId: closed.id });
    await this.tellQueueMoved(before);
    return closed;
  }

  /** Handoffs (all, or of one status), oldest request first. */
  async list(status?: HandoffStatus): Promise<Handoff[]> {
    return this.store.list(status);
  }

  get(id: string): Promise<Handoff | null> {
    return this.store.get(id);
  }

  /** 1-based place among the waiting handoffs (by request time); null when not waiting or unknown. */
  async position(id: string): Promise<number | null> {
    const index = (await this.waitingQueue()).findIndex((h) => h.id === id);
    return index < 0 ? null : index + 1;
  }

  /** The wait estimate for a place in the queue, in whole minutes. */
  estimateMinutes(position: number): number {
    return Math.max(1, Math.ceil(position * this.options.averageMinutes));
  }

  /**
   * An agent takes a waiting customer: the customer is told who joined (by `displayName`, else the
   * agent's name), the queue behind moves up. Refused with AgentChatLimitError when the agent has
   * `maxActiveChatsPerAgent` active chats already (checked atomically with the change). Resolves
   * once the change is stored; the messages are only enqueued.
   */
  async accept(id: string, agent: string, displayName?: string): Promise<Handoff> {
    const before = await this.waitingQueue();
    const at = this.clock().toISOString();
    const change = (h: Handoff): Handoff => {
      if (h.status !== 'waiting') {
        const by = h.status === 'active' && h.agent ? ` (accepted by ${h.agent})` : '';
        throw new HandoffStateError(`HandoffService.accept(): handoff ${h.id} is ${h.status}${by}, not waiting`, h.id, h.status);
      }
      return { ...h, status: 'active', acceptedAt: at, agent, ...(displayName ? { agentDisplayName: displayName } : {}) };
    };
    const limit = this.options.maxActiveChatsPerAgent;
    const accepted =
      limit === undefined
        ? await this.mustUpdate('accept', id, change)
        : await this.store.updateWithinAgentLimit(id, agent, limit, change).then((h) => {
            if (!h) throw new HandoffNotFoundError('accept', id);
            return h;
          });
    await this.emit({ type: 'accepted', handoff: accepted });
    const waitSeconds = Math.max(0, Math.round((Date.parse(at) - Date.parse(accepted.requestedAt)) / 1000));
    await this.options.outcomes?.record(accepted.conversationKey, { kind: 'handoff_accepted', handoffId: accepted.id, waitSeconds });
    this.sendTo(accepted, `${displayName ?? agent} from our support team has joined. You're now chatting with a person.`);
    await this.tellQueueMoved(before);
    return accepted;
  }

  /**
   * A customer message during a handoff (waiting or active): kept in the transcript and streamed to
   * the agent console. Null when the conversation has no open handoff (the bot handles the message).
   */
  async customerMessage(conversationKey: string, text: string): Promise<Handoff | null> {
    const open = await this.openFor(conversationKey);
    if (!open) return null;
    const line: TranscriptLine = { at: this.clock().toISOString(), from: 'customer', text };
    let updated: Handoff | null;
    try {
      updated = await this.store.update(open.id, (h) => {
        if (h.status === 'closed') throw new HandoffStateError(`HandoffService.customerMessage(): handoff ${h.id} is closed`, h.id, h.status);
        return { ...h, transcript: capTranscript([...h.transcript, line]) };
      });
    } catch (err) {
      // Closed between the look-up and the write: the bot has the customer back.
      if (err instanceof HandoffStateError) return null;
      throw err;
    }
    if (!updated) return null;
    await this.emit({ type: 'message', handoffId: updated.id, line });
    return updated;
  }

  /**
   * A staff member writes to the customer of an active handoff (any staff member may; the line
   * records who). The line is recorded at once with `delivery: { state: 'pending' }` and the message
   * enqueued `from` the agent (the widget shows their name: `displayName`, else the agent's name);
   * its outcome updates the line later (`delivered`, or `failed` with the reason).
   */
  async agentMessage(id: string, agent: string, text: string, displayName?: string): Promise<Handoff> {
    const deliveryId = randomUUID();
    const line: TranscriptLine = { at: this.clock().toISOString(), from: 'agent', text, agent, delivery: { id: deliveryId, state: 'pending' } };
    const updated = await this.mustUpdate('agentMessage', id, (h) => {
      if (h.status !== 'active') {
        throw new HandoffStateError(`HandoffService.agentMessage(): handoff ${id} is ${h.status}, not active (accept it first)`, id, h.status);
      }
      return { ...h, transcript: capTranscript([...h.transcript, line]) };
    });
    await this.emit({ type: 'message', handoffId: id, line });
    this.sendTo(updated, text, deliveryId, { name: displayName ?? agent });
    return updated;
  }

  /**
   * Ends a waiting or active handoff: the customer is told they are back with the bot (with the
   * agent's note, when given), and a waiting queue behind it moves up. The messages are only enqueued.
   */
  async close(id: string, agent: string, note?: string, displayName?: string): Promise<Handoff> {
    const before = await this.waitingQueue();
    const at = this.clock().toISOString();
    const trimmedNote = note?.trim() || undefined;
    const closed = await this.mustUpdate('close', id, (h) => {
      if (h.status === 'closed') throw new HandoffStateError(`HandoffService.close(): handoff ${h.id} is already closed`, h.id, h.status);
      const lines: TranscriptLine[] = trimmedNote ? [{ at, from: 'agent', text: trimmedNote, agent }] : [];
      return { ...h, status: 'closed', closedAt: at, agent: h.agent ?? agent, transcript: capTranscript([...h.transcript, ...lines]) };
    });
    await this.emit({ type: 'closed', handoff: closed });
    await this.options.outcomes?.record(closed.conversationKey, { kind: 'handoff_closed', handoffId: closed.id });
    const name = displayName ?? agent;
    const message = `${name} has closed the chat and you're back with the support bot.${trimmedNote ? ` Note from ${name}: ${trimmedNote}` : ''}`;
    this.sendTo(closed, message);
    // After the closing message is queued: what they send (the satisfaction survey) arrives after it.
    for (const listener of this.closedByStaff) {
      try {
        await listener(closed);
      } catch (err) {
        this.options.onError?.(err, `after close of ${closed.id}`);
      }
    }
    await this.tellQueueMoved(before);
    return closed;
  }

  /**
   * Told after staff closed a handoff, once the customer's closing message is queued (not after the
   * customer cancelled). Awaited by `close`; one that throws is reported to `onError` and the close
   * stands. Until the returned function is called.
   */
  afterStaffClose(listener: (closed: Handoff) => Promise<unknown>): () => void {
    this.closedByStaff.add(listener);
    return () => this.closedByStaff.delete(listener);
  }

  /**
   * Opens a ticket from the handoff (customer, summary, triage, warranty, transcript, address) on
   * behalf of the agent, and records its id on the handoff. Any status; once per handoff.
   */
  async toTicket(id: string, agent: string): Promise<{ handoff: Handoff; ticket: Ticket }> {
    return this.serialised(`ticket:${id}`, async () => {
      const current = await this.store.get(id);
      if (!current) throw new HandoffNotFoundError('toTicket', id);
      if (current.ticketId) {
        throw new HandoffStateError(`HandoffService.toTicket(): handoff ${id} is already ticket ${current.ticketId}`, id, current.status);
      }
      const ticket = await this.tickets.open(
        {
          customer: current.customer,
          summary: summaryOf(current),
          triage: current.triage,
          warranty: current.warranty,
          // The device the warranty check found is the ticket's product.
          ...(current.warranty ? { product: { serial: current.warranty.serial, model: current.warranty.model, category: current.warranty.category } } : {}),
          transcript: current.transcript,
          address: current.address,
        },
        staffActor(agent),
      );
      const handoff = await this.mustUpdate('toTicket', id, (h) => ({ ...h, ticketId: ticket.id }));
      await this.emit({ type: 'ticket', handoffId: id, ticketId: ticket.id });
      this.sendTo(handoff, `We've opened ticket ${ticket.id} for this. You can ask me about its status any time.`);
      return { handoff, ticket };
    });
  }

  /**
   * Listens to handoff events (all, or those of one handoff) of every instance on the bus, in order,
   * until the returned function is called. Listeners run synchronously; one that throws is reported
   * to `onError` and does not stop others.
   */
  subscribe(listener: HandoffListener, handoffId?: string): () => void {
    return this.bus.subscribe(HANDOFF_TOPIC, (published) => {
      const event = published.payload as HandoffEvent;
      const id = handoffIdOf(event);
      if (handoffId !== undefined && handoffId !== id) return;
      try {
        listener(event, { id: published.id, epoch: this.bus.epoch });
      } catch (err) {
        this.options.onError?.(err, `listener of ${event.type} ${id}`);
      }
    });
  }

  /**
   * The events (all, or of one handoff) after `afterId` of `epoch`, for a client resuming its
   * stream; null when they are not all kept any more (or the id is of another epoch): it needs a
   * fresh snapshot then.
   */
  async eventsSince(epoch: string, afterId: number, handoffId?: string): Promise<Array<{ event: HandoffEvent; meta: HandoffEventMeta }> | null> {
    if (epoch !== this.bus.epoch) return null;
    const events = await this.bus.since(HANDOFF_TOPIC, afterId);
    if (!events) return null;
    return events
      .map((e: BusEvent) => ({ event: e.payload as HandoffEvent, meta: { id: e.id, epoch: this.bus.epoch } }))
      .filter(({ event }) => handoffId === undefined || handoffIdOf(event) === handoffId);
  }

  /** Where the event stream is now: a snapshot read after this includes every event up to it. */
  async eventPosition(): Promise<HandoffEventMeta> {
    return { id: await this.bus.head(), epoch: this.bus.epoch };
  }

  /**
   * Published on the bus (every instance's subscribers get it). A failed publish does not undo the
   * change, which is stored: it is reported, and consoles see it in their next snapshot.
   */
  private async emit(event: HandoffEvent): Promise<void> {
    try {
      await this.bus.publish(HANDOFF_TOPIC, event);
    } catch (err) {
      this.options.onError?.(err, `publish of ${event.type} ${handoffIdOf(event)}`);
    }
  }

  /** The queue, oldest request first: one ordered query of the store. */
  private async waitingQueue(): Promise<Handoff[]> {
    return this.store.waiting();
  }

  /** Tells every customer still waiting whose place changed since `before` their new place and wait. */
  private async tellQueueMoved(before: readonly Handoff[]): Promise<void> {
    const was = new Map(before.map((h, i) => [h.id, i + 1]));
    const now = await this.waitingQueue();
    for (const [index, h] of now.entries()) {
      const position = index + 1;
      const previous = was.get(h.id);
      if (previous === undefined || previous === position) continue;
      this.sendTo(h, queueMessage(position, this.estimateMinutes(position)));
    }
  }

  /** Enqueues a message into the handoff's conversation; its outcome comes back to recordDelivery. */
  private sendTo(h: Pick<Handoff, 'id' | 'conversationKey' | 'address'>, text: string, deliveryId: string = randomUUID(), from?: MessageSender): void {
    this.deliveries.enqueue({ id: deliveryId, conversationKey: h.conversationKey, address: h.address, text, subject: { kind: 'handoff', handoffId: h.id }, ...(from ? { from } : {}) });
  }

  /**
   * The outcome of one of this handoff's messages: a failure marks the handoff unreachable (and the
   * agent's line, if it was one, not delivered); a later success clears the flag. Writes only when
   * something changes, and emits what changed.
   */
  private async recordDelivery(handoffId: string, event: DeliveryEvent): Promise<void> {
    const current = await this.store.get(handoffId);
    if (!current || !deliveryChanges(current, event)) return;
    const at = this.clock().toISOString();
    const updated = await this.store.update(handoffId, (h) => applyDelivery(h, event, at));
    if (!updated) return;
    if (event.type === 'failed') await this.emit({ type: 'delivery_failed', handoffId, deliveryId: event.id, reason: event.reason, at });
    else await this.emit({ type: 'delivered', handoffId, deliveryId: event.id });
  }

  private async mustUpdate(method: string, id: string, change: (h: Handoff) => Handoff): Promise<Handoff> {
    const updated = await this.store.update(id, change);
    if (!updated) throw new HandoffNotFoundError(method, id);
    return updated;
  }

  /** Runs `task` after any earlier task with the same key (in this process). */
  private serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.running.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    // The chain's tail never rejects, and removes itself from the map once nothing queued behind it.
    const tail: Promise<void> = result
      .then(ignore, ignore)
      .then(() => {
        if (this.running.get(key) === tail) this.running.delete(key);
      });
    this.running.set(key, tail);
    return result;
  }
}

const ignore = (): void => undefined;

/** "H-000042". */
export function handoffId(n: number): string {
  return `H-${String(n).padStart(6, '0')}`;
}

/** What a waiting customer is told when the queue moves. */
export function queueMessage(position: number, minutes: number): string {
  const place = position === 1 ? "You're next in the queue" : `You're now number ${position} in the queue`;
  return `${place}. Estimated wait: about ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

function staffActor(agent: string): Actor {
  return agent.startsWith('staff:') ? (agent as Actor) : `staff:${agent}`;
}

function summaryOf(h: Handoff): string {
  const given = h.summary?.trim();
  if (given) return given;
  const first = h.transcript.find((l) => l.from === 'customer')?.text.trim().replace(/\s+/g, ' ');
  if (first) return first.length > SUMMARY_MAX ? `${first.slice(0, SUMMARY_MAX - 1)}…` : first;
  return `Conversation handed to staff (${h.id})`;
}

/** Whether an outcome changes the stored handoff (a pending line, or the unreachable flag). */
function deliveryChanges(h: Handoff, event: DeliveryEvent): boolean {
  if (event.type === 'failed') return true;
  return h.unreachable !== undefined || h.transcript.some((l) => l.delivery?.id === event.id && l.delivery.state !== 'delivered');
}

function applyDelivery(h: Handoff, event: DeliveryEvent, at: string): Handoff {
  const transcript = h.transcript.map((l) => {
    if (l.delivery?.id !== event.id) return l;
    return { ...l, delivery: event.type === 'failed' ? { id: event.id, state: 'failed' as const, reason: event.reason } : { id: event.id, state: 'delivered' as const } };
  });
  if (event.type === 'failed') return { ...h, transcript, unreachable: { at, reason: event.reason } };
  const { unreachable: _cleared, ...rest } = h;
  return { ...rest, transcript };
}

function capTranscript(lines: readonly TranscriptLine[]): TranscriptLine[] {
  return lines.slice(-MAX_HANDOFF_TRANSCRIPT_LINES).map((line) => ({ ...line }));
}
