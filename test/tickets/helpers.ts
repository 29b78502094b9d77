import { InMemoryCustomerDeliveries } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import type { CustomerMessenger } from '../../src/domain/ports/CustomerMessenger.js';
import type { ConversationAddress } from '../../src/domain/tickets/Ticket.js';
import { ManualTimer, conversationOf, settle } from '../delivery/fakes.js';

/** The customers' channel: remembers what each conversation was told; `failWith` makes every send fail. */
export class RecordingNotifier implements CustomerMessenger {
  readonly sent: Array<{ conversation: string; message: string }> = [];
  failWith: Error | null = null;

  async send(address: ConversationAddress, text: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.sent.push({ conversation: conversationOf(address), message: text });
  }
}

/** The delivery queue in front of a RecordingNotifier, on a manual timer; `settle()` runs it to idle. */
export function recordingDeliveries(notifier = new RecordingNotifier()) {
  const timer = new ManualTimer();
  const deliveries = new InMemoryCustomerDeliveries(notifier, { timer });
  return { notifier, timer, deliveries, settle: () => settle(deliveries, timer) };
}

/** A clock the test moves by hand. */
export function manualClock(start = '2025-03-01T09:00:00.000Z'): { now: () => Date; advance: (ms: number) => void } {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}
