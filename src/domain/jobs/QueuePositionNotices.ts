import { randomUUID } from 'node:crypto';
import type { CustomerDeliveries } from '../delivery/CustomerDeliveries.js';
import type { Handoff } from '../handoff/Handoff.js';
import type { DocumentStore } from '../ports/DocumentStore.js';

/** Where the notices remember what each waiting customer was last told: one small document per waiting handoff. */
export const QUEUE_NOTICES_COLLECTION = 'queue-notices';

/** What was last seen of one waiting customer's place. */
interface NoticeRecord {
  position: number;
  /** When the customer was last told their place (by this job, by the queue moving, or on joining it). */
  toldAt: string;
}

/** The slice of the handoff service the notices need. */
export interface WaitingQueue {
  /** Waiting handoffs, oldest request first: a handoff's place is its index + 1. */
  list(status: 'waiting'): Promise<Handoff[]>;
  estimateMinutes(position: number): number;
}

export interface QueuePositionNoticesOptions {
  /** A customer whose place has not changed hears from us at most this often. Default 5 minutes. */
  everyMs?: number;
}

/**
 * Queue-position notices (a scheduled job, once across instances): a customer who has waited in
 * the handoff queue for `everyMs` without their place changing is told "you're still number N,
 * about M minutes", through the delivery queue, and then again every `everyMs` at most.
 *
 * The customer is told their place when they join and whenever it changes (HandoffService);
 * this job records the place it last saw per waiting handoff (documents in `queue-notices`) and
 * counts a changed place as a notice just given. Records of handoffs no longer waiting are removed.
 */
export class QueuePositionNotices {
  private readonly everyMs: number;

  constructor(
    private readonly queue: WaitingQueue,
    private readonly deliveries: Pick<CustomerDeliveries, 'enqueue'>,
    private readonly documents: DocumentStore,
    private readonly clock: () => Date,
    options: QueuePositionNoticesOptions = {},
  ) {
    this.everyMs = options.everyMs ?? 5 * 60 * 1000;
    if (!(this.everyMs > 0)) throw new Error(`QueuePositionNotices: options.everyMs must be a positive number (got ${this.everyMs})`);
  }

  /** One pass over the queue; resolves with the handoffs told their place now. */
  async run(): Promise<string[]> {
    const now = this.clock();
    const at = now.toISOString();
    const waiting = await this.queue.list('waiting');
    const records = new Map((await this.documents.list<NoticeRecord>(QUEUE_NOTICES_COLLECTION)).map((d) => [d.id, d.value]));
    const told: string[] = [];
    for (const [index, handoff] of waiting.entries()) {
      const position = index + 1;
      const seen = records.get(handoff.id);
      records.delete(handoff.id);
      if (seen && seen.position !== position) {
        // The queue moved: the customer was just told their new place.
        await this.documents.write<NoticeRecord>(QUEUE_NOTICES_COLLECTION, handoff.id, { position, toldAt: at });
        continue;
      }
      // Joining the queue told them their place.
      const toldAt = seen?.toldAt ?? handoff.requestedAt;
      if (now.getTime() - Date.parse(toldAt) < this.everyMs) {
        if (!seen) await this.documents.write<NoticeRecord>(QUEUE_NOTICES_COLLECTION, handoff.id, { position, toldAt });
        continue;
      }
      // Recorded first: a failed write must not turn into a notice every run.
      await this.documents.write<NoticeRecord>(QUEUE_NOTICES_COLLECTION, handoff.id, { position, toldAt: at });
      this.deliveries.enqueue({
        id: randomUUID(),
        conversationKey: handoff.conversationKey,
        address: handoff.address,
        text: stillWaitingMessage(position, this.queue.estimateMinutes(position)),
        subject: { kind: 'handoff', handoffId: handoff.id },
      });
      told.push(handoff.id);
    }
    // Whatever is left is about handoffs no longer waiting.
    if (records.size > 0) await this.documents.delete(QUEUE_NOTICES_COLLECTION, [...records.keys()]);
    return told;
  }
}

/** What a customer whose place has not changed is told. */
export function stillWaitingMessage(position: number, minutes: number): string {
  const place = position === 1 ? "You're still next in the queue" : `You're still number ${position} in the queue`;
  return `${place}. Estimated wait: about ${minutes} minute${minutes === 1 ? '' : 's'}. Thanks for waiting.`;
}
