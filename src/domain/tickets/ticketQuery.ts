import type { Ticket, TicketStatus } from './Ticket.js';

/**
 * A ticket's place in the staff list (newest first): creation time, then number. A page ends at a
 * cursor and the next starts strictly after it, so tickets opened while staff page through land
 * before the first page, never in a later one twice or in a gap.
 */
export interface TicketCursor {
  /** The ticket's `createdAt` (ISO, UTC, milliseconds). */
  createdAt: string;
  /** The ticket's number (123 for "T-000123"). */
  number: number;
}

/** What the text search of the staff list matches: every word as a word prefix, or the id. */
export interface TicketSearch {
  /** Lower-case words (runs of letters and digits); each must start a word of the ticket's text. */
  words: string[];
  /** The canonical id when the text reads as one ("t-12", "12" → "T-000012"). */
  id: string | null;
}

/** One page of the staff list, as the store answers it. */
export interface TicketQuery {
  status?: TicketStatus;
  /** Case-insensitive, the whole name. */
  assignee?: string;
  search?: TicketSearch;
  /** Only tickets after this one (older); absent for the first page. */
  after?: TicketCursor;
  limit: number;
}

export interface TicketSlice {
  tickets: Ticket[];
  /** The last ticket's cursor when more match; null on the last page. */
  nextCursor: TicketCursor | null;
}

/** Who owns a ticket: the chat identity ownership is checked on. */
export interface TicketOwner {
  channelId: string;
  userId: string;
}

/** 123 for "T-000123" (and for "T-123", "T-1000000"…); NaN for anything else. */
export function ticketNumber(id: string): number {
  const match = /^T-(\d{1,15})$/.exec(id);
  return match?.[1] === undefined ? NaN : Number(match[1]);
}

export function cursorOf(ticket: Pick<Ticket, 'id' | 'createdAt'>): TicketCursor {
  return { createdAt: ticket.createdAt, number: ticketNumber(ticket.id) };
}

/** Newest first; numbers break ties between tickets opened in the same millisecond. */
export function compareNewestFirst(a: TicketCursor, b: TicketCursor): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return b.number - a.number;
}

/** The cursor as the API hands it out: opaque, URL-safe. */
export function encodeTicketCursor(cursor: TicketCursor): string {
  return Buffer.from(`${cursor.createdAt}~${cursor.number}`, 'utf8').toString('base64url');
}

const ENCODED = /^[A-Za-z0-9_-]{1,100}$/;
const DECODED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)~(\d{1,15})$/;

/** The cursor an `encodeTicketCursor()` string names, or null when the text is not one. */
export function decodeTicketCursor(text: string): TicketCursor | null {
  if (!ENCODED.test(text)) return null;
  const match = DECODED.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2] || Number.isNaN(Date.parse(match[1]))) return null;
  const number = Number(match[2]);
  return Number.isSafeInteger(number) && number > 0 ? { createdAt: match[1], number } : null;
}

/**
 * The words of a text as the search sees them: lower-case runs of letters and digits, in order,
 * without repeats ("SN-1003 Lindqvist" → sn, 1003, lindqvist). PostgreSQL's side splits the same
 * way (`[^[:alnum:]]+` → space, then the `simple` text-search configuration).
 */
export function searchWords(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
}

/** The fields the search covers: id, summary, customer name and contact, serial, model. */
export function searchableText(t: Ticket): string {
  return [t.id, t.summary, t.customer.name, t.customer.contact, t.product?.serial, t.product?.model].filter((s): s is string => typeof s === 'string').join(' ');
}

/** Whether a ticket matches a search: its id, or every word starting one of its words. */
export function matchesSearch(t: Ticket, search: TicketSearch): boolean {
  if (search.id !== null && t.id === search.id) return true;
  if (search.words.length === 0) return false;
  const own = searchWords(searchableText(t));
  return search.words.every((w) => own.some((o) => o.startsWith(w)));
}
