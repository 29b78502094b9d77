import stemmers from 'natural/lib/natural/stemmers/index.js';
import type { Lexicon } from '../knowledge/schemas.js';

const { PorterStemmer } = stemmers;

// Function words that carry no support meaning. Negations and "my/our/your" are kept on purpose:
// "not recording" and "my router" vs "your app" matter to the policy.
const STOPWORDS = new Set(
  'a an the and or but if then so of to in on at by for with from as is are was were be been being am i me we us it its this that these those there here do does did have has had would should could will shall can may might just also very really please pls plz some any all about into over after before again too than'.split(
    ' ',
  ),
);
const NEGATIONS = new Set(['not', 'no', 'never', 'cannot', 'cant', 'nothing', 'without', 'none']);

/** Lower-cases, unifies quotes and expands the contractions that hide a negation. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u0060\u00b4]/g, "'")
    .replace(/\b(can)'?t\b/g, 'can not')
    .replace(/\bwon'?t\b/g, 'will not')
    .replace(/\b(do|does|did|is|are|was|were|has|have|had|could|would|should)n'?t\b/g, '$1 not')
    .replace(/n't\b/g, ' not');
}

export function wordsOf(normalised: string): string[] {
  return normalised.match(/[a-z0-9]+(?:[-&][a-z0-9]+)*/g) ?? [];
}

/** Features about the message's shape rather than its words; they alone are no evidence of meaning. */
export const SHAPE_FEATURES: ReadonlySet<string> = new Set(['len:short', 'f:noDomain']);

interface LexiconEntry {
  feature: string;
  words: string[];
}

/** Replaces a word the models do not know by the vocabulary word it most likely misspells. */
export interface WordCorrector {
  correct(word: string): string;
}

/**
 * What differs between the languages the classifiers read; everything else about the features
 * (bigrams, negation marks, lexicon matching, shape features) is the same for all of them.
 */
export interface LanguageRules {
  /** The message's words as the models see them (normalised, misspellings or chat spellings fixed). */
  words(text: string): string[];
  /** The words of a lexicon phrase, to match against `words` of a message. */
  phraseWords(phrase: string): string[];
  /** The token a content word stands as: its stem in English, the word itself in Vietnamese. */
  stem(word: string): string;
  negations: ReadonlySet<string>;
  stopwords: ReadonlySet<string>;
  /** How many content words after a negation it colours ("not recording" → neg:record). */
  negationReach: number;
  /** How many words apart another maker's brand and our device name make that maker's device. */
  brandNextToDevice: number;
}

/** Lexicon phrases match English words after normalisation but before spelling correction. */
export function englishRules(
  /** Spelling tolerance: applied to every word of a message before stemming and lexicon matching. */
  corrector?: WordCorrector,
): LanguageRules {
  return {
    words: (text) => {
      const words = wordsOf(normaliseText(text));
      return corrector ? words.map((w) => corrector.correct(w)) : words;
    },
    phraseWords: (phrase) => wordsOf(normaliseText(phrase)),
    stem: (word) => PorterStemmer.stem(word),
    negations: NEGATIONS,
    stopwords: STOPWORDS,
    negationReach: 3,
    // "lorex dvr", "the nvr from uniview"
    brandNextToDevice: 3,
  };
}

/**
 * Turns a message into the tokens the classifiers see: stemmed words, stemmed bigrams,
 * negated stems ("neg:record" for "not recording") and lexicon features ("f:otherBrand"),
 * in the language its rules describe: `englishRules`, or `foldedRules` (Vietnamese).
 */
export class TextFeatures {
  /** Lexicon phrases by their first word, so a message is matched in one pass over its words. */
  private readonly entriesByFirstWord = new Map<string, LexiconEntry[]>();

  constructor(
    lexicon: Lexicon,
    private readonly rules: LanguageRules,
  ) {
    for (const [name, phrases] of Object.entries(lexicon)) {
      for (const phrase of phrases) {
        const words = rules.phraseWords(phrase);
        const first = words[0];
        if (first === undefined) continue;
        this.entriesByFirstWord.set(first, [...(this.entriesByFirstWord.get(first) ?? []), { feature: `f:${name}`, words }]);
      }
    }
  }

  /** The message's words as the models see them. */
  words(text: string): string[] {
    return this.rules.words(text);
  }

  /** The message's words and the names of the lexicon lists it matches (what the taxonomy's rules look at). */
  read(text: string): { words: string[]; lexicon: Set<string> } {
    const words = this.words(text);
    return { words, lexicon: new Set([...this.lexiconFeatures(words)].map((f) => f.slice('f:'.length))) };
  }

  extract(text: string): string[] {
    const { negations, stopwords, negationReach } = this.rules;
    const words = this.words(text);
    const tokens: string[] = [];
    const content: string[] = [];
    let negateNext = 0;
    for (const word of words) {
      if (negations.has(word)) {
        tokens.push('w:not');
        negateNext = negationReach; // a negation colours the next few content words
        continue;
      }
      if (stopwords.has(word)) continue;
      const stem = /^\d+$/.test(word) ? '<num>' : this.rules.stem(word);
      content.push(stem);
      tokens.push(stem);
      if (negateNext > 0) {
        tokens.push(`neg:${stem}`);
        negateNext -= 1;
      }
    }
    for (let i = 1; i < content.length; i += 1) tokens.push(`b:${content[i - 1]}_${content[i]}`);
    for (const feature of this.lexiconFeatures(words)) tokens.push(feature);
    if (words.length <= 4) tokens.push('len:short');
    return tokens;
  }

  private lexiconFeatures(words: readonly string[]): Set<string> {
    const found = new Set<string>();
    const positions = new Map<string, number[]>();
    words.forEach((word, at) => {
      for (const entry of this.entriesByFirstWord.get(word) ?? []) {
        if (!startsAt(words, entry.words, at)) continue;
        found.add(entry.feature);
        positions.set(entry.feature, [...(positions.get(entry.feature) ?? []), at]);
      }
    });
    // Our device and another maker's gear in one message is the policy's hardest case: mark it.
    if (found.has('f:ourDevice') && (found.has('f:otherBrand') || found.has('f:networkGear'))) found.add('f:ourAndTheirs');
    // Another maker's recorder or camera, not ours: its brand within a few words of the device.
    const brands = positions.get('f:otherBrand') ?? [];
    const devices = positions.get('f:ourDevice') ?? [];
    const reach = this.rules.brandNextToDevice;
    if (brands.some((b) => devices.some((d) => Math.abs(d - b) <= reach))) found.add('f:otherBrandDevice');
    // Nothing from any support vocabulary: the strongest sign of an off-topic message, which
    // otherwise has only unknown words and would fall to the largest class.
    if (![...found].some((f) => f !== 'f:greeting')) found.add('f:noDomain');
    return found;
  }
}

function startsAt(words: readonly string[], seq: readonly string[], at: number): boolean {
  for (let j = 0; j < seq.length; j += 1) if (words[at + j] !== seq[j]) return false;
  return true;
}
