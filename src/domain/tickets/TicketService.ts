import { randomUUID } from 'node:crypto';
import { conversationKeyOf, type CustomerDeliveries, type DeliveryEvent } from '../delivery/CustomerDeliveries.js';
import type { Actor, Ticket, TicketChange, TicketCustomer, TicketDraft, TicketFilter, TicketPage, TicketPriority, TicketStatus, TranscriptLine } from './Ticket.js';
import { decodeTicketCursor, encodeTicketCursor, searchWords, type TicketQuery } from './ticketQuery.js';
import type { TicketStore } from './TicketStore.js';
import type { OutcomeRecorder } from '../insights/OutcomeRecorder.js';

/** A ticket keeps the last this-many transcript lines: enough for staff, bounded in storage. */
export const MAX_TRANSCRIPT_LINES = 200;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** "My tickets" lists at most this many (newest first): a chat answer, not an archive. */
export const MAX_CUSTOMER_TICKETS = 50;
/** Ticket numbers have at most this many digits ("T-000123" shows six, larger numbers show all). */
const MAX_ID_DIGITS = 9;
/** A fresh id collides with a stored ticket only if the sequence was reset; skip that many at most. */
const MAX_CREATE_ATTEMPTS = 5;

/**
 * From the service promise (policies/001): fault acceptance is 7x24, and the phone response time is
 * 2 hours, so the first-response due time is plain hours after the ticket was opened (no business
 * calendar).
 */
export interface ServiceLevel {
  firstResponseHours: number;
}

/** What staff may change on a ticket; `assignee: null` (or '') unassigns. */
export interface TicketPatch {
  status?: TicketStatus;
  priority?: TicketPriority;
  assignee?: string | null;
}

export interface TicketCommentInput {
  text: string;
  public: boolean;
}

/** Whose tickets: the chat identity ownership is checked on. */
export type CustomerIdentity = Pick<TicketCustomer, 'channelId' | 'userId'>;

const STATUS_WORDING: Record<TicketStatus, string> = {
  open: 'open',
  in_progress: 'in progress',
  waiting_customer: 'waiting for information from you',
  resolved: 'resolved',
  closed: 'closed',
};

/** "T-000123" for 123. */
export function formatTicketId(n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`formatTicketId(): not a ticket number: ${n}`);
  return `T-${String(n).padStart(6, '0')}`;
}

/**
 * The canonical id ("T-000123") of a ticket id written loosely: "T-000123", "t-123", "T000123",
 * "T 123", "#123", "123". Null when the text is not a ticket id.
 */
