import type { MessageClassifier, TopicMatcher } from '../domain/ports/MessageClassifier.js';
import { CLAUSES, SCOPES, type Clause, type Intent, type Scope, type ScopeDecision } from '../domain/scope.js';
import type { LabelledUtterance, TroubleshootingGuide } from '../knowledge/schemas.js';
import { NaiveBayes } from './NaiveBayes.js';
import { SHAPE_FEATURES } from './TextFeatures.js';

/** What the models read: the English TextFeatures, or FoldedTextFeatures for a language such as Vietnamese. */
export interface FeatureExtractor {
  extract(text: string): string[];
}

const SCOPE_LABEL_SEPARATOR = '/';

function scopeLabel(u: LabelledUtterance): string {
  return u.scope === 'out_of_scope' ? `${u.scope}${SCOPE_LABEL_SEPARATOR}${u.clause}` : u.scope;
}

function parseScopeLabel(label: string): { scope: Scope; clause: Clause | null } {
  const [scope, clause] = label.split(SCOPE_LABEL_SEPARATOR);
  if (!SCOPES.includes(scope as Scope)) throw new Error(`NaturalMessageClassifier: unknown scope label "${label}"`);
  const knownClause = CLAUSES.find((c) => c === clause) ?? null;
  return { scope: scope as Scope, clause: knownClause };
}

/**
 * Two naive-Bayes models over the same features: one for scope (+ clause), one for intent.
 * The confidence reported is the scope model's probability for its best label.
 */
export class NaturalMessageClassifier implements MessageClassifier {
  private readonly scopeModel = new NaiveBayes();
  private readonly intentModel = new NaiveBayes();

  constructor(
    private readonly features: FeatureExtractor,
    training: readonly LabelledUtterance[],
  ) {
    if (training.length === 0) throw new Error('NaturalMessageClassifier: no training utterances');
    for (const u of training) {
      const tokens = features.extract(u.text);
      this.scopeModel.add(tokens, scopeLabel(u));
      this.intentModel.add(tokens, u.intent);
    }
  }

  classify(text: string): ScopeDecision {
    const tokens = this.features.extract(text);
    const scopes = this.scopeModel.rank(tokens);
    const intents = this.intentModel.rank(tokens);
    const best = scopes[0];
    const bestIntent = intents[0];
    if (!best || !bestIntent) throw new Error('NaturalMessageClassifier.classify(): the models have no labels');
    // No word the models have ever seen (gibberish, another language): no confidence at all,
    // so the bot asks instead of guessing.
    const understood = tokens.some((t) => !SHAPE_FEATURES.has(t) && this.scopeModel.knows(t));
    return {
      ...parseScopeLabel(best.label),
      intent: bestIntent.label as Intent,
      confidence: understood ? round(best.probability) : 0,
    };
  }
}

/** Matches an in-scope message to a troubleshooting guide, trained on each guide's examples. */
export class NaturalTopicMatcher implements TopicMatcher {
  private readonly model = new NaiveBayes();

  constructor(
    private readonly features: FeatureExtractor,
    guides: readonly TroubleshootingGuide[],
    private readonly minConfidence: number,
  ) {
    for (const guide of guides) {
      this.model.add(features.extract(guide.title), guide.id);
      for (const example of guide.examples) this.model.add(features.extract(example), guide.id);
    }
  }

  match(text: string): { topicId: string; confidence: number } | null {
    const best = this.model.rank(this.features.extract(text))[0];
    if (!best || best.probability < this.minConfidence) return null;
    return { topicId: best.label, confidence: round(best.probability) };
  }
}

function round(p: number): number {
  return Math.round(p * 1000) / 1000;
}
