import type { BusEvent, EventBus } from '../ports/EventBus.js';
import { firstStaffResponse, TICKET_TOPIC, type FirstResponseBreachedEvent } from './FirstResponseWatch.js';
import type { Ticket, TicketStatus } from './Ticket.js';
import type { TicketStore } from './TicketStore.js';

/**
 * The first-response service level as staff watch it: every ticket's first staff response is due
 * 2 hours after it was opened (24x7). Tickets whose due time is close with nobody having answered
 * are "at risk"; those past it are "breached" (FirstResponseWatch marks them). The agent console
 * lists both and hears the two events live; the Teams staff channel is told of each once.
 */

/** Published once per ticket (across instances) when its due time is near and no staff member has responded. */
export interface FirstResponseAtRiskEvent {
  type: 'first_response_at_risk';
  ticketId: string;
  due: string;
  at: string;
}

export type ServiceLevelEvent = FirstResponseAtRiskEvent | FirstResponseBreachedEvent;

const SERVICE_LEVEL_EVENTS = new Set<string>(['first_response_at_risk', 'first_response_breached']);

export function isServiceLevelEvent(payload: unknown): payload is ServiceLevelEvent {
  const p = payload as { type?: unknown; ticketId?: unknown } | null;
  return typeof p === 'object' && p !== null && typeof p.type === 'string' && SERVICE_LEVEL_EVENTS.has(p.type) && typeof p.ticketId === 'string';
}

/** Statuses in which a ticket still needs a person; resolved and closed ones leave the board. */
const OPEN_STATUSES: readonly TicketStatus[] = ['open', 'in_progress', 'waiting_customer'];

/**
 * Where the service level finds its tickets: PostgreSQL from partial indexes (migrations 032 and
 * 060), the embedded store by a scan of its tickets.
 */
export interface ServiceLevelQueries {
  /**
   * Tickets not settled by the due-time check (no `firstResponseAt`, no `firstResponseBreachedAt`)
   * whose due time is in (`after`, `until`] (ISO), earliest due first, at most `limit`.
   */
  unsettled(after: string, until: string, limit: number): Promise<Ticket[]>;
  /** Tickets marked breached that are not resolved or closed, earliest due first, at most `limit`. */
  breachedOpen(limit: number): Promise<Ticket[]>;
}

/** One line of the console's service-level list: what staff need to pick the ticket up (no transcript). */
export interface ServiceLevelItem {
  id: string;
  status: TicketStatus;
  priority: Ticket['priority'];
  summary: string;
  customerName?: string;
  assignee?: string;
  firstResponseDue: string;
  /** Minutes until the due time; negative once it has passed. */
  minutesLeft: number;
  /** When the breach was recorded (the due-time check runs every minute). */
  breachedAt?: string;
}

export interface ServiceLevelBoard {
  /** Due within `warnMinutes`, nobody from staff has answered yet. */
  atRisk: ServiceLevelItem[];
  /** Past the due time, still open and still unanswered. */
  breached: ServiceLevelItem[];
  warnMinutes: number;
  at: string;
}

export interface ServiceLevelOptions {
  /** How long before the due time a ticket counts as at risk. Default 30 minutes. */
  warnBeforeMs?: number;
  /** Tickets listed per list at most. Default 200. */
  limit?: number;
  /** Breached tickets whose due time is older than this are not listed. Default 7 days. */
  lookbackMs?: number;
  /** A publish that failed (the ticket is marked warned all the same). */
  onError?: (err: unknown, context: string) => void;
}

export type ServiceLevelListener = (event: ServiceLevelEvent, meta: { id: number; epoch: string }) => void;

export class ServiceLevel {
  readonly warnBeforeMs: number;
  private readonly limit: number;
  private readonly lookbackMs: number;

  constructor(
    private readonly store: Pick<TicketStore, 'update'>,
    private readonly queries: ServiceLevelQueries,
    private readonly bus: EventBus,
    private readonly clock: () => Date,
    private readonly options: ServiceLevelOptions = {},
  ) {
    this.warnBeforeMs = options.warnBeforeMs ?? 30 * 60 * 1000;
    this.limit = options.limit ?? 200;
    this.lookbackMs = options.lookbackMs ?? 7 * 24 * 60 * 60 * 1000;
  }

