import { describe, expect, test } from 'vitest';
import { buildSpellingCorrector } from '../../src/language/buildTriage.js';
import { SpellingCorrector } from '../../src/language/SpellingCorrector.js';
import { normaliseText, wordsOf } from '../../src/language/TextFeatures.js';
import { trainedTriage } from '../helpers/testBot.js';

async function corrector() {
  const { knowledge } = await trainedTriage();
  return { knowledge, speller: buildSpellingCorrector(knowledge) };
}

describe('spelling tolerance against the vocabulary the models were trained on', () => {
  test.each([
    ['camras', 'cameras'],
    ['recodring', 'recording'],
    ['survailance', 'surveillance'],
    ['vidoe', 'video'],
    ['playbak', 'playback'],
    ['chnage', 'change'],
    ['wnat', 'want'],
    ['firmwear', 'firmware'],
    ['hom', 'home'],
    ['wen', 'when'],
    // Shorthand from knowledge/language/spelling.json: an edit distance would say "fine".
    ['fone', 'phone'],
  ])('%s → %s', async (typed, meant) => {
    const { speller } = await corrector();
    expect(speller.correct(typed)).toBe(meant);
  });

  test('a word the models were trained on is never changed, even a misspelling they learned', async () => {
    const { knowledge, speller } = await corrector();
    const vocabulary = new Set(knowledge.training.flatMap((u) => wordsOf(normaliseText(u.text))));
    const changed = [...vocabulary].filter((w) => speller.correct(w) !== w);
    expect(changed).toEqual([]);
    expect(vocabulary.has('recoder')).toBe(true);
    expect(speller.correct('recoder')).toBe('recoder');
  });

  test('real English words, model names, serials and short words are left alone', async () => {
    const { speller } = await corrector();
    for (const word of ['weather', 'feet', 'wedding', 'sl-nvr32', 'nvr32', 'e1c2-0043-8812', '8f3k2m9qxz', 'se', 'im', 'zzz', 'qqq']) {
      expect(speller.correct(word)).toBe(word);
    }
  });

  test('shorthand applies only to words the models do not know', () => {
    const speller = new SpellingCorrector({ counts: new Map([['fone', 3], ['phone', 1]]), supportWords: new Set(), english: new Set(), shorthand: { fone: 'phone' } });
    expect(speller.correct('fone')).toBe('fone');
  });

  test('ties go to a swap of letters, then a word that sounds the same, then support vocabulary', () => {
    const counts = new Map([['nat', 50], ['want', 1], ['fine', 50], ['phone', 1], ['cable', 1], ['table', 50]]);
    const speller = new SpellingCorrector({ counts, supportWords: new Set(['cable']), english: new Set(), shorthand: {} });
    expect(speller.correct('wnat')).toBe('want');
    // "cabel": "cable" (a swap, a support word) over "table".
    expect(speller.correct('cabel')).toBe('cable');
  });
});

describe('the triage reads a misspelled message like its correct spelling', () => {
  test.each([
    ['cant se my camras on my fone wen im outside hom', "can't see my cameras on my phone when I'm outside home"],
    ['survailance system not recodring at all, all chanels blank', 'surveillance system not recording at all, all channels blank'],
    ['how do i chnage the ip adress on the dvr', 'how do i change the ip address on the dvr'],
    ['wat ports do i need to open on my firewal for the dvr', 'what ports do i need to open on my firewall for the dvr'],
  ])('%s', async (misspelled, correct) => {
    const { triage } = await trainedTriage();
    const a = triage.classify(misspelled);
    const b = triage.classify(correct);
    expect({ scope: a.scope, clause: a.clause, intent: a.intent }).toEqual({ scope: b.scope, clause: b.clause, intent: b.intent });
    expect(a.scope).not.toBe('off_topic');
    expect(triage.triage(misspelled).needsClarification).toBe(false);
  });

  test('an off-topic message with typos stays off topic', async () => {
    const { triage } = await trainedTriage();
    for (const text of ['wats the wether tomorow in hanoi', 'can u recomend a good pizza place near me', 'hw do i bake banana bred']) {
      expect(triage.classify(text).scope).toBe('off_topic');
    }
  });
});
