/**
 * The support-policy labels from shared/scope-taxonomy.md. Every classifier output,
 * test and benchmark uses exactly these strings.
 */
export const SCOPES = ['in_scope', 'out_of_scope', 'advice_only', 'needs_diagnosis', 'off_topic'] as const;
export type Scope = (typeof SCOPES)[number];

/** Clauses exist only with `out_of_scope`. */
export const CLAUSES = ['third_party_equipment', 'applications', 'customer_network', 'data_backup'] as const;
export type Clause = (typeof CLAUSES)[number];

export const INTENTS = ['troubleshoot', 'warranty', 'ticket_status', 'human', 'greeting', 'other'] as const;
export type Intent = (typeof INTENTS)[number];

/** What the triage decided about one customer message. */
export interface ScopeDecision {
  scope: Scope;
  clause: Clause | null;
  intent: Intent;
  /** 0..1: how sure the classifier is of the scope (and clause) it chose. */
  confidence: number;
  /**
   * The language the message is written in, when it is one the bot does not speak (ISO 639-1, or
   * ISO 639-3 where there is none): absent for English. Staff see it on the handoff or ticket.
   */
  language?: string;
}

/** The decision alone (a remembered triage also holds the message's text): what a ticket or handoff records. */
export function decisionOnly(d: ScopeDecision): ScopeDecision {
  return { scope: d.scope, clause: d.clause, intent: d.intent, confidence: d.confidence, ...(d.language ? { language: d.language } : {}) };
}
