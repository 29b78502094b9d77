/**
 * Tells whether a customer message is strongly negative (angry, fed up): one of the handoff
 * triggers. The language layer implements it (natural's sentiment analyser); dialogs and tests
 * depend only on this port.
 */
export interface SentimentDetector {
  isStronglyNegative(text: string): boolean;
}
