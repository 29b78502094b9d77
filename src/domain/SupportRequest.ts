import type { ScopeDecision } from './scope.js';
import type { TranscriptLine } from './tickets/Ticket.js';

/**
 * A customer's request for a person or a ticket, recorded on the conversation. The handoff
 * issue turns these into queue entries for staff; until then they are kept with the conversation.
 */
export interface SupportRequest {
  kind: 'human' | 'ticket';
  requestedAt: string;
  /** What the customer described, and what the bot concluded about it, when known. */
  summary?: string;
  triage?: ScopeDecision;
  guideTried?: string;
  /** The warranty check made in the conversation, when there was one. */
  warranty?: WarrantySummary;
}

/** What a ticket needs to know of a warranty check. */
export interface WarrantySummary {
  serial: string;
  model: string;
  category: string;
  /** `conditional`: within the period, covered if staff confirm what the customer could not tell (`toVerify`). */
  status: 'covered' | 'conditional' | 'not_covered' | 'expired';
  coveredUntil: string;
  reasons: string[];
  chargeable: boolean;
}

/** What the bot remembers about a conversation beyond the dialog stack. */
export interface ConversationRecord {
  requests: SupportRequest[];
  lastTriage?: ScopeDecision & { text: string };
  /** The last warranty check of the conversation, for a ticket or a person. */
  lastWarranty?: WarrantySummary;
  /** The conversation so far (the last lines only), for staff. */
  transcript?: TranscriptLine[];
  /** Times the bot failed to help: a low-confidence guess or a guide that did not fix it. */
  failures?: number;
}

export const emptyConversationRecord = (): ConversationRecord => ({ requests: [] });
