import type { ScopeDecision } from './scope.js';

/**
 * A triage as staff read it, in words: "Our product — troubleshooting, sure", "Customer's
 * responsibility: other manufacturers' equipment". The labels are the taxonomy's
 * (shared/scope-taxonomy.md); the confidence becomes a word so nobody reads "99%" as a fact.
 */
const SCOPE_WORDS: Record<ScopeDecision['scope'], string> = {
  in_scope: 'Our product',
  out_of_scope: "Customer's responsibility",
  advice_only: 'Advice only (firewall / filter rules)',
  needs_diagnosis: 'Network symptom: check our device first',
  off_topic: 'Not a support question',
};

const CLAUSE_WORDS: Record<NonNullable<ScopeDecision['clause']>, string> = {
  third_party_equipment: "other manufacturers' equipment",
  applications: 'applications (email, web hosting, file sharing)',
  customer_network: "the customer's network",
  data_backup: 'backups and lost data',
};

const INTENT_WORDS: Record<ScopeDecision['intent'], string> = {
  troubleshoot: 'troubleshooting',
  warranty: 'warranty',
  ticket_status: 'ticket status',
  human: 'asked for a person',
  greeting: 'greeting',
  other: 'other',
};

const sureness = (confidence: number) => (confidence >= 0.9 ? 'sure' : confidence >= 0.7 ? 'fairly sure' : 'unsure');

export function triageInWords(t: Pick<ScopeDecision, 'scope' | 'clause' | 'intent' | 'confidence'>): string {
  const what = t.clause ? `${SCOPE_WORDS[t.scope]}: ${CLAUSE_WORDS[t.clause]}` : SCOPE_WORDS[t.scope];
  return `${what} — ${INTENT_WORDS[t.intent]}, ${sureness(t.confidence)}`;
}
