import type { PolicyClause } from '../knowledge/schemas.js';
import type { MessageClassifier } from './ports/MessageClassifier.js';
import { CLAUSES, type ScopeDecision } from './scope.js';

export interface TriageOutcome {
  decision: ScopeDecision;
  /** The policy rule the answer cites: the clause for out_of_scope, the advice/diagnosis rule otherwise. */
  rule: PolicyClause | null;
  /** True when the classifier is not sure enough: ask a clarifying question instead of guessing. */
  needsClarification: boolean;
}

// A ticket reference such as "T-000123": the customer is asking about an existing ticket.
const TICKET_REFERENCE = /\bt-?\d{3,}\b/i;

/**
 * Decides whose problem a message is, under the technical support policy.
 * Wraps the statistical classifier with the taxonomy's hard rules and the clause lookup.
 */
export class ScopeTriage {
  private readonly rules = new Map<string, PolicyClause>();

  constructor(
    private readonly classifier: MessageClassifier,
    clauses: readonly PolicyClause[],
    private readonly confidenceThreshold: number,
    /** Recognises an explicit request for a person inside a longer message. */
    private readonly asksForPerson: (text: string) => boolean = () => false,
  ) {
    for (const c of clauses) this.rules.set(c.id, c);
    for (const id of [...CLAUSES, 'advice_only', 'needs_diagnosis']) {
      if (!this.rules.has(id)) throw new Error(`ScopeTriage: the policy clauses have no entry for "${id}"`);
    }
  }

  /** The labels alone (what `npm run classify` prints). */
  classify(text: string): ScopeDecision {
    const raw = this.classifier.classify(text);
    // "A message that mentions several things is labelled by what the customer asks us to do."
    const asked = this.asksForPerson(text) ? { ...raw, intent: 'human' as const } : raw;
    return applyTaxonomyRules(text, asked);
  }

  triage(text: string): TriageOutcome {
    const decision = this.classify(text);
    const ruleId = decision.scope === 'out_of_scope' ? decision.clause : decision.scope;
    return {
      decision,
      rule: ruleId ? (this.rules.get(ruleId) ?? null) : null,
      needsClarification: decision.confidence < this.confidenceThreshold,
    };
  }

  clause(id: string): PolicyClause | undefined {
    return this.rules.get(id);
  }
}

/** The taxonomy's rules that hold whatever the statistics say (shared/scope-taxonomy.md). */
export function applyTaxonomyRules(text: string, d: ScopeDecision): ScopeDecision {
  if (TICKET_REFERENCE.test(text)) return { scope: 'in_scope', clause: null, intent: 'ticket_status', confidence: Math.max(d.confidence, 0.9) };
  // A bare request for a person is in scope; a greeting or small talk is off topic.
  if (d.intent === 'human' && d.scope === 'off_topic') return { ...d, scope: 'in_scope', clause: null };
  if (d.scope === 'off_topic' && (d.intent === 'troubleshoot' || d.intent === 'warranty' || d.intent === 'ticket_status')) return { ...d, intent: 'other' };
  if (d.scope !== 'off_topic' && d.intent === 'greeting') return { ...d, intent: 'troubleshoot' };
  return d;
}
