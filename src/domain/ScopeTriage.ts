import type { LanguageReplies, PolicyClause } from '../knowledge/schemas.js';
import type { MessageClassifier } from './ports/MessageClassifier.js';
import { CLAUSES, type ScopeDecision } from './scope.js';

/** A language the bot does not speak, recognised in a message, with what to say in it. */
export interface RecognisedLanguage {
  /** ISO 639-1 where there is one ("vi"), else ISO 639-3. */
  code: string;
  /** Its English name, for staff ("Vietnamese"). */
  name: string;
  /** The sentences to answer with: in that language, or the English fallback. */
  replies: LanguageReplies;
}

/** What the language side read in a message: the taxonomy's rules depend on what it names. */
export interface MessageReading {
  /** The message's words, normalised and with misspellings corrected. */
  words: readonly string[];
  /** The lexicon lists (knowledge/language/lexicon.json) the message matches: "ourDevice", "customerNetwork", … */
  lexicon: ReadonlySet<string>;
}

export interface TriageOutcome {
  decision: ScopeDecision;
  /** The policy rule the answer cites: the clause for out_of_scope, the advice/diagnosis rule otherwise. */
  rule: PolicyClause | null;
  /** True when the classifier is not sure enough: ask a clarifying question instead of guessing. */
  needsClarification: boolean;
  /** Set when the message is in a language the bot does not speak: answer in it, offer a person or a ticket. */
  language: RecognisedLanguage | null;
  /** The rule's advice for what the message is about (Wi-Fi, VPN, …), from the clause's `advice`. */
  advice: string[];
}

export interface ScopeTriageOptions {
  /** Recognises an explicit request for a person inside a longer message. */
  asksForPerson?: (text: string) => boolean;
  /** Recognises a language the bot does not speak; null for English or when unsure. */
  recogniseLanguage?: (text: string) => RecognisedLanguage | null;
  /** Reads the words and lexicon lists of a message. */
  read?: (text: string) => MessageReading;
}

// A ticket reference such as "T-000123": the customer is asking about an existing ticket.
const TICKET_REFERENCE = /\bt-?\d{3,}\b/i;

/** Lexicon lists the taxonomy's rules look at: our devices, and remote-viewing symptoms ("offline", "away from home"). */
const OURS = ['ourDevice', 'remoteAccess'];
/** The customer_network clause's own items (VPN, NetBIOS, WINS, …) and the customer's home or office network (Wi-Fi). */
const CUSTOMER_NETWORK_ITEMS = ['customerNetwork', 'homeNetwork'];

const NOTHING_READ: MessageReading = { words: [], lexicon: new Set() };

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
    private readonly options: ScopeTriageOptions = {},
  ) {
    for (const c of clauses) this.rules.set(c.id, c);
    for (const id of [...CLAUSES, 'advice_only', 'needs_diagnosis']) {
      if (!this.rules.has(id)) throw new Error(`ScopeTriage: the policy clauses have no entry for "${id}"`);
    }
  }

  /** The labels alone (what `npm run classify` prints). */
  classify(text: string): ScopeDecision {
    return this.decide(text).decision;
  }

  triage(text: string): TriageOutcome {
    const { decision, language, read } = this.decide(text);
    const ruleId = decision.scope === 'out_of_scope' ? decision.clause : decision.scope;
    const rule = ruleId ? (this.rules.get(ruleId) ?? null) : null;
    return {
      decision,
      rule,
      // A message the models cannot read is not "unclear": the language answer handles it.
      needsClarification: language === null && decision.confidence < this.confidenceThreshold,
      language,
      advice: rule?.advice ? adviceFor(rule, read().words) : [],
    };
  }

  clause(id: string): PolicyClause | undefined {
    return this.rules.get(id);
  }

  private decide(text: string): { decision: ScopeDecision; language: RecognisedLanguage | null; read: () => MessageReading } {
    // Read only when a rule needs it (a needs_diagnosis decision, a clause with advice): it costs as much as the features.
    let reading: MessageReading | undefined;
    const read = () => (reading ??= this.options.read?.(text) ?? NOTHING_READ);
    const language = this.options.recogniseLanguage?.(text) ?? null;
    // The models read English only: a message in another language is a support request they cannot
    // place (confidence 0), carrying its language to whoever takes it over.
    if (language) return { decision: { scope: 'in_scope', clause: null, intent: 'other', confidence: 0, language: language.code }, language, read: () => NOTHING_READ };
    const raw = this.classifier.classify(text);
    // "A message that mentions several things is labelled by what the customer asks us to do."
    const asked = this.options.asksForPerson?.(text) ? { ...raw, intent: 'human' as const } : raw;
    return { decision: applyTaxonomyRules(text, asked, read), language: null, read };
  }
}

/** The taxonomy's rules that hold whatever the statistics say (shared/scope-taxonomy.md). */
export function applyTaxonomyRules(text: string, d: ScopeDecision, read: () => MessageReading = () => NOTHING_READ): ScopeDecision {
  if (TICKET_REFERENCE.test(text)) return { scope: 'in_scope', clause: null, intent: 'ticket_status', confidence: Math.max(d.confidence, 0.9) };
  // A bare request for a person is in scope; a greeting or small talk is off topic.
  if (d.intent === 'human' && d.scope === 'off_topic') return { ...d, scope: 'in_scope', clause: null };
  if (d.scope === 'off_topic' && (d.intent === 'troubleshoot' || d.intent === 'warranty' || d.intent === 'ticket_status')) return { ...d, intent: 'other' };
  if (d.scope !== 'off_topic' && d.intent === 'greeting') return { ...d, intent: 'troubleshoot' };
  // needs_diagnosis asks whether *our device* routes TCP/IP. A VPN, Wi-Fi or other customer-network
  // matter with neither a device of ours nor a remote-viewing symptom in the message has nothing of
  // ours to check: the policy names it as the customer's outright.
  if (d.scope === 'needs_diagnosis') {
    const { lexicon } = read();
    if (!OURS.some((l) => lexicon.has(l)) && CUSTOMER_NETWORK_ITEMS.some((l) => lexicon.has(l))) return { ...d, scope: 'out_of_scope', clause: 'customer_network' };
  }
  return d;
}

/** The clause's advice entries whose words occur in the message, in the clause's order. */
function adviceFor(rule: PolicyClause, words: readonly string[]): string[] {
  if (!rule.advice) return [];
  const present = new Set(words);
  return rule.advice.filter((a) => a.about.some((w) => present.has(w))).flatMap((a) => a.lines);
}
