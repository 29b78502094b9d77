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
  /**
   * True when `language` is one the bot triages with a classifier of its own (Vietnamese): the
   * decision is a real triage (scope, clause, intent, with `decision.language`), to be answered in
   * that language rather than with the plain person-or-ticket offer.
   */
  triagedInLanguage: boolean;
  /** The rule's advice for what the message is about (Wi-Fi, VPN, …), from the clause's `advice`. */
  advice: string[];
  /**
   * Set when the message holds a problem of ours and one that is the customer's ("my DVR stopped
   * recording, and can you fix the Wi-Fi on my TP-Link router?"): the decision is ours, `ours` is
   * the text to act on, and each part in `theirs` is said to be the customer's with its clause.
   */
  mixed: MixedMessage | null;
}

/** A message that holds our problem and the customer's. */
export interface MixedMessage {
  /** The parts about our device, joined: what the guide, diagnosis or warranty check works from. */
  ours: string;
  /** The parts the policy leaves to the customer, each with the clause that says so. */
  theirs: Array<{ text: string; rule: PolicyClause }>;
}

export interface ScopeTriageOptions {
  /** Recognises an explicit request for a person inside a longer message. */
  asksForPerson?: (text: string) => boolean;
  /** Recognises a language the bot does not speak; null for English or when unsure. */
  recogniseLanguage?: (text: string) => RecognisedLanguage | null;
  /** Reads the words and lexicon lists of a message. */
  read?: (text: string) => MessageReading;
  /** Languages triaged by their own classifier, by ISO 639-1 code (Vietnamese); the others get today's offer. */
  languageTriage?: ReadonlyMap<string, LanguageTriage>;
}

/** A language besides English with a classifier of its own, and the reader its taxonomy rules use. */
export interface LanguageTriage {
  classifier: MessageClassifier;
  read: (text: string) => MessageReading;
}

// A ticket reference such as "T-000123": the customer is asking about an existing ticket.
const TICKET_REFERENCE = /\bt-?\d{3,}\b/i;

/** Lexicon lists the taxonomy's rules look at: our devices, and remote-viewing symptoms ("offline", "away from home"). */
const OURS = ['ourDevice', 'remoteAccess'];
/** The customer_network clause's own items (VPN, NetBIOS, WINS, …) and the customer's home or office network (Wi-Fi). */
const CUSTOMER_NETWORK_ITEMS = ['customerNetwork', 'homeNetwork'];

const NOTHING_READ: MessageReading = { words: [], lexicon: new Set() };

/** Lexicon lists that show a part of a message is about our device or a symptom of it. */
const ABOUT_OURS = ['ourDevice', 'remoteAccess'];
/** Lexicon lists that show a part of a message is about something the policy leaves to the customer. */
const ABOUT_THEIRS = ['otherBrand', 'networkGear', 'applications', 'customerNetwork', 'homeNetwork', 'backup'];
/** The customer's router or Wi-Fi next to a network symptom of ours is the path the diagnosis checks, not a second matter. */
const NETWORK_PATH = ['networkGear', 'homeNetwork'];
/**
 * Where a message turns to another matter: sentence ends, and the joins customers use between two
 * requests ("…, and also …", "…; plus …", "… while you're at it …"). A part without one of our
 * devices or one of the customer's items in it is never acted on, so a split too many is harmless.
 */