export function normaliseTicketId(text: string): string | null {
  const match = /^\s*(?:t\s*-?\s*|#\s*)?(\d{1,9})\s*$/i.exec(text);
  const n = match?.[1] === undefined ? NaN : Number(match[1]);
  return Number.isSafeInteger(n) && n > 0 ? formatTicketId(n) : null;
}

// "T-000123", "t123", "T-12" as a word of its own (not inside a model name like "DS-2CD2T43"
// or after an apostrophe as in "don't").
const BARE_ID = String.raw`(?<![\w'’-])t-?(\d{1,${MAX_ID_DIGITS}})(?![\w-])`;
// "ticket 123", "ticket #123", "ticket no. 123", "case number: t-123", "my case t123".
const NAMED_ID = String.raw`\b(?:ticket|case|reference|ref)\s*(?:(?:no\.?|number|id|nr\.?)\s*)?[:#]?\s*(?:t-?)?(\d{1,${MAX_ID_DIGITS}})(?![\w-])`;
const TICKET_ID_IN_TEXT = new RegExp(`${NAMED_ID}|${BARE_ID}`, 'gi');

/** The ticket ids mentioned in free text, canonical and without repeats, in the order written. */
export function findTicketIds(text: string): string[] {
  const ids = new Set<string>();
  for (const match of text.matchAll(TICKET_ID_IN_TEXT)) {
    const digits = match[1] ?? match[2];
    const id = digits === undefined ? null : normaliseTicketId(digits);
    if (id) ids.add(id);
  }
  return [...ids];
}

/**
 * Tickets: opening them for customers, answering customers about their own tickets only, and the
 * staff side (list, read, change, comment) with a history of every change. Customers hear of
 * status changes and public comments in their conversation: the message is enqueued on the outbox
 * (staff never wait on a customer's channel), and a notification that fails for good is recorded
 * on the ticket (`unreachable`, and a `notification_failed` history entry).
 *
 * Pure domain: storage and the outbox are ports, time is an injected clock.
 */
export class TicketService {
  private readonly resolvedListeners = new Set<{ listener: (ticket: Ticket) => Promise<unknown>; onError: ((err: unknown) => void) | undefined }>();

  constructor(
    private readonly store: TicketStore,
    private readonly deliveries: CustomerDeliveries,
    private readonly clock: () => Date,
    private readonly serviceLevel: ServiceLevel = { firstResponseHours: 2 },
    /** Where tickets opened and resolved are recorded for Insights. */
    private readonly outcomes?: Pick<OutcomeRecorder, 'record'>,
  ) {
    // For the life of the service (as the outbox): every outcome of a ticket's notification is recorded.
    deliveries.subscribe((event) => (event.subject.kind === 'ticket' ? this.recordDelivery(event.subject.ticketId, event) : undefined));
  }

  /** Opens a ticket: a fresh id, status `open`, the first-response due time from the service level. */
  async open(draft: TicketDraft, by: Actor): Promise<Ticket> {
    const summary = draft.summary.trim();
    if (summary === '') throw new Error('TicketService.open(): the summary is empty.');
    if (!draft.customer.channelId || !draft.customer.userId) {
      throw new Error('TicketService.open(): the customer needs a channelId and a userId (ownership is checked on them).');
    }
    const now = this.clock();
    const at = now.toISOString();
    for (let attempt = 1; ; attempt += 1) {
      const ticket: Ticket = {
        id: formatTicketId(await this.store.nextNumber()),
        status: 'open',
        priority: draft.priority ?? 'normal',
        customer: { ...draft.customer },
        ...(draft.product ? { product: { ...draft.product } } : {}),
        ...(draft.triage ? { triage: draft.triage } : {}),
        ...(draft.warranty ? { warranty: draft.warranty } : {}),
        summary,
        transcript: capTranscript(draft.transcript ?? []),
        firstResponseDue: new Date(now.getTime() + this.serviceLevel.firstResponseHours * 3_600_000).toISOString(),
        createdAt: at,
        updatedAt: at,
        history: [{ at, by, what: 'created' }],
        comments: [],
        ...(draft.address ? { address: draft.address } : {}),
      };
      try {
        await this.store.create(ticket);
        await this.outcomes?.record(ticketConversationKey(ticket), { kind: 'ticket_opened', ticketId: ticket.id });
        return ticket;
      } catch (err) {
        // Only a taken id (a reset sequence) is worth another number; anything else is a real failure.
        if (attempt < MAX_CREATE_ATTEMPTS && (await this.store.get(ticket.id)) !== null) continue;
        throw err;
      }
    }
  }

  /**
   * The customer's own ticket, or null: another customer's ticket gets exactly the answer an
   * unknown id gets, so ids cannot be probed. Accepts loose ids ("t-123", "123").
   */
  async forCustomer(customer: CustomerIdentity, id: string): Promise<Ticket | null> {
    const ticket = await this.get(id);
    return ticket && ownedBy(ticket, customer) ? ticket : null;
  }

  /** The customer's tickets, newest first (the newest 50). */
  async listForCustomer(customer: CustomerIdentity): Promise<Ticket[]> {
    return this.store.ofCustomer({ channelId: customer.channelId, userId: customer.userId }, MAX_CUSTOMER_TICKETS);
  }

  /**
   * Staff: tickets by status, assignee and text, newest first, one page at a time: pass the
   * page's `nextCursor` as `cursor` for the next one (keyset pagination: no page is read twice, and
   * tickets opened meanwhile do not shift the pages).
   */
  async list(filter: TicketFilter = {}): Promise<TicketPage> {
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(filter.limit ?? DEFAULT_PAGE_SIZE)));
    const query: TicketQuery = { limit };
    if (filter.status !== undefined) query.status = filter.status;
    const assignee = filter.assignee?.trim();
    if (assignee) query.assignee = assignee;
    const text = filter.text?.trim();
    if (text) query.search = { words: searchWords(text), id: normaliseTicketId(text) };
    if (filter.cursor !== undefined) {
      const after = decodeTicketCursor(filter.cursor);
      if (!after) throw new Error(`TicketService.list(): not a cursor of this list: ${JSON.stringify(filter.cursor.slice(0, 40))}`);
      query.after = after;
    }
    const slice = await this.store.query(query);
    return { items: slice.tickets, nextCursor: slice.nextCursor ? encodeTicketCursor(slice.nextCursor) : null, limit };
  }

  /** Staff: any ticket by id (loose forms accepted). */
  async get(id: string): Promise<Ticket | null> {
    const canonical = normaliseTicketId(id);
    return canonical ? this.store.get(canonical) : null;
  }

  /**
   * Staff: changes status, priority and/or assignee, one history entry per field that really
   * changed; a status change is told to the customer (enqueued, not awaited). Null for an unknown id.
   */
  async update(id: string, patch: TicketPatch, by: Actor): Promise<Ticket | null> {
    const canonical = normaliseTicketId(id);
    if (!canonical) return null;
    const at = this.clock().toISOString();
    let changes: TicketChange[] = [];
    const updated = await this.store.update(canonical, (current) => {
      // Recomputed on every attempt: after a conflict `current` is the newer version.
      changes = [];
      const next: Ticket = { ...current };
      if (patch.status !== undefined && patch.status !== current.status) {
        changes.push({ at, by, what: 'status', from: current.status, to: patch.status });
        next.status = patch.status;
      }
      if (patch.priority !== undefined && patch.priority !== current.priority) {
        changes.push({ at, by, what: 'priority', from: current.priority, to: patch.priority });
        next.priority = patch.priority;
      }
      if (patch.assignee !== undefined) {
        const assignee = patch.assignee?.trim() || undefined;
        if (assignee !== current.assignee) {
          changes.push({ at, by, what: 'assignee', from: current.assignee ?? null, to: assignee ?? null });
          if (assignee === undefined) delete next.assignee;
          else next.assignee = assignee;
        }
      }
      if (changes.length === 0) return current;
      return { ...next, updatedAt: at, history: [...current.history, ...changes] };
    });
    if (!updated) return null;
    const statusChange = changes.find((c) => c.what === 'status');
    if (statusChange) this.notify(updated, statusMessage(updated));
    if (statusChange?.to === 'resolved') await this.tellResolved(updated);
    if (statusChange?.to === 'resolved') await this.outcomes?.record(ticketConversationKey(updated), { kind: 'ticket_resolved', ticketId: updated.id });
    return updated;
  }

  /**
   * Staff: adds a comment; a public one is sent to the customer (enqueued, not awaited), an
   * internal one is not. Null for an unknown id.
   */
  async comment(id: string, input: TicketCommentInput, by: Actor): Promise<Ticket | null> {
    const text = input.text.trim();
    if (text === '') throw new Error('TicketService.comment(): the comment is empty.');
    const canonical = normaliseTicketId(id);
    if (!canonical) return null;
    const at = this.clock().toISOString();
    const updated = await this.store.update(canonical, (current) => ({
      ...current,
      updatedAt: at,
      comments: [...current.comments, { at, by, text, public: input.public }],
      history: [...current.history, { at, by, what: 'comment', to: input.public ? 'public' : 'internal' }],
    }));
    if (!updated) return null;
    if (input.public) this.notify(updated, `Update on your ticket ${updated.id} from our support team: ${text}`);
    return updated;
  }

  /** Adds conversation lines (e.g. a handoff turned into a ticket); keeps the last 200. Null for an unknown id. */
  async appendTranscript(id: string, lines: readonly TranscriptLine[]): Promise<Ticket | null> {
    const canonical = normaliseTicketId(id);
    if (!canonical) return null;
    if (lines.length === 0) return this.store.get(canonical);
    const at = this.clock().toISOString();
    return this.store.update(canonical, (current) => ({
      ...current,
      updatedAt: at,
      transcript: capTranscript([...current.transcript, ...lines]),
    }));
  }

  /**
   * Told after staff resolved a ticket, once the customer's status message is queued (so what they
   * send, the satisfaction survey, arrives after it). Awaited by `update`; one that throws does not
   * undo the change (it is stored): the error is given to `onError`. Until the returned function is called.
   */
  afterResolved(listener: (ticket: Ticket) => Promise<unknown>, onError?: (err: unknown) => void): () => void {
    const entry = { listener, onError };
    this.resolvedListeners.add(entry);
    return () => this.resolvedListeners.delete(entry);
  }

  private async tellResolved(ticket: Ticket): Promise<void> {
    for (const { listener, onError } of this.resolvedListeners) {
      try {
        await listener(ticket);
      } catch (err) {
        onError?.(err);
      }
    }
  }

  /** Enqueues a message for the ticket's customer; a ticket without a conversation address has nobody to tell. */
  private notify(ticket: Ticket, message: string): void {
    if (!ticket.address) return;
    this.deliveries.enqueue({
      id: randomUUID(),
      conversationKey: conversationKeyOf(ticket.address),
      address: ticket.address,
      text: message,
      subject: { kind: 'ticket', ticketId: ticket.id },
    });
  }

  /**
   * A failed notification flags the ticket and adds a history entry with the reason; a later
   * delivered one clears the flag (and says so in the history). `updatedAt` is left alone: nobody
   * changed the ticket.
   */
  private async recordDelivery(ticketId: string, event: DeliveryEvent): Promise<void> {
    if (event.type === 'delivered' && !(await this.store.get(ticketId))?.unreachable) return;
    const at = this.clock().toISOString();
    await this.store.update(ticketId, (current) => {
      if (event.type === 'failed') {
        return {
          ...current,
          unreachable: { at, reason: event.reason },
          history: [...current.history, { at, by: 'bot', what: 'notification_failed', to: event.reason }],
        };
      }
      if (!current.unreachable) return current;
      const { unreachable: _cleared, ...rest } = current;
      return { ...rest, history: [...current.history, { at, by: 'bot', what: 'notification_delivered' }] };
    });
  }
}

/** The conversation a ticket came from ("<channelId>/<conversationId>"); one of its own when it has no address. */
export function ticketConversationKey(ticket: Pick<Ticket, 'id' | 'address' | 'customer'>): string {
  return ticket.address ? conversationKeyOf(ticket.address) : `${ticket.customer.channelId}/ticket:${ticket.id}`;
}

function statusMessage(ticket: Ticket): string {
  return `Update on your ticket ${ticket.id}: the status is now ${STATUS_WORDING[ticket.status]}.`;
}

function ownedBy(ticket: Ticket, customer: CustomerIdentity): boolean {
  return ticket.customer.channelId === customer.channelId && ticket.customer.userId === customer.userId;
}

function capTranscript(lines: readonly TranscriptLine[]): TranscriptLine[] {
  return lines.slice(-MAX_TRANSCRIPT_LINES).map((line) => ({ ...line }));
}
