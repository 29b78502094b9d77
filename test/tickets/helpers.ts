import type { Ticket } from '../../src/domain/tickets/Ticket.js';
import type { TicketNotifier } from '../../src/domain/tickets/TicketStore.js';

/** A notifier that remembers what the customer would have been told. */
export class RecordingNotifier implements TicketNotifier {
  readonly sent: Array<{ id: string; message: string }> = [];
  failWith: Error | null = null;

  async ticketChanged(ticket: Ticket, message: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ id: ticket.id, message });
  }
}

/** A clock the test moves by hand. */
export function manualClock(start = '2025-03-01T09:00:00.000Z'): { now: () => Date; advance: (ms: number) => void } {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}
