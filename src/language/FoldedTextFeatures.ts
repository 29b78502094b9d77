import type { TriageLexicon } from '../knowledge/triageLanguages.js';
import { TextFeatures, type LanguageRules } from './TextFeatures.js';

/**
 * Removes accents and tone marks and lower-cases: "Đầu ghi không" → "dau ghi khong". Many
 * Vietnamese customers type without diacritics, so the models see one spelling for both.
 */
export function foldDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

function foldedWordsOf(text: string): string[] {
  return foldDiacritics(text.normalize('NFKC')).match(/[a-z0-9]+(?:-[a-z0-9]+)*/g) ?? [];
}

/**
 * The rules of a language written in space-separated syllables (Vietnamese): diacritics folded,
 * chat spellings expanded ("ko" → "không"), no stemming. Bigrams carry the words (most Vietnamese
 * words are two syllables: "đầu ghi", "ổ cứng").
 */
export function foldedRules(lexicon: TriageLexicon): LanguageRules {
  const shorthand = new Map<string, string[]>();
  for (const [short, meaning] of Object.entries(lexicon.shorthand)) shorthand.set(foldDiacritics(short), foldedWordsOf(meaning));
  const words = (text: string) => foldedWordsOf(text).flatMap((w) => shorthand.get(w) ?? [w]);
  return {
    words,
    // Lexicon phrases are written like messages, chat spellings included.
    phraseWords: words,
    stem: (word) => word,
    negations: new Set(lexicon.negations.map(foldDiacritics)),
    stopwords: new Set(lexicon.stopwords.map(foldDiacritics)),
    // "không ghi hình được" → neg:ghi, neg:hinh, neg:duoc.
    negationReach: 3,
    // "đầu ghi hikvision", "camera ezviz": Vietnamese puts the brand after the device, a word further.
    brandNextToDevice: 4,
  };
}

/** The features of a triage language (Vietnamese): the shared extractor with that language's rules. */
export class FoldedTextFeatures extends TextFeatures {
  constructor(lexicon: TriageLexicon) {
    super(lexicon.lists, foldedRules(lexicon));
  }
}
