import { francAll } from 'franc-min';

/** Below this many letters franc's trigrams are unreliable on Latin-script text: such a message is left to the English models. */
export const MIN_LATIN_LETTERS = 20;
/** At least this many words, for the same reason. */
const MIN_WORDS = 3;
/** Below this share of English words a Latin-script message may be another language. */
const MAX_ENGLISH_SHARE = 0.55;
/** Common words of one language (not also English) that, without accents, show a message is in it. */
const COMMON_WORDS_AS_EVIDENCE = 2;
/** Close runners-up (franc's score, the best being 1) among which common words may choose. */
const CLOSE_RUNNER_UP = 0.85;

export interface LanguageIdentifierOptions {
  /** ISO 639-3 codes franc may answer (the languages the bot can name); English ("eng") is always added. */
  candidates: readonly string[];
  /** Very common words per ISO 639-3 code (optional per language). */
  commonWords?: ReadonlyMap<string, ReadonlySet<string>>;
  /** True for a word that reads as English to the bot (lower case). */
  isEnglishWord: (word: string) => boolean;
}

/**
 * Recognises a message written in a language other than English, with franc (trigram language
 * identification, offline, franc-min's 82 languages), guarded where franc is weak:
 *
 * - text in another script (Han, Cyrillic, Thai, …) is never English: franc names it even when short;
 * - Latin-script text needs 20 letters and 3 words (franc's own advice for short input), fewer than
 *   55% of its words reading as English, franc's best guess not English, and evidence of its own:
 *   accented letters ("cámara", "không") or two common words of one language ("no graba nada el
 *   DVR"). Chat English ("mah kamera iz brokn") has neither. Tokens with digits (model names,
 *   serials, ticket ids) and addresses are ignored;
 * - franc chooses among the candidate languages only (which keeps it from answering Kinyarwanda for
 *   a short Spanish sentence); between close candidates, or when its choice has none of its common
 *   words, the language with the most common words in the message wins ("merci beaucoup, très
 *   gentil" is French, although franc prefers German).
 *
 * Returns franc's ISO 639-3 code, or null for English or when unsure (the English models then run).
 */
export class LanguageIdentifier {
  private readonly only: string[];

  constructor(private readonly options: LanguageIdentifierOptions) {
    this.only = [...new Set(['eng', ...options.candidates])];
  }

  identify(text: string): string | null {
    const cleaned = text
      .replace(/\b(?:https?:\/\/|www\.)\S+/gi, ' ')
      .replace(/\S+@\S+/g, ' ')
      .split(/\s+/)
      .filter((token) => !/\d/.test(token))
      .join(' ')
      .trim();
    const letters = cleaned.match(/\p{L}/gu)?.length ?? 0;
    if (letters === 0) return null;
    const latin = cleaned.match(/\p{Script=Latin}/gu)?.length ?? 0;
    if (letters - latin >= Math.max(2, letters / 2)) return named(francAll(cleaned, { only: this.only, minLength: 1 })[0]?.[0]);

    if (letters < MIN_LATIN_LETTERS) return null;
    const words = cleaned.toLowerCase().match(/\p{L}+/gu) ?? [];
    if (words.length < MIN_WORDS) return null;
    const english = words.filter((w) => this.options.isEnglishWord(w)).length;
    if (english / words.length >= MAX_ENGLISH_SHARE) return null;
    const ranked = francAll(cleaned, { only: this.only, minLength: 1 }).filter(([code]) => code !== 'und');
    if (ranked[0]?.[0] === 'eng') return null;
    const others = ranked.filter(([code]) => code !== 'eng');
    const accented = /[^\p{ASCII}]/u.test(cleaned.replace(/[^\p{L}]/gu, ''));
    // Words English shares ("no", "a", "me") are no evidence of another language.
    const foreignWords = words.filter((w) => !this.options.isEnglishWord(w));
    const mostCommonWords = Math.max(0, ...others.map(([code]) => this.commonWordsIn(code, foreignWords)));
    if (!accented && mostCommonWords < COMMON_WORDS_AS_EVIDENCE) return null;
    return this.choose(others, words);
  }

  /** franc's best, unless common words point to another close candidate (or franc's best has none of its own). */
  private choose(ranked: ReadonlyArray<[string, number]>, words: readonly string[]): string | null {
    const best = ranked[0];
    if (!best) return null;
    const bestHasNone = this.options.commonWords?.has(best[0]) === true && this.commonWordsIn(best[0], words) === 0;
    const contenders = ranked
      .filter(([, score]) => bestHasNone || score >= CLOSE_RUNNER_UP)
      .map(([code]) => ({ code, hits: this.commonWordsIn(code, words) }));
    // francAll ranks best first and sort is stable: equal counts keep franc's order.
    const pick = contenders.sort((a, b) => b.hits - a.hits)[0];
    return named(pick && pick.hits > 0 ? pick.code : best[0]);
  }

  private commonWordsIn(code: string, words: readonly string[]): number {
    const list = this.options.commonWords?.get(code);
    return list ? words.filter((w) => list.has(w)).length : 0;
  }
}

/** franc's answer as a language other than English, or null ("und": no language found). */
function named(code: string | undefined): string | null {
  return code === undefined || code === 'und' || code === 'eng' ? null : code;
}
