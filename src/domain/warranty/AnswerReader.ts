/** The phrases the warranty questions' answers are read with (knowledge/warranty/answers/phrases.json). */
export interface AnswerPhrases {
  unknown: {
    /** Said anywhere in the answer, as whole words: "not sure", "no idea", "maybe". */
    phrases: readonly string[];
    /** "can't", "unable to": followed within two words by one of `verbs`, the customer cannot find out. */
    cannot: readonly string[];
    verbs: readonly string[];
  };
  /** At the phone-number question: there is no number on the device ("none", "no sticker"). */
  noNumber: readonly string[];
}

/**
 * Lower case, apostrophes dropped ("can't" and "cant" are one word), anything else that is not a
 * letter or digit a blank. Phrases and answers both go through it.
 */
export function normaliseAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/['’‘`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (phrases: readonly string[]) =>
  [...new Set(phrases.map(normaliseAnswer).filter((p) => p !== ''))]
    .sort((a, b) => b.length - a.length)
    .map((p) => escape(p).replace(/ /g, '\\s+'))
    .join('|');

/**
 * Reads what a customer answers to a warranty question. An answer that admits not knowing is an
 * unknown fact, never a "no": "I don't know, I can't reach it, it's on the ceiling" must not be
 * taken as "there is no phone number on the device".
 */
export class AnswerReader {
  private readonly unknown: RegExp;
  private readonly noNumber: RegExp;

  constructor(phrases: AnswerPhrases) {
    const { unknown } = phrases;
    // Up to two words between "can't" and the verb: "can't really check", "couldn't easily get to".
    this.unknown = new RegExp(`\\b(?:${alternation(unknown.phrases)})\\b|\\b(?:${alternation(unknown.cannot)})(?:\\s+\\S+){0,2}?\\s+(?:${alternation(unknown.verbs)})\\b`, 'u');
    this.noNumber = new RegExp(`\\b(?:${alternation(phrases.noNumber)})\\b`, 'u');
  }

  /** The customer says they do not know or cannot check. A bare "?" counts too. */
  isUnknown(text: string): boolean {
    if (/^\s*\?+\s*$/.test(text)) return true;
    return this.unknown.test(normaliseAnswer(text));
  }

  /** At the phone question: the customer says the device carries no number (checked after `isUnknown`). */
  saysNoNumber(text: string): boolean {
    return this.noNumber.test(normaliseAnswer(text));
  }
}
