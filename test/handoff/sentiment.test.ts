import { expect, test } from 'vitest';
import type { SentimentDetector } from '../../src/domain/handoff/SentimentDetector.js';
import { NEGATIVE_THRESHOLD, NegativeSentiment } from '../../src/language/NegativeSentiment.js';

const detector = new NegativeSentiment();

// The threshold, documented by measurement: strongly negative = score ≤ -0.5 and at least one
// negative mood word. Score = mean AFINN value per word (symptom words 0, a negation flips the next
// 3 words) − 0.5 per strong cue (word, phrase or profanity) − 0.25 per emphasis ("!!!", CAPITALS).
// The scores below are what NegativeSentiment.analyse() gives today (rounded to 2 decimals).
const MEASURED: ReadonlyArray<[text: string, score: number, strong: boolean]> = [
  // Angry, fed up: hand over to a person.
  ['This is useless, I want a real person!!!', -0.875, true],
  ['This is the worst support ever', -0.67, true],
  ['I am furious, this is ridiculous', -2.0, true],
  ['I hate this stupid thing', -2.2, true],
  ['this sucks', -1.5, true],
  ['I cannot believe how useless this is', -0.79, true], // natural alone flips "useless" after "not"
  ['I am fed up with this camera', -0.5, true],
  ['this is a waste of my time', -0.79, true],
  ['this is fucking ridiculous', -2.75, true],
  ['this is so frustrating', -0.5, true], // right at the threshold
  ['I am not happy', -0.75, true],
  // A fault described plainly, even with AFINN-negative words: the bot keeps helping.
  ['camera not working', 0, false],
  ['my camera is not working', 0, false],
  ['the DVR stopped recording', 0, false],
  ['the recorder crashed again', 0, false],
  ['bad connection on the camera', 0, false],
  ['problem with motion detection', 0, false],
  ['error on the screen, no signal', 0, false],
  ['the picture is blurry and dark', 0, false],
  ['still broken, nothing works', 0, false],
  ['I am worried the footage is lost', 0, false],
  ['the alarm keeps going off at night', 0, false],
  // Mildly negative, or emphasis without a negative word: below the threshold.
  ['a bit disappointed with the night vision', -0.14, false],
  ['your app keeps crashing, it is annoying', -0.29, false],
  ['WHY IS THIS STILL BROKEN!!!', -0.5, false], // shouting, but no negative mood word
  ['THANK YOU!!!', 0.5, false],
  ['not bad, it works now', 0, false],
  ['thanks that fixed it', 0.5, false],
  ['hello', 0, false],
];

test.each(MEASURED)('%j scores %d (strong: %s)', (text, score, strong) => {
  const analysis = detector.analyse(text);
  expect(analysis.score).toBeCloseTo(score, 2);
  expect(analysis.strong).toBe(strong);
  expect(detector.isStronglyNegative(text)).toBe(strong);
});

test('the threshold and the port', () => {
  expect(NEGATIVE_THRESHOLD).toBe(-0.5);
  const port: SentimentDetector = detector;
  expect(port.isStronglyNegative('This is useless!!!')).toBe(true);
  expect(port.isStronglyNegative('')).toBe(false);
});

test('the analysis says why', () => {
  expect(detector.analyse('This is useless, I want a real person!!!')).toMatchObject({ negativeWords: ['useless'], cues: ['useless'], emphasis: 1 });
  expect(detector.analyse('I am fed up with this camera')).toMatchObject({ cues: ['fed up'] });
  expect(detector.analyse('the DVR stopped recording')).toMatchObject({ negativeWords: [], cues: [], emphasis: 0 });
});
