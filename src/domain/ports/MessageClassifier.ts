import type { ScopeDecision } from '../scope.js';

/** The language side, as the domain sees it: text in, policy labels out. */
export interface MessageClassifier {
  classify(text: string): ScopeDecision;
}

/** Picks the troubleshooting guide for an in-scope message. */
export interface TopicMatcher {
  match(text: string): { topicId: string; confidence: number } | null;
}
