import { InterruptionDetector } from '../domain/Interruptions.js';
import { ScopeTriage } from '../domain/ScopeTriage.js';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.js';
import { englishWords } from './EnglishWords.js';
import { LanguageIdentifier } from './LanguageIdentifier.js';
import { buildLanguageTriage } from './languageTriage.js';
import { NaturalMessageClassifier, NaturalTopicMatcher } from './NaturalMessageClassifier.js';
import { OtherLanguages } from './OtherLanguages.js';
import { SpellingCorrector } from './SpellingCorrector.js';
import { englishRules, normaliseText, TextFeatures, wordsOf } from './TextFeatures.js';

/** Below this, the guide matcher offers a list of topics instead of picking one. */
const TOPIC_MIN_CONFIDENCE = 0.45;

/**
 * The spelling tolerance: corrections go to words the models were trained on (utterances, guide
 * examples, lexicon), ties to the lexicon's support words.
 */
export function buildSpellingCorrector(knowledge: KnowledgeBase): SpellingCorrector {
  const counts = new Map<string, number>();
  const count = (text: string) => {
    for (const w of wordsOf(normaliseText(text))) counts.set(w, (counts.get(w) ?? 0) + 1);
  };
  for (const u of knowledge.training) count(u.text);
  for (const g of knowledge.guides) [g.title, ...g.examples].forEach(count);
  const supportWords = new Set<string>();
  for (const phrases of Object.values(knowledge.lexicon)) {
    for (const phrase of phrases) {
      count(phrase);
      for (const w of wordsOf(normaliseText(phrase))) supportWords.add(w);
    }
  }
  return new SpellingCorrector({ counts, supportWords, english: englishWords(), shorthand: knowledge.spelling.shorthand });
}

/** Trains the language models from the knowledge base (a few hundred ms) and wraps them in the domain service. */
export function buildTriage(knowledge: KnowledgeBase, confidenceThreshold: number): { triage: ScopeTriage; topics: NaturalTopicMatcher } {
  const speller = buildSpellingCorrector(knowledge);
  const features = new TextFeatures(knowledge.lexicon, englishRules(speller));
  const classifier = new NaturalMessageClassifier(features, knowledge.training);
  const interruptions = new InterruptionDetector(knowledge.interruptions);
  const english = englishWords();
  // The models' own words, and longer English words: the tagger's lexicon also lists short
  // foreign words met in English text ("la", "de", "que", "die"), which say nothing here.
  const isEnglishWord = (w: string) => speller.knows(w) || (w.length >= 4 && english.has(w));
  const languages = new OtherLanguages(
    knowledge.languages,
    new LanguageIdentifier({
      candidates: OtherLanguages.candidates(knowledge.languages),
      commonWords: OtherLanguages.commonWords(knowledge.languages),
      isEnglishWord,
    }),
  );
  // Vietnamese is triaged by a classifier of its own. A message in its own letters ("ơ", "ạ"), or
  // mostly of its words typed without accents, is Vietnamese before franc is asked: franc needs 20
  // letters and names unaccented Vietnamese Tagalog or Romanian.
  const { languageTriage, recogniseOwn } = buildLanguageTriage(knowledge, isEnglishWord);
  return {
    triage: new ScopeTriage(classifier, knowledge.clauses, confidenceThreshold, {
      asksForPerson: (text) => interruptions.asksForPerson(text),
      recogniseLanguage: (text) => recogniseOwn(text) ?? languages.recognise(text),
      read: (text) => features.read(text),
      languageTriage,
    }),
    topics: new NaturalTopicMatcher(features, knowledge.guides, TOPIC_MIN_CONFIDENCE),
  };
}
