import type { LanguageTriage, RecognisedLanguage } from '../domain/ScopeTriage.js';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.js';
import { FoldedTextFeatures, foldDiacritics } from './FoldedTextFeatures.js';
import { NaturalMessageClassifier } from './NaturalMessageClassifier.js';

/** Letters of a language's own (knowledge/language/<code>/lexicon.json `ownLetters`) that name it in a message. */
const OWN_LETTERS_AS_EVIDENCE = 2;
/** Above this share of English words a message is English, whatever letters it holds. */
const MAX_ENGLISH_SHARE = 0.6;
/** Words of the language's own vocabulary, not English, that name it in a message typed without accents… */
const OWN_WORDS_AS_EVIDENCE = 2;
/** …when they are at least this share of the message's words. */
const MIN_OWN_WORD_SHARE = 0.5;

interface OwnLanguage {
  language: RecognisedLanguage;
  letters: ReadonlySet<string>;
  /** The folded words of its training and lexicon, two letters or more. */
  vocabulary: ReadonlySet<string>;
}

/**
 * The classifiers of the languages triaged besides English (Vietnamese), trained from their own
 * utterances the same way as the English one (naive Bayes over words, bigrams, negations and
 * lexicon features), and a recogniser for the messages in them that the language identifier leaves
 * to English: short ones ("camera bị mờ": two of the language's own letters are enough), and ones
 * typed without accents ("dau ghi khong ghi hinh": most words are the language's and not English),
 * which franc's trigrams take for Tagalog or Romanian. Its letters are no other candidate's, and
 * half the words in its vocabulary (English words aside) is far beyond what Spanish or Indonesian
 * text shares with it; test/heldout-languages.jsonl checks that no other language is taken.
 */
export function buildLanguageTriage(
  knowledge: Pick<KnowledgeBase, 'triageLanguages' | 'languages'>,
  isEnglishWord: (word: string) => boolean,
): {
  languageTriage: Map<string, LanguageTriage>;
  recogniseOwn: (text: string) => RecognisedLanguage | null;
} {
  const languageTriage = new Map<string, LanguageTriage>();
  const own: OwnLanguage[] = [];
  for (const l of knowledge.triageLanguages) {
    const features = new FoldedTextFeatures(l.lexicon);
    languageTriage.set(l.code, { classifier: new NaturalMessageClassifier(features, l.training), read: (text) => features.read(text) });
    const sentences = knowledge.languages.languages.find((s) => s.code === l.code);
    if (!sentences) continue;
    const vocabulary = new Set<string>();
    for (const text of [...l.training.map((u) => u.text), ...Object.values(l.lexicon.lists).flat()]) {
      for (const w of features.words(text)) if (w.length >= 2 && !/\d/.test(w)) vocabulary.add(w);
    }
    own.push({ language: { code: l.code, name: sentences.name, replies: sentences }, letters: new Set(l.lexicon.ownLetters ?? ''), vocabulary });
  }

  const recogniseOwn = (text: string): RecognisedLanguage | null => {
    const words = (foldDiacritics(text.normalize('NFC')).match(/[a-z0-9]+/g) ?? []).filter((w) => !/\d/.test(w));
    // Two words at least: a lone name or word is no message in a language.
    if (words.length < 2) return null;
    // A message mostly in English that addresses someone in Vietnamese ("Chị ơi, the camera …") is English.
    const foreign = words.filter((w) => !isEnglishWord(w));
    if (1 - foreign.length / words.length > MAX_ENGLISH_SHARE) return null;
    const letters = [...text.normalize('NFC').toLowerCase()];
    const byLetters = own.find((o) => letters.filter((c) => o.letters.has(c)).length >= OWN_LETTERS_AS_EVIDENCE);
    if (byLetters) return byLetters.language;
    for (const o of own) {
      const ownWords = foreign.filter((w) => o.vocabulary.has(w)).length;
      if (ownWords >= OWN_WORDS_AS_EVIDENCE && ownWords / words.length >= MIN_OWN_WORD_SHARE) return o.language;
    }
    return null;
  };
  return { languageTriage, recogniseOwn };
}
