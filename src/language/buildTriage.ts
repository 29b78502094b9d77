import { InterruptionDetector } from '../domain/Interruptions.js';
import { ScopeTriage } from '../domain/ScopeTriage.js';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.js';
import { NaturalMessageClassifier, NaturalTopicMatcher } from './NaturalMessageClassifier.js';
import { TextFeatures } from './TextFeatures.js';

/** Below this, the guide matcher offers a list of topics instead of picking one. */
const TOPIC_MIN_CONFIDENCE = 0.45;

/** Trains the language models from the knowledge base (a few hundred ms) and wraps them in the domain service. */
export function buildTriage(knowledge: KnowledgeBase, confidenceThreshold: number): { triage: ScopeTriage; topics: NaturalTopicMatcher } {
  const features = new TextFeatures(knowledge.lexicon);
  const classifier = new NaturalMessageClassifier(features, knowledge.training);
  const interruptions = new InterruptionDetector(knowledge.interruptions);
  return {
    triage: new ScopeTriage(classifier, knowledge.clauses, confidenceThreshold, (text) => interruptions.asksForPerson(text)),
    topics: new NaturalTopicMatcher(features, knowledge.guides, TOPIC_MIN_CONFIDENCE),
  };
}
