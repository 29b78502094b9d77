import { InMemoryCustomerDeliveries } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import { HandoffService, type HandoffRequest } from '../../src/domain/handoff/HandoffService.js';
import type { HandoffStore } from '../../src/domain/handoff/HandoffStore.js';
import { StaffedHours } from '../../src/domain/handoff/StaffedHours.js';
import { DeliveryError, type CustomerMessenger } from '../../src/domain/ports/CustomerMessenger.js';
import type { Actor, ConversationAddress, Ticket, TicketDraft } from '../../src/domain/tickets/Ticket.js';
import { DocumentHandoffStore } from '../../src/storage/DocumentHandoffStore.js';
import { ManualTimer, settle } from '../delivery/fakes.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';

/** Records every proactive message, by conversation id of the address; a conversation in `failFor` refuses the connection. */
export class RecordingMessenger implements CustomerMessenger {
  readonly sent: Array<{ conversation: string; text: string }> = [];
  failFor = new Set<string>();

  async send(address: ConversationAddress, text: string): Promise<void> {
    const conversation = String((address.conversation as { id?: string } | undefined)?.id);
    if (this.failFor.has(conversation)) throw new DeliveryError('unreachable: ECONNREFUSED', false);
    this.sent.push({ conversation, text });
  }

  to(conversation: string): string[] {
    return this.sent.filter((m) => m.conversation === conversation).map((m) => m.text);
  }
}

/** Records open() calls and answers with a ticket T-000001, T-000002… */
export class FakeTickets {
  readonly opened: Array<{ draft: TicketDraft; by: Actor }> = [];

  async open(draft: TicketDraft, by: Actor): Promise<Ticket> {
    this.opened.push({ draft, by });
    const at = '2024-03-04T09:00:00.000Z';
    return {
      id: `T-${String(this.opened.length).padStart(6, '0')}`,
      status: 'open',
      priority: draft.priority ?? 'normal',
      customer: draft.customer,
      summary: draft.summary,
      transcript: draft.transcript ?? [],
      firstResponseDue: at,
      createdAt: at,
      updatedAt: at,
      history: [],
      comments: [],
      address: draft.address,
    };
  }
}

/** A clock that stands still until moved. Monday 4 March 2024, 09:00 UTC by default. */
export class FixedClock {
  constructor(private current = new Date('2024-03-04T09:00:00.000Z')) {}
  readonly now = (): Date => new Date(this.current);
  advance(minutes: number): void {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

export function request(conversation: string, overrides: Partial<HandoffRequest> = {}): HandoffRequest {
  return {
    reason: 'asked',
    customer: { channelId: 'webchat', userId: `user-${conversation}`, name: `Customer ${conversation}` },
    conversationKey: `webchat/${conversation}`,
    address: { channelId: 'webchat', conversation: { id: conversation }, serviceUrl: 'http://localhost' },
    transcript: [
      { at: '2024-03-04T08:55:00.000Z', from: 'customer', text: 'my DVR stopped recording' },
      { at: '2024-03-04T08:55:01.000Z', from: 'bot', text: 'Is the disk light on?' },
    ],
    ...overrides,
  };
}

/**
 * The service on an in-memory store, its messages going out through the real delivery queue on a
 * manual timer (default timeout and retries). `channel` replaces the recording messenger.
 */
export function setup(schedule = 'Mon-Fri 08:00-18:00', timeZone = 'UTC', options: { channel?: CustomerMessenger } = {}) {
  const documents = new MemoryDocumentStore();
  const store = new DocumentHandoffStore(documents);
  const messenger = new RecordingMessenger();
  const tickets = new FakeTickets();
  const clock = new FixedClock();
  const timer = new ManualTimer();
  const errors: Array<{ err: unknown; context: string }> = [];
  const deliveries = new InMemoryCustomerDeliveries(options.channel ?? messenger, { timer, onError: (err, context) => errors.push({ err, context }) });
  const service = new HandoffService(store, tickets, deliveries, new StaffedHours(schedule, timeZone), clock.now, {
    averageMinutes: 6,
    onError: (err, context) => errors.push({ err, context }),
  });
  /** Runs every enqueued message to its outcome (moving the manual timer through timeouts and retries). */
  const settleDeliveries = () => settle(deliveries, timer);
  return { documents, store, messenger, tickets, clock, timer, deliveries, service, errors, settle: settleDeliveries };
}

/**
 * A HandoffService on a given store (24x7, average 6 minutes), with its own delivery queue: two of
 * them on one store are two instances of the bot sharing a database.
 */
export function serviceOn(store: HandoffStore, clock: FixedClock = new FixedClock()) {
  const messenger = new RecordingMessenger();
  const timer = new ManualTimer();
  const deliveries = new InMemoryCustomerDeliveries(messenger, { timer });
  const service = new HandoffService(store, new FakeTickets(), deliveries, new StaffedHours('24x7'), clock.now, { averageMinutes: 6 });
  return { service, messenger, deliveries, settle: () => settle(deliveries, timer) };
}
