import phonetics from 'natural/lib/natural/phonetics/index.js';
import { editDistance } from '../domain/devices/editDistance.js';

const { Metaphone } = phonetics;

/** Corrections remembered; the cache is emptied when full (customers repeat the same slips). */
const CACHE_LIMIT = 5_000;
const SHORTEST_CORRECTED = 3;

export interface SpellingVocabulary {
  /** Every word the models were trained on, with how often it occurs (the more frequent wins a tie). */
  counts: ReadonlyMap<string, number>;
  /** Support words (the lexicon's): a correction towards one of them wins a tie over an ordinary word. */
  supportWords: ReadonlySet<string>;
  /** Real English words: never corrected even when the models have not seen them ("weather", "feet"). */
  english: ReadonlySet<string>;
  /** Chat spellings an edit distance cannot reach ("fone" is nearer "fine"): word → what it means. */
  shorthand: Readonly<Record<string, string>>;
}

interface Candidate {
  word: string;
  cost: number;
  count: number;
}

/**
 * Spelling tolerance against the vocabulary the models were trained on: a word they know is never
 * changed. An unknown chat spelling listed in knowledge/language/spelling.json ("fone") becomes what
 * it means; any other unknown word that is not real English ("camras", "recodring", "survailance")
 * becomes the nearest vocabulary word:
 *
 * - Damerau–Levenshtein distance 1 (a slip, a swap, a missing letter), or 2 for words of 6+ letters;
 * - for short words (3–5 letters) a second edit only when both sound the same (natural's
 *   Metaphone: "fuzy"/"fuzzy"), and 3-letter words only when they sound the same ("hom"/"home");
 * - ties go to a swap of letters ("wnat"/"want"), a word that sounds the same, support vocabulary,
 *   then the more frequent.
 *
 * Words with digits (model names, serials) and words under 3 letters are left alone. Candidates
 * come from two indexes (every vocabulary word minus one letter, and its Metaphone key), so a
 * lookup costs a few map reads, not a scan of the vocabulary; results are cached.
 */
export class SpellingCorrector {
  private readonly metaphone = new Metaphone();
  private readonly byDeletion = new Map<string, string[]>();
  private readonly bySound = new Map<string, string[]>();
  private readonly soundOf = new Map<string, string>();
  private readonly cache = new Map<string, string>();

  constructor(private readonly vocabulary: SpellingVocabulary) {
    for (const word of vocabulary.counts.keys()) {
      if (!/^[a-z]+$/.test(word) || word.length < SHORTEST_CORRECTED) continue;
      for (const key of deletions(word)) push(this.byDeletion, key, word);
      const sound = this.metaphone.process(word);
      this.soundOf.set(word, sound);
      push(this.bySound, sound, word);
    }
  }

  /** The word itself when it is known (or cannot be corrected with confidence), else its correction. */
  correct(word: string): string {
    if (this.vocabulary.counts.has(word)) return word;
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const corrected = this.lookUp(word);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, corrected);
    return corrected;
  }

  /** True when the models were trained on the word. */
  knows(word: string): boolean {
    return this.vocabulary.counts.has(word);
  }

  /** True when the word is not one the models know and a correction exists. */
  corrects(word: string): boolean {
    return this.correct(word) !== word;
  }

  private lookUp(word: string): string {
    const shorthand = this.vocabulary.shorthand[word];
    if (shorthand !== undefined) return shorthand;
    if (!/^[a-z]+$/.test(word) || word.length < SHORTEST_CORRECTED) return word;
    if (this.vocabulary.english.has(word)) return word;
    const sound = this.metaphone.process(word);
    const pool = new Set<string>(this.bySound.get(sound) ?? []);
    for (const key of deletions(word)) for (const candidate of this.byDeletion.get(key) ?? []) pool.add(candidate);
    let best: Candidate | undefined;
    for (const candidate of pool) {
      const scored = this.score(word, sound, candidate);
      if (scored && (!best || scored.cost < best.cost || (scored.cost === best.cost && scored.count > best.count))) best = scored;
    }
    return best?.word ?? word;
  }

  private score(word: string, sound: string, candidate: string): Candidate | undefined {
    const distance = editDistance(word, candidate, 2);
    if (distance > 2) return undefined;
    const sameSound = this.soundOf.get(candidate) === sound;
    const allowed = word.length === SHORTEST_CORRECTED ? distance === 1 && sameSound : word.length < 6 ? distance === 1 || sameSound : true;
    if (!allowed) return undefined;
    // Whole edits first: a swap of letters ("wnat"), sounding the same and being a support word only
    // break ties between candidates at the same distance.
    const bonus = (sameLetters(word, candidate) ? 0.5 : 0) + (sameSound ? 0.4 : 0) + (this.vocabulary.supportWords.has(candidate) ? 0.3 : 0);
    const cost = distance - Math.min(bonus, 0.9);
    return { word: candidate, cost, count: this.vocabulary.counts.get(candidate) ?? 0 };
  }
}

/** True when both words have the same letters (a swap of two letters). */
function sameLetters(a: string, b: string): boolean {
  return a.length === b.length && [...a].sort().join('') === [...b].sort().join('');
}

/** The word and every string made by leaving out one of its letters. */
function deletions(word: string): string[] {
  const out = [word];
  for (let i = 0; i < word.length; i += 1) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

function push(index: Map<string, string[]>, key: string, word: string): void {
  const list = index.get(key);
  if (!list) index.set(key, [word]);
  else if (!list.includes(word)) list.push(word);
}
