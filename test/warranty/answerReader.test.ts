import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { AnswerReader, normaliseAnswer } from '../../src/domain/warranty/AnswerReader.js';
import { KnowledgeError } from '../../src/knowledge/files.js';
import { loadKnowledge } from '../../src/knowledge/KnowledgeBase.js';
import { ANSWER_PHRASES_FILE, answerPhrasesFile, loadAnswerPhrases, parseAnswerPhrases } from '../../src/knowledge/warrantyAnswers.js';
import { KNOWLEDGE_DIR } from '../helpers/testBot.js';

// Read from KNOWLEDGE_DIR like the rest of the knowledge (no bundled copy).
const SHIPPED_ANSWER_PHRASES = await loadAnswerPhrases(answerPhrasesFile(KNOWLEDGE_DIR));
const reader = new AnswerReader(SHIPPED_ANSWER_PHRASES);
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

test('the shipped phrase file parses, and the knowledge base loads it from KNOWLEDGE_DIR for the dialog', async () => {
  const file = path.resolve(import.meta.dirname, '../..', ANSWER_PHRASES_FILE);
  expect(await loadAnswerPhrases(file)).toEqual(SHIPPED_ANSWER_PHRASES);
  expect((await loadKnowledge(KNOWLEDGE_DIR)).answerPhrases).toEqual(SHIPPED_ANSWER_PHRASES);
  expect(SHIPPED_ANSWER_PHRASES.unknown.phrases.length).toBeGreaterThan(20);
});

test('a bad phrase file names the file and the field', async () => {
  expect(() => parseAnswerPhrases({ ...SHIPPED_ANSWER_PHRASES, noNumber: [] }, 'x.json')).toThrow(/^knowledge: x\.json: noNumber: /);
  expect(() => parseAnswerPhrases({ ...SHIPPED_ANSWER_PHRASES, unknown: { ...SHIPPED_ANSWER_PHRASES.unknown, phrases: ['ok', '?!'] } }, 'x.json')).toThrow(
    /unknown\.phrases\.1: must hold a letter or digit/,
  );
  expect(() => parseAnswerPhrases({ ...SHIPPED_ANSWER_PHRASES, maybe: ['x'] }, 'x.json')).toThrow(KnowledgeError);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'answers-'));
  temps.push(dir);
  await writeFile(path.join(dir, 'phrases.json'), '{ nope');
  await expect(loadAnswerPhrases(path.join(dir, 'phrases.json'))).rejects.toThrow(/phrases\.json: /);
});

test('normaliseAnswer: "can\'t" and "cant" are one word; punctuation is a blank', () => {
  expect(normaliseAnswer("I CAN'T reach it — it's on the ceiling!")).toBe('i cant reach it its on the ceiling');
  expect(normaliseAnswer('don’t know')).toBe(normaliseAnswer("don't know"));
});

test.each([
  "I don't know, I can't reach it, it's on the ceiling",
  'dont know',
  'Not sure',
  'no idea tbh',
  'NO CLUE',
  'maybe',
  'probably not',
  'I think so',
  'I guess',
  'not that I know of',
  "can't tell",
  'I cannot really check that right now',
  "couldn't get to it",
  'unable to see it from here',
  'it is too high',
  "haven't checked",
  'I forgot',
  'hard to say',
  '??',
])('unknown: %j', (text) => {
  expect(reader.isUnknown(text)).toBe(true);
});

test.each(['yes', 'no', 'Yes, intact', 'No, it is lost', 'None of these', 'Dropped, knocked or scratched', 'it fell off the wall', '0912 664 301', 'the seal is torn', 'never', 'knock knock', 'the app', ''])(
  'a plain answer is not unknown: %j',
  (text) => {
    expect(reader.isUnknown(text)).toBe(false);
  },
);

test('at the phone question, only a plain "there is no number" is "none"', () => {
  for (const text of ['none', 'None.', 'nope', "there isn't one", "there's no sticker on it", 'no number on it', 'blank']) expect(reader.saysNoNumber(text), text).toBe(true);
  for (const text of ["it's behind the cabinet", 'the sticker is faded', 'hello']) expect(reader.saysNoNumber(text), text).toBe(false);
});
