import type { MessageSender } from '../ports/CustomerMessenger.js';
import type { ConversationAddress } from '../tickets/Ticket.js';

/**
 * What a proactive message is about: its outcome is recorded there. A `survey` message is the
 * satisfaction survey: the channel draws it as rating buttons that post `surveyId` back.
 */
export type DeliverySubject = { kind: 'handoff'; handoffId: string } | { kind: 'ticket'; ticketId: string } | { kind: 'survey'; surveyId: string };

/** One message for one customer's conversation. Plain JSON, so a database-backed queue can store it. */
export interface Delivery {
  /** Unique; an agent's transcript line carries it, so its outcome can be shown on that line. */
  id: string;
  /** "<channelId>/<conversationId>": messages with the same key arrive in the order they were enqueued. */
  conversationKey: string;
  address: ConversationAddress;
  text: string;
  subject: DeliverySubject;
  /** An agent's line: sent under the agent's name (absent: the bot's own message). */
  from?: MessageSender;
}

/** The outcome of a delivery, after its last attempt. Ids only: never the customer's text. */
export type DeliveryEvent =
  | { type: 'delivered'; id: string; conversationKey: string; subject: DeliverySubject; attempts: number }
  | {
      type: 'failed';
      id: string;
      conversationKey: string;
      subject: DeliverySubject;
      /** 0 when it was never tried (queue full, shutting down). */
      attempts: number;
      /** Short, for staff: "timed out after 10 s", "channel refused: 403", "not sent: delivery queue full". */
      reason: string;
    };

/**
 * May return a promise: the delivery counts as finished (for `idle()`, and for the next message
 * of the same conversation) only once its listeners have settled, so an outcome recorded by a
 * listener is in the store when `idle()` resolves.
 */
export type DeliveryListener = (event: DeliveryEvent) => void | Promise<void>;

/**
 * The outbox of proactive messages. Staff actions enqueue and return: they never wait on a
 * customer's channel. Delivery happens behind it with a timeout per attempt, retries, per-
 * conversation ordering and bounded concurrency; outcomes come back as events.
 *
 * In memory on the embedded store (InMemoryCustomerDeliveries); on PostgreSQL a table every
 * instance works on (storage/postgres/PgCustomerDeliveries.ts). Both are held to one contract
 * (test/delivery/deliveriesContract.ts).
 */
export interface CustomerDeliveries {
  /** Accepts the message and returns at once. Never throws: a message it cannot take is reported as `failed`. */
  enqueue(delivery: Delivery): void;
  /** Listens to outcomes until the returned function is called. */
  subscribe(listener: DeliveryListener): () => void;
  /** Resolves when nothing is queued, being sent, waiting for a retry or being reported. */
  idle(): Promise<void>;
  /**
   * For shutdown: takes no more messages (they are reported failed) and resolves once the queue is
   * idle. With a deadline, whatever has not started by then is reported failed ("shutting down")
   * and only attempts already running are waited for (each is bounded by the attempt timeout).
   * A durable queue shared by instances gives nothing up instead: it stops starting attempts, waits
   * for the running ones, and leaves the rest queued for the other instances (or its restart).
   */
  drain(deadlineMs?: number): Promise<void>;
}

/** The ordering key of a stored conversation address: "<channelId>/<conversationId>", as the bot builds it. */
export function conversationKeyOf(address: ConversationAddress): string {
  const conversation = address.conversation as { id?: unknown } | undefined;
  return `${String(address.channelId)}/${String(conversation?.id)}`;
}

/**
 * Gives an outcome to every listener (they record it on the handoff or ticket); one that fails is
 * told to `onError` and does not keep the others from running. Both queue implementations report so.
 */
export async function reportDelivery(
  listeners: ReadonlySet<DeliveryListener>,
  event: DeliveryEvent,
  onError?: (err: unknown, context: string) => void,
): Promise<void> {
  const context = `listener of delivery ${event.type} ${event.id}`;
  await Promise.all(
    [...listeners].map(async (listener) => {
      try {
        await listener(event);
      } catch (err) {
        onError?.(err, context);
      }
    }),
  );
}