  /**
   * The scheduled warning (once per period across instances): marks each ticket newly at risk
   * (`firstResponseWarnedAt`, set under the store's atomic update, so of two runs that overlap only
   * the one whose change sets it publishes) and publishes `first_response_at_risk` for it once.
   * Resolves with the ids warned by this run.
   */
  async warn(): Promise<string[]> {
    const now = this.clock();
    const at = now.toISOString();
    const until = new Date(now.getTime() + this.warnBeforeMs).toISOString();
    const warned: string[] = [];
    for (const candidate of await this.queries.unsettled(at, until, this.limit)) {
      if (!needsWarning(candidate, at, until)) continue;
      // Widened by hand: TypeScript does not see the assignment inside the callback.
      let marked = false as boolean;
      const updated = await this.store.update(candidate.id, (current) => {
        marked = needsWarning(current, at, until);
        return marked ? { ...current, firstResponseWarnedAt: at } : current;
      });
      if (!updated || !marked) continue;
      warned.push(updated.id);
      const event: FirstResponseAtRiskEvent = { type: 'first_response_at_risk', ticketId: updated.id, due: updated.firstResponseDue, at };
      try {
        await this.bus.publish(TICKET_TOPIC, event);
      } catch (err) {
        this.options.onError?.(err, `publish of first_response_at_risk ${updated.id}`);
      }
    }
    return warned;
  }

  /** What the console shows: at risk and breached, earliest due first. */
  async board(): Promise<ServiceLevelBoard> {
    const now = this.clock();
    const at = now.toISOString();
    const until = new Date(now.getTime() + this.warnBeforeMs).toISOString();
    const since = new Date(now.getTime() - this.lookbackMs).toISOString();
    const [unsettled, marked] = await Promise.all([this.queries.unsettled(since, until, this.limit), this.queries.breachedOpen(this.limit)]);
    const unanswered = (t: Ticket) => OPEN_STATUSES.includes(t.status) && !firstStaffResponse(t);
    const item = (t: Ticket): ServiceLevelItem => ({
      id: t.id,
      status: t.status,
      priority: t.priority,
      summary: t.summary,
      ...(t.customer.name ? { customerName: t.customer.name } : {}),
      ...(t.assignee ? { assignee: t.assignee } : {}),
      firstResponseDue: t.firstResponseDue,
      minutesLeft: Math.floor((Date.parse(t.firstResponseDue) - now.getTime()) / 60_000),
      ...(t.firstResponseBreachedAt ? { breachedAt: t.firstResponseBreachedAt } : {}),
    });
    const open = unsettled.filter(unanswered);
    // Past due but not yet marked (the check runs every minute): breached all the same.
    const breached = [...open.filter((t) => t.firstResponseDue <= at), ...marked.filter((t) => unanswered(t) && t.firstResponseDue > since)]
      .sort(byDue)
      .map(item);
    return { atRisk: open.filter((t) => t.firstResponseDue > at).map(item), breached, warnMinutes: Math.round(this.warnBeforeMs / 60_000), at };
  }

  /** Service-level events of every instance, in order, until the returned function is called. */
  subscribe(listener: ServiceLevelListener): () => void {
    return this.bus.subscribe(TICKET_TOPIC, (published: BusEvent) => {
      if (!isServiceLevelEvent(published.payload)) return;
      try {
        listener(published.payload, { id: published.id, epoch: this.bus.epoch });
      } catch (err) {
        this.options.onError?.(err, `listener of ${published.payload.type} ${published.payload.ticketId}`);
      }
    });
  }

  /** The service-level events after `afterId` of `epoch` (a console resuming its stream); null when not all are kept. */
  async eventsSince(epoch: string, afterId: number): Promise<Array<{ event: ServiceLevelEvent; meta: { id: number; epoch: string } }> | null> {
    if (epoch !== this.bus.epoch) return null;
    const events = await this.bus.since(TICKET_TOPIC, afterId);
    if (!events) return null;
    return events.filter((e) => isServiceLevelEvent(e.payload)).map((e) => ({ event: e.payload as ServiceLevelEvent, meta: { id: e.id, epoch: this.bus.epoch } }));
  }
}

/** Due in (at, until], not settled, not warned, nobody from staff has answered, still open. */
function needsWarning(t: Ticket, at: string, until: string): boolean {
  return (
    t.firstResponseWarnedAt === undefined &&
    t.firstResponseAt === undefined &&
    t.firstResponseBreachedAt === undefined &&
    t.firstResponseDue > at &&
    t.firstResponseDue <= until &&
    OPEN_STATUSES.includes(t.status) &&
    !firstStaffResponse(t)
  );
}

function byDue(a: Ticket, b: Ticket): number {
  return a.firstResponseDue < b.firstResponseDue ? -1 : a.firstResponseDue > b.firstResponseDue ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
