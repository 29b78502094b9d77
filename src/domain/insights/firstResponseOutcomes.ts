import type { Ticket } from '../tickets/Ticket.js';
import { ticketConversationKey } from '../tickets/TicketService.js';
import type { TicketStore } from '../tickets/TicketStore.js';
import type { OutcomeRecorder } from './OutcomeRecorder.js';

/** True when `next` settles the ticket's first response (kept or breached) and `current` had not. */
function settles(current: Ticket, next: Ticket): boolean {
  const unsettled = (t: Ticket) => t.firstResponseAt === undefined && t.firstResponseBreachedAt === undefined;
  return unsettled(current) && !unsettled(next);
}

/**
 * The ticket store as the first-response check sees it, recording a `first_response` event for
 * each ticket a change settles: kept when staff responded by the due time, breached otherwise. Only
 * the change that wins the store's update settles a ticket, so each is recorded once across instances.
 */
export function recordingSettlements(store: Pick<TicketStore, 'update'>, outcomes: Pick<OutcomeRecorder, 'record'>): Pick<TicketStore, 'update'> {
  return {
    async update(id, change) {
      let settled = false;
      const updated = await store.update(id, (current) => {
        const next = change(current);
        // Recomputed on every attempt: after a conflict `current` is the newer version.
        settled = settles(current, next);
        return next;
      });
      if (updated && settled) {
        await outcomes.record(ticketConversationKey(updated), {
          kind: 'first_response',
          ticketId: updated.id,
          dueAt: updated.firstResponseDue,
          respondedAt: updated.firstResponseAt ?? null,
          kept: updated.firstResponseBreachedAt === undefined,
        });
      }
      return updated;
    },
  };
}
