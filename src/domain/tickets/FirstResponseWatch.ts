import type { EventBus } from '../ports/EventBus.js';
import type { Ticket, TicketChange } from './Ticket.js';
import type { TicketStore } from './TicketStore.js';

/** The bus topic of ticket events staff may watch (a console stream, a Teams post). */
export const TICKET_TOPIC = 'ticket';

/** Published once per ticket whose first-response due time passed without a staff response. */
export interface FirstResponseBreachedEvent {
  type: 'first_response_breached';
  ticketId: string;
  /** The due time that was missed. */
  due: string;
  at: string;
}

/**
 * Where the due-time check finds its work: the tickets past their due time that it has not settled
 * yet (neither `firstResponseAt` nor `firstResponseBreachedAt` set). PostgreSQL answers from a
 * partial index that holds only those; the embedded store scans its tickets.
 */
export interface UnsettledFirstResponses {
  /** Ids of such tickets with `notBefore < firstResponseDue <= now` (ISO times), earliest due first, at most `limit`. */
  due(now: string, notBefore: string, limit: number): Promise<string[]>;
}

export interface FirstResponseWatchOptions {
  /**
   * Tickets whose due time is older than this are not looked at: after an upgrade, tickets from
   * before the check existed are not all flagged at once. Default 7 days.
   */
  lookbackMs?: number;
  /** Tickets settled per run at most; the rest are next. Default 200. */
  batch?: number;
  /** A publish that failed (the ticket is flagged all the same). */
  onError?: (err: unknown, context: string) => void;
}

/**
 * The first-response due-time check (a scheduled job, once across instances): every ticket whose
 * `firstResponseDue` has passed is settled once. If staff responded by then, the time of that
 * response is recorded (quietly: nobody changed the ticket); otherwise the ticket is marked
 * breached (`firstResponseBreachedAt`), gets a `first_response_breached` history entry and a
 * `first_response_breached` event on the bus. A staff response is what the customer sees from a
 * person: a public comment, a status change, or a ticket staff opened from a live chat.
 */
export class FirstResponseWatch {
  private readonly lookbackMs: number;
  private readonly batch: number;

  constructor(
    private readonly store: Pick<TicketStore, 'update'>,
    private readonly unsettled: UnsettledFirstResponses,
    private readonly bus: Pick<EventBus, 'publish'>,
    private readonly clock: () => Date,
    private readonly options: FirstResponseWatchOptions = {},
  ) {
    this.lookbackMs = options.lookbackMs ?? 7 * 24 * 60 * 60 * 1000;
    this.batch = options.batch ?? 200;
  }

  /** Settles the tickets now due; resolves with the ids marked breached by this run. */
  async check(): Promise<{ breached: string[]; met: number }> {
    const now = this.clock();
    const at = now.toISOString();
    const ids = await this.unsettled.due(at, new Date(now.getTime() - this.lookbackMs).toISOString(), this.batch);
    const breached: string[] = [];
    let met = 0;
    for (const id of ids) {
      // Widened by hand: TypeScript does not see the assignment inside the callback.
      let outcome = 'none' as 'breached' | 'met' | 'none';
      const updated = await this.store.update(id, (current) => {
        // Recomputed on every attempt; a ticket another run settled meanwhile is left alone.
        const result = settle(current, at);
        outcome = result === current ? 'none' : result.firstResponseBreachedAt ? 'breached' : 'met';
        return result;
      });
      if (!updated || outcome === 'none') continue;
      if (outcome === 'met') {
        met += 1;
        continue;
      }
      breached.push(id);
      const event: FirstResponseBreachedEvent = { type: 'first_response_breached', ticketId: id, due: updated.firstResponseDue, at };
      try {
        await this.bus.publish(TICKET_TOPIC, event);
      } catch (err) {
        this.options.onError?.(err, `publish of first_response_breached ${id}`);
      }
    }
    return { breached, met };
  }
}

/** The ticket settled at `at` (ISO), or the same object when there is nothing to settle. */
export function settle(ticket: Ticket, at: string): Ticket {
  if (ticket.firstResponseAt !== undefined || ticket.firstResponseBreachedAt !== undefined) return ticket;
  if (ticket.firstResponseDue > at) return ticket;
  const first = firstStaffResponse(ticket);
  if (first && first.at <= ticket.firstResponseDue) return { ...ticket, firstResponseAt: first.at };
  const entry: TicketChange = { at, by: 'bot', what: 'first_response_breached', to: ticket.firstResponseDue };
  return {
    ...ticket,
    ...(first ? { firstResponseAt: first.at } : {}),
    firstResponseBreachedAt: at,
    history: [...ticket.history, entry],
  };
}

/** The first history entry in which a person answered the customer, or undefined. */
export function firstStaffResponse(ticket: Ticket): TicketChange | undefined {
  return ticket.history.find(
    (h) => h.by.startsWith('staff:') && (h.what === 'status' || h.what === 'created' || (h.what === 'comment' && h.to === 'public')),
  );
}
