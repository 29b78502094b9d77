// Deep imports on purpose: the root 'natural' module loads its database adapters (mongoose, pg,
// redis) and prints to stdout; the analyser and the stemmer alone need none of that.
import sentiment from 'natural/lib/natural/sentiment/index.js';
import stemmers from 'natural/lib/natural/stemmers/index.js';
import type { SentimentDetector } from '../domain/handoff/SentimentDetector.js';
import { normaliseText, wordsOf } from './TextFeatures.js';

const { SentimentAnalyzer } = sentiment;
const { PorterStemmer } = stemmers;

/** At or below this score a message is strongly negative (when it also has a negative word). */
export const NEGATIVE_THRESHOLD = -0.5;
/** Taken off the score per strong cue word or phrase ("useless", "worst", "fed up"). */
const CUE_WEIGHT = 0.5;
/** Taken off the score per emphasis ("!!!", shouting in capitals). */
const EMPHASIS_WEIGHT = 0.25;
/** A negation flips the polarity of this many following words (natural flips every later word). */
const NEGATION_REACH = 3;

/**
 * Words AFINN scores negative that, in a camera-support chat, describe the fault rather than the
 * customer's mood ("recording stopped", "lost footage", "bad signal", "alarm"): scored 0.
 */
const SYMPTOM_WORDS = (
  'problem issue error crash broken break fail failure stop lost lose loss missing dead wrong stuck noisy ' +
  'unable poor weak damage drop interrupt lag bad blurry cut warning alarm alert stolen burglar intruder theft ' +
  'kill worried worry concern doubt delay disconnect offline blind urgent emergency dark blur'
).split(' ');

/** Words that on their own say the customer is angry or fed up (AFINN scores some of them mildly). */
const CUE_WORDS = (
  'useless worst furious ridiculous pathetic unacceptable terrible awful horrible hate stupid rubbish ' +
  'garbage crap scam incompetent disgusting outrageous outraged livid angry joke nonsense shambles'
).split(' ');
/** Multi-word cues, matched on the normalised text. */
const CUE_PHRASES: readonly RegExp[] = [/\bfed up\b/, /\bsick (of|and tired)\b/, /\bwaste of (my )?(time|money)\b/, /\brip ?off\b/];
/** AFINN values at or below this (profanity) count as a cue. */
const PROFANITY = -4;

export interface SentimentAnalysis {
  /** natural's AFINN score per word (symptom words 0, short-reach negation), minus the cue and emphasis weights. */
  score: number;
  /** Words with a negative mood (AFINN below 0, not a symptom word) and cue words. */
  negativeWords: string[];
  /** Strong cue words and phrases found. */
  cues: string[];
  /** "!!!"-style runs and shouting (two or more words of 3+ letters in capitals). */
  emphasis: number;
  strong: boolean;
}

/**
 * Detects strongly negative messages with natural's SentimentAnalyzer (English AFINN-165, Porter
 * stemmer) as the word lexicon, adjusted for support chats:
 *
 * - the words a fault is described with are neutral ("camera not working", "recorder crashed",
 *   "bad signal" are not anger);
 * - a negation flips only the next few words (natural's getSentiment flips every later word, so
 *   "I can't believe how useless this is" would score positive);
 * - strong cues ("useless", "worst", "fed up", profanity) and emphasis ("!!!", CAPITALS) lower the score.
 *
 * Strongly negative = score ≤ NEGATIVE_THRESHOLD (-0.5) and at least one negative mood word.
 * Measured examples are in test/handoff/sentiment.test.ts.
 */
export class NegativeSentiment implements SentimentDetector {
  private readonly analyzer = new SentimentAnalyzer('English', PorterStemmer, 'afinn');
  private readonly symptomStems = new Set(SYMPTOM_WORDS.map((w) => PorterStemmer.stem(w)));
  private readonly cueStems = new Set(CUE_WORDS.map((w) => PorterStemmer.stem(w)));
  private readonly negations = new Set(['not', 'no', 'never', 'neither', 'nor', 'cannot', 'without']);
  private readonly wordValues = new Map<string, number>();

  isStronglyNegative(text: string): boolean {
    return this.analyse(text).strong;
  }

  analyse(text: string): SentimentAnalysis {
    const normalised = normaliseText(text);
    const words = wordsOf(normalised);
    const negativeWords: string[] = [];
    const cues: string[] = [];
    let sum = 0;
    let negate = 0;
    for (const word of words) {
      if (this.negations.has(word)) {
        negate = NEGATION_REACH;
        continue;
      }
      const stem = PorterStemmer.stem(word);
      const isCue = this.cueStems.has(stem) || this.cueStems.has(word);
      let value = this.symptomStems.has(stem) || this.symptomStems.has(word) ? 0 : this.valueOf(word);
      // "not useless" is still a complaint; "not happy" turns negative, "not bad" stays neutral.
      if (negate > 0) {
        negate -= 1;
        if (!isCue) value = -value;
      }
      if (isCue || value <= PROFANITY) {
        cues.push(word);
        negativeWords.push(word);
      } else if (value < 0) {
        negativeWords.push(word);
      }
      sum += isCue ? Math.min(value, 0) : value;
    }
    for (const phrase of CUE_PHRASES) {
      const m = phrase.exec(normalised);
      if (m) {
        cues.push(m[0]);
        negativeWords.push(m[0]);
      }
    }
    const emphasis = (text.match(/!{3,}|[!?]{4,}/g) ?? []).length + (shouting(text) ? 1 : 0);
    const score = sum / Math.max(words.length, 1) - CUE_WEIGHT * cues.length - EMPHASIS_WEIGHT * emphasis;
    return { score, negativeWords, cues, emphasis, strong: negativeWords.length > 0 && score <= NEGATIVE_THRESHOLD };
  }

  /** natural's AFINN value of one word (tried as is, then stemmed), 0 when it has none. */
  private valueOf(word: string): number {
    let value = this.wordValues.get(word);
    if (value === undefined) {
      // A one-word list: getSentiment divides by the length, so this is the word's own value.
      value = this.analyzer.getSentiment([word]) || 0;
      this.wordValues.set(word, value);
    }
    return value;
  }
}

/** Two or more words of three or more letters, all in capitals: "WHY IS THIS STILL BROKEN". */
function shouting(text: string): boolean {
  return (text.match(/\b[A-Z]{3,}\b/g) ?? []).filter((w) => !/^(DVR|NVR|POE|LED|USB|WIFI|IP|APP|PTZ|SSD|HDD|CCTV|LAN|WAN)$/.test(w)).length >= 2;
}
