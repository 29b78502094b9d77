import type { ScopeDecision } from '../scope.js';
import type { WarrantySummary } from '../SupportRequest.js';

/**
 * A warranty check as a ticket or handoff carries it. `toVerify`: what the customer could not tell
 * (the seal, the number on the sticker…), for staff to check; while it is non-empty, `covered`
 * means "covered if these check out", never a verdict either way.
 */
export type WarrantyCheckResult = WarrantySummary & { toVerify?: string[] };

export const TICKET_STATUSES = ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Who the ticket is for: the chat identity (channel + user id) is what ownership is checked on. */
export interface TicketCustomer {
  channelId: string;
  userId: string;
  name?: string;
  /** Phone or email given in the chat. */
  contact?: string;
}

export interface TicketProduct {
  serial?: string;
  model?: string;
  category?: string;
}

/** One line of the conversation so far, as staff see it. */
export interface TranscriptLine {
  at: string;
  from: 'customer' | 'bot' | 'agent';
  text: string;
  /** On agent lines: the staff member who wrote it (any staff may write in an active handoff). */
  agent?: string;
  /** On agent lines of a handoff: whether the message reached the customer (the delivery's id and outcome). */
  delivery?: LineDelivery;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface LineDelivery {
  id: string;
  state: DeliveryState;
  /** Why it failed ("timed out after 10 s"); only with state `failed`. */
  reason?: string;
}

/** Who did something: the bot, the customer, or a named staff member ("staff:dana"). */
export type Actor = 'bot' | 'customer' | `staff:${string}`;

export interface TicketChange {
  at: string;
  by: Actor;
  /** e.g. "created", "status", "priority", "assignee", "comment". */
  what: string;
  from?: string | null;
  to?: string | null;
}

export interface TicketComment {
  at: string;
  by: Actor;
  text: string;
  /** Public comments are sent to the customer; internal ones are for staff only. */
  public: boolean;
}

/**
 * Where to reach the customer later (a proactive message). Opaque to the domain: the bot layer
 * stores botbuilder's ConversationReference here as plain JSON.
 */
export type ConversationAddress = Record<string, unknown>;

export interface Ticket {
  /** Short and human-friendly: "T-000123". */
  id: string;
  status: TicketStatus;
  priority: TicketPriority;
  customer: TicketCustomer;
  product?: TicketProduct;
  triage?: ScopeDecision;
  warranty?: WarrantyCheckResult;
  summary: string;
  transcript: TranscriptLine[];
  /** From the service level (24x7 fault acceptance, phone response within 2 hours). */
  firstResponseDue: string;
  /**
   * Set by the due-time check (FirstResponseWatch) once the due time has passed: when staff first
   * responded (a public comment, a status change, or a ticket staff opened from a live chat).
   */
  firstResponseAt?: string;
  /** Set once, by the due-time check, when no staff response came by `firstResponseDue` (history: `first_response_breached`). */
  firstResponseBreachedAt?: string;
  /** Set once, by the service-level warning (ServiceLevel.warn), when the due time was near and nobody had responded. */
  firstResponseWarnedAt?: string;
  assignee?: string;
  createdAt: string;
  updatedAt: string;
  history: TicketChange[];
  comments: TicketComment[];
  address?: ConversationAddress;
  /**
   * Set when a notification (status change, public comment) could not be delivered to the customer
   * after its retries; cleared by the next one that is. The history has a `notification_failed`
   * entry with the reason either way.
   */
  unreachable?: { at: string; reason: string };
}

/** What opening a ticket needs; the service fills id, status, dates and history. */
export interface TicketDraft {
  customer: TicketCustomer;
  summary: string;
  priority?: TicketPriority;
  product?: TicketProduct;
  triage?: ScopeDecision;
  warranty?: WarrantyCheckResult;
  transcript?: TranscriptLine[];
  address?: ConversationAddress;
}

export interface TicketFilter {
  status?: TicketStatus;
  assignee?: string;
  /**
   * Words of the id, summary, customer name/contact, serial or model, each matched as the start of
   * a word, case-insensitive ("lind" finds "Lindqvist"); or a ticket id ("t-12", "12").
   */
  text?: string;
  /** The `nextCursor` of the previous page; absent for the first page. */
  cursor?: string;
  /** Tickets per page (default 50, at most 200). */
  limit?: number;
}

/** One page of the staff list, newest first. */
export interface TicketPage {
  items: Ticket[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  limit: number;
}
