import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// natural ships the lexicon of its Brill part-of-speech tagger (~93k English words, from pos-js).
// It is read as data, not imported: importing natural's root loads database drivers and prints to stdout.
const LEXICON = 'natural/lib/natural/brill_pos_tagger/data/English/lexicon_from_posjs.json';

/** natural 8.1 ships ~42,700 lower-case words; far fewer means the file is not what we expect. */
const MIN_WORDS = 10_000;

let cached: ReadonlySet<string> | undefined;

/**
 * Lower-case English words (the tagger lexicon's all-lower-case entries: proper nouns such as
 * "Chanel" are left out, so "chanel" still reads as a misspelled "channel"). Used to leave real
 * words alone when correcting spelling and to tell English from another language. Read once
 * (~90 ms, a few MB).
 */
export function englishWords(): ReadonlySet<string> {
  if (cached) return cached;
  const file = createRequire(import.meta.url).resolve(LEXICON);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`englishWords(): cannot read natural's English lexicon at ${file}: ${(err as Error).message}`);
  }
  // The file has one `"word": [tags]` entry per line: reading the keys with a pattern takes ~50 ms
  // where JSON.parse takes ~250 ms. Should the layout change, parse it properly.
  let words = new Set<string>(Array.from(text.matchAll(/^\s*"([a-z]+)":\s*\[/gm), (m) => m[1] ?? ''));
  if (words.size < MIN_WORDS) words = keysOf(file, text);
  if (words.size < MIN_WORDS) throw new Error(`englishWords(): ${file} has only ${words.size} lower-case words; expected natural's full lexicon`);
  cached = words;
  return words;
}

function keysOf(file: string, text: string): Set<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`englishWords(): ${file} is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`englishWords(): ${file} is not a JSON object of words`);
  return new Set(Object.keys(parsed).filter((k) => /^[a-z]+$/.test(k)));
}
