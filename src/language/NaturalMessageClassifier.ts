import classifiers from 'natural/lib/natural/classifiers/index.js';
import type { MessageClassifier, TopicMatcher } from '../domain/ports/MessageClassifier.js';
import { CLAUSES, SCOPES, type Clause, type Intent, type Scope, type ScopeDecision } from '../domain/scope.js';
import type { LabelledUtterance, TroubleshootingGuide } from '../knowledge/schemas.js';
import type { TextFeatures } from './TextFeatures.js';

// Deep import on purpose: natural's root module loads mongoose, pg and redis and prints to stdout.
const { BayesClassifier } = classifiers;
type Bayes = InstanceType<typeof BayesClassifier>;

export interface RankedLabel {
  label: string;
  probability: number;
}

/** Trains a natural BayesClassifier on feature tokens and returns normalised probabilities. */
class NormalisedBayes {
  private readonly bayes: Bayes = new BayesClassifier();
  private trained = false;

  add(tokens: string[], label: string): void {
    if (tokens.length > 0) this.bayes.addDocument(tokens, label);
  }

  train(): void {
    this.bayes.train();
    this.trained = true;
  }

  /** natural's scores do not sum to 1; they are rescaled here so they can serve as a confidence. */
  rank(tokens: string[]): RankedLabel[] {
    if (!this.trained) throw new Error('NormalisedBayes.rank(): classifier used before train()');
    const raw = this.bayes.getClassifications(tokens);
    const total = raw.reduce((sum, c) => sum + c.value, 0);
    if (!(total > 0)) {
      // Nothing known in the message (or an underflow): fall back to equal odds, i.e. no confidence.
      return raw.map((c) => ({ label: c.label, probability: 1 / raw.length }));
    }
    return raw.map((c) => ({ label: c.label, probability: c.value / total }));
  }
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
  private readonly scopeModel = new NormalisedBayes();
  private readonly intentModel = new NormalisedBayes();

  constructor(
    private readonly features: TextFeatures,
    training: readonly LabelledUtterance[],
  ) {
    if (training.length === 0) throw new Error('NaturalMessageClassifier: no training utterances');
    for (const u of training) {
      const tokens = features.extract(u.text);
      this.scopeModel.add(tokens, scopeLabel(u));
      this.intentModel.add(tokens, u.intent);
    }
    this.scopeModel.train();
    this.intentModel.train();
  }

  classify(text: string): ScopeDecision {
    const tokens = this.features.extract(text);
    const scopes = this.scopeModel.rank(tokens);
    const intents = this.intentModel.rank(tokens);
    const best = scopes[0];
    const bestIntent = intents[0];
    if (!best || !bestIntent) throw new Error('NaturalMessageClassifier.classify(): the models have no labels');
    return {
      ...parseScopeLabel(best.label),
      intent: bestIntent.label as Intent,
      confidence: round(best.probability),
    };
  }
}

/** Matches an in-scope message to a troubleshooting guide, trained on each guide's examples. */
export class NaturalTopicMatcher implements TopicMatcher {
  private readonly model = new NormalisedBayes();

  constructor(
    private readonly features: TextFeatures,
    guides: readonly TroubleshootingGuide[],
    private readonly minConfidence: number,
  ) {
    for (const guide of guides) {
      this.model.add(features.extract(guide.title), guide.id);
      for (const example of guide.examples) this.model.add(features.extract(example), guide.id);
    }
    this.model.train();
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
