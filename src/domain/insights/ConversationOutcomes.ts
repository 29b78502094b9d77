import type { HandoffReason } from '../handoff/Handoff.js';
import type { Scope } from '../scope.js';

/**
 * What happened in a conversation, recorded for the vendor's Insights: one event per fact, free of
 * personal data (no text, no names, no serials, no addresses). `conversation` is an opaque hash of
 * the conversation key, so events of one conversation can be counted together and nothing more.
 */
export type OutcomeFact =
  | {
      kind: 'triaged';
      scope: Scope;
      clause: string | null;
      intent: string;
      guide?: string;
      language?: string;
      /**
       * Which problem of the conversation this decides (1, 2, …): a clarified triage of the same
       * message carries the same number and replaces the earlier guess in the figures.
       */
      request?: number;
    }
  /** A troubleshooting guide was shown (its id): the topic of an in-scope request. */
  | { kind: 'guide_shown'; guide: string }
  | { kind: 'resolved_by_bot'; guide?: string }
  | { kind: 'ticket_opened'; ticketId: string }
  | { kind: 'ticket_resolved'; ticketId: string }
  /** `handoffId` is null for `after_hours`: nobody was staffed, so no handoff was queued (a ticket was offered). */
  | { kind: 'handoff'; trigger: HandoffTrigger; handoffId: string | null }
  | { kind: 'handoff_accepted'; handoffId: string; waitSeconds: number }
  | { kind: 'handoff_closed'; handoffId: string }
  | { kind: 'abandoned' }
  | { kind: 'warranty_checked'; status: 'covered' | 'not_covered' | 'expired' | 'conditional' }
  | { kind: 'csat'; rating: 1 | 2 | 3 | 4 | 5; hasComment: boolean; after: CsatMoment }
  | { kind: 'first_response'; ticketId: string; dueAt: string; respondedAt: string | null; kept: boolean };

export type OutcomeKind = OutcomeFact['kind'];

/** Why a person was brought in: the handoff reasons, plus the after-hours offer (a ticket instead of a person). */
export type HandoffTrigger = HandoffReason | 'after_hours';

export const HANDOFF_TRIGGERS = ['asked', 'not_helping', 'negative_sentiment', 'after_hours'] as const satisfies readonly HandoffTrigger[];

/** The moments a satisfaction rating is asked for. */
export type CsatMoment = 'guide_fixed' | 'handoff_closed' | 'ticket_resolved';

export interface OutcomeEvent {
  /** Opaque (hashed) conversation id: outcomeConversationId(conversationKey). */
  conversation: string;
  /** "webchat", "msteams", "slack", "directline", … */
  channel: string;
  /** ISO 8601. */
  at: string;
  fact: OutcomeFact;
}

/** The port the store adapters implement (lowdb documents, a PostgreSQL table). Append-only. */
export interface ConversationOutcomes {
  /** Resolves once the event is durable (fsync'd file / committed row). */
  record(event: OutcomeEvent): Promise<void>;
}

/** A conversation with a support request not yet ended (resolved, ticket, handoff), and when the customer last wrote. */
export interface WatchedConversation {
  conversation: string;
  channel: string;
  lastMessageAt: string;
}

/**
 * The conversations that may be abandoned: a support request starts watching one, every customer
 * message moves its time on, an ending (resolved, ticket, handoff) stops watching it. The
 * abandoned-conversation job takes the ones idle too long.
 */
export interface ConversationWatch {
  /** Starts watching (or keeps watching) with `at` as the last customer message. */
  watch(conversation: string, channel: string, at: string): Promise<void>;
  /** A customer message: moves the time on when the conversation is watched, nothing otherwise. */
  touch(conversation: string, at: string): Promise<void>;
  /** The request ended: no longer watched. */
  unwatch(conversation: string): Promise<void>;
  /**
   * Takes (stops watching) at most `limit` conversations whose last customer message is before
   * `before` and records an `abandoned` event at `at` for each, atomically where the engine can
   * (PostgreSQL: one statement); returns them.
   */
  abandonIdle(before: string, at: string, limit: number): Promise<WatchedConversation[]>;
}