const PART_BREAK = /(?<=[.!?;])\s+|\s*[,;]?\s*\b(?:and also|and while you(?:'|’)?re at it|while you(?:'|’)?re at it|as well as|and then|also|plus|but|and)\b\s*/i;
/** A part that says something of ours works ("the dvr is up and reachable") is context, not a problem to act on. */
const WORKS_FINE = /\b(?:works?|working|is|are|runs?|running|seems?|connects?|comes? up)\s+(?:fine|ok|okay|great|perfectly|normally|up|online|reachable|connected|on the network)\b|\b(?:connected|reachable|online)\s+(?:ok|fine)\b|\bno problem\b|\bi can (?:open|reach|see|access)\b/i;
/** A part of ours is acted on only when it reports a fault or asks for something: "the nvr is on a different run" does neither. */
const PROBLEM_OR_REQUEST = /\b(?:not|no|never|nothing|won'?t|wont|doesn'?t|doesnt|don'?t|dont|didn'?t|didnt|can'?t|cant|cannot|isn'?t|isnt|aren'?t|arent|stopped|stops|fail(?:s|ed|ing)?|error|dead|broken|blurry|lost|loss|forgot|forgotten|offline|crash(?:es|ed)?|black|blank|frozen|freez(?:es|ing)|reboot(?:s|ing)?|beeps?|beeping|slow|weak|keeps?|drop(?:s|ped|ping)?|disconnect(?:s|ed|ing)?|problems?|issues?|trouble|wrong|how|help|fix|look at|why|warranty|covered|repair|rma)\b|\?/i;

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
    const { decision, language, read, mixed, triagedInLanguage } = this.decide(text);
    const ruleId = decision.scope === 'out_of_scope' ? decision.clause : decision.scope;
    const rule = ruleId ? (this.rules.get(ruleId) ?? null) : null;
    return {
      decision,
      rule,
      // A message the models cannot read is not "unclear": the language answer handles it.
      needsClarification: (language === null || triagedInLanguage) && decision.confidence < this.confidenceThreshold,
      language,
      triagedInLanguage,
      // The clauses' advice is written in English, for English words.
      advice: rule?.advice && !triagedInLanguage ? adviceFor(rule, read().words) : [],
      mixed,
    };
  }

  clause(id: string): PolicyClause | undefined {
    return this.rules.get(id);
  }

  private decide(text: string): { decision: ScopeDecision; language: RecognisedLanguage | null; read: () => MessageReading; mixed: MixedMessage | null; triagedInLanguage: boolean } {
    // Read only when a rule needs it (a needs_diagnosis decision, a clause with advice): it costs as much as the features.
    let reading: MessageReading | undefined;
    const read = () => (reading ??= this.options.read?.(text) ?? NOTHING_READ);
    const language = this.options.recogniseLanguage?.(text) ?? null;
    // A language with a classifier of its own (Vietnamese) is triaged by it, under the same rules.
    const own = language ? this.options.languageTriage?.get(language.code) : undefined;
    if (language && own) {
      const ownRead = () => own.read(text);
      const decision = { ...applyTaxonomyRules(text, own.classifier.classify(text), ownRead), language: language.code };
      return { decision, language, read: ownRead, mixed: null, triagedInLanguage: true };
    }
    // The models read English only: a message in another language is a support request they cannot
    // place (confidence 0), carrying its language to whoever takes it over.
    if (language) return { decision: { scope: 'in_scope', clause: null, intent: 'other', confidence: 0, language: language.code }, language, read: () => NOTHING_READ, mixed: null, triagedInLanguage: false };
    const raw = this.classifier.classify(text);
    // "A message that mentions several things is labelled by what the customer asks us to do."
    const asked = this.options.asksForPerson?.(text) ? { ...raw, intent: 'human' as const } : raw;
    const decision = applyTaxonomyRules(text, asked, read);
    const mixed = decision.intent === 'human' ? null : this.mixedParts(text, decision, read);
    // Ours and the customer's in one message: labelled by our part, which is what we act on.
    if (mixed) return { decision: mixed.decision, language: null, read, mixed: mixed.message, triagedInLanguage: false };
    return { decision, language: null, read, mixed: null, triagedInLanguage: false };
  }

  /**
   * Splits a message that names both our device and something of the customer's into its parts and
   * places each: null unless at least one part is a problem of ours and another is the customer's.
   */
  private mixedParts(text: string, whole: ScopeDecision, read: () => MessageReading): { decision: ScopeDecision; message: MixedMessage } | null {
    if (whole.scope === 'advice_only' || whole.scope === 'off_topic' || whole.intent === 'ticket_status') return null;
    const { lexicon } = read();
    if (!ABOUT_OURS.some((l) => lexicon.has(l)) || !ABOUT_THEIRS.some((l) => lexicon.has(l))) return null;
    const parts = text.split(PART_BREAK).map((p) => p?.trim() ?? '').filter((p) => p.split(/\s+/).length >= 2);
    if (parts.length < 2) return null;
    const ours: Array<{ text: string; decision: ScopeDecision }> = [];
    const theirs: MixedMessage['theirs'] = [];
    for (const part of parts) {
      const partRead = () => this.options.read?.(part) ?? NOTHING_READ;
      const words = partRead().lexicon;
      const d = applyTaxonomyRules(part, this.classifier.classify(part), partRead);
      const rule = d.clause ? this.rules.get(d.clause) : undefined;
      const aboutOurDevice = words.has('ourDevice') && !words.has('otherBrand');
      const raisesSomething = PROBLEM_OR_REQUEST.test(part) && !WORKS_FINE.test(part);
      // The customer's part is a matter they raise ("can you fix the wifi on my router"), not context ("our router is a Draytek").
      if (d.scope === 'out_of_scope' && rule && ABOUT_THEIRS.some((l) => words.has(l)) && !aboutOurDevice && raisesSomething) theirs.push({ text: part, rule });
      else if (
        (d.scope === 'in_scope' || d.scope === 'needs_diagnosis') &&
        d.confidence >= this.confidenceThreshold &&
        ABOUT_OURS.some((l) => words.has(l)) &&
        !words.has('otherBrand') &&
        raisesSomething
      )
        ours.push({ text: part, decision: d });
    }
    const first = ours[0];
    if (!first || theirs.length === 0) return null;
    // A router or Wi-Fi next to a network symptom of ours is what the TCP/IP diagnosis looks at.
    if (ours.some((o) => o.decision.scope === 'needs_diagnosis') && theirs.some((t) => NETWORK_PATH.some((l) => this.options.read?.(t.text).lexicon.has(l)))) return null;
    const decision: ScopeDecision = { ...first.decision, intent: first.decision.intent === 'greeting' ? 'troubleshoot' : first.decision.intent };
    return { decision, message: { ours: ours.map((o) => o.text).join('. '), theirs } };
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
