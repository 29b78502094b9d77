import type { InterruptionPhrases } from '../knowledge/schemas.js';

export type Interruption = 'help' | 'cancel' | 'startOver' | 'human' | 'policy';

/** Lower case, punctuation and extra spaces removed: "Talk to a person!!" → "talk to a person". */
export function normalisePhrase(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Recognises the global commands that work at any turn. Only a whole message counts, so
 * "my dvr needs help recording" is a problem description, not a request for help.
 */
export class InterruptionDetector {
  private readonly phrases = new Map<string, Interruption>();

  constructor(phrases: InterruptionPhrases) {
    for (const kind of ['help', 'cancel', 'startOver', 'human', 'policy'] as const) {
      for (const p of phrases[kind]) this.phrases.set(normalisePhrase(p), kind);
    }
  }

  /**
   * True when a longer message contains an explicit request for a person ("…let me talk to a live
   * agent asap"): one of the multi-word human phrases, as whole words anywhere in the message.
   */
  asksForPerson(text: string): boolean {
    const n = ` ${normalisePhrase(text)} `;
    for (const [phrase, kind] of this.phrases) {
      if (kind === 'human' && phrase.includes(' ') && n.includes(` ${phrase} `)) return true;
    }
    return false;
  }

  detect(text: string | undefined): Interruption | null {
    if (!text) return null;
    const n = normalisePhrase(text).replace(/^(please |pls |i want to |i d like to |can i |could i |let me )/, '').replace(/ (please|pls|now)$/, '');
    return this.phrases.get(n) ?? this.phrases.get(normalisePhrase(text)) ?? null;
  }
}
