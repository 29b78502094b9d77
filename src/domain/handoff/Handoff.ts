import type { ScopeDecision } from '../scope.js';
import type { ConversationAddress, TicketCustomer, TranscriptLine, WarrantyCheckResult } from '../tickets/Ticket.js';

export const HANDOFF_STATUSES = ['waiting', 'active', 'closed'] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

/** Why the bot handed over: the customer asked, the bot failed to help twice, or strong negative sentiment. */
export type HandoffReason = 'asked' | 'not_helping' | 'negative_sentiment';

export interface Handoff {
  /** "H-000042". */
  id: string;
  status: HandoffStatus;
  reason: HandoffReason;
  customer: TicketCustomer;
  /** Key of the customer's conversation ("<channelId>/<conversationId>"): one open handoff per conversation. */
  conversationKey: string;
  address: ConversationAddress;
  triage?: ScopeDecision;
  warranty?: WarrantyCheckResult;
  summary?: string;
  /** The conversation before the handoff, then every relayed message. */
  transcript: TranscriptLine[];
  requestedAt: string;
  acceptedAt?: string;
  closedAt?: string;
  agent?: string;
  /** The name the customer was shown for the agent who accepted (the staff token's display name). */
  agentDisplayName?: string;
  /** Set when the agent turned the handoff into a ticket. */
  ticketId?: string;
  /**
   * Set when a message to the customer could not be delivered (after its retries); cleared by the
   * next message that is. The agent console shows it as "unreachable" with the reason.
   */
  unreachable?: { at: string; reason: string };
}

/** What the live stream of a handoff carries (the agent console listens to it). */
export type HandoffEvent =
  | { type: 'queued'; handoff: Handoff; position: number }
  | { type: 'accepted'; handoff: Handoff }
  | { type: 'message'; handoffId: string; line: TranscriptLine }
  | { type: 'closed'; handoff: Handoff }
  | { type: 'ticket'; handoffId: string; ticketId: string }
  /** A message to the customer failed for good (an agent's line: `deliveryId` is on it). */
  | { type: 'delivery_failed'; handoffId: string; deliveryId: string; reason: string; at: string }
  /** A message was delivered and that changed something: an agent's line was pending, or the handoff was unreachable. */
  | { type: 'delivered'; handoffId: string; deliveryId: string };

/** The handoff an event is about. */
export function handoffIdOf(event: HandoffEvent): string {
  return 'handoff' in event ? event.handoff.id : event.handoffId;
}
