import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { ScopeDecision } from '../../src/domain/scope.js';
import { loadKnowledge } from '../../src/knowledge/KnowledgeBase.js';
import { parseJsonLines } from '../../src/knowledge/jsonl.js';
import { LabelledUtteranceSchema } from '../../src/knowledge/schemas.js';
import { evaluate } from '../../src/language/evaluation.js';
import { FoldedTextFeatures, foldDiacritics } from '../../src/language/FoldedTextFeatures.js';
import { buildLanguageTriage } from '../../src/language/languageTriage.js';
import { KNOWLEDGE_DIR, trainedTriage } from '../helpers/testBot.js';

const HELD_OUT = path.resolve(import.meta.dirname, '..', 'heldout-vi.jsonl');

// Regression floors on Vietnamese messages the classifier never trained on (through the whole
// triage: a message not recognised as Vietnamese counts against them). Figures are in the README.
const FLOOR = { scopeAccuracy: 0.9, outOfScopeRecall: 0.9, clauseAccuracy: 0.85, intentAccuracy: 0.9 };
// Five-fold cross-validation of the Vietnamese classifier alone on its training files.
const CV_FLOOR = { scopeAccuracy: 0.9, clauseAccuracy: 0.8 };

async function heldOut() {
  const rows = parseJsonLines(await readFile(HELD_OUT, 'utf8'), LabelledUtteranceSchema);
  expect(rows.filter((r) => !r.ok)).toEqual([]);
  return rows.flatMap((r) => (r.ok ? [r.value] : []));
}

async function vietnamese() {
  const { knowledge } = await trainedTriage();
  const vi = knowledge.triageLanguages.find((l) => l.code === 'vi');
  if (!vi) throw new Error('no Vietnamese triage language in knowledge/');
  return { knowledge, vi };
}

describe('Vietnamese held-out evaluation (test/heldout-vi.jsonl, never used for training)', () => {
  test('no held-out message is also a training message (accents and case aside)', async () => {
    const { knowledge, vi } = await vietnamese();
    const key = (t: string) => foldDiacritics(t).replace(/[^a-z0-9]+/g, ' ').trim();
    const training = new Set([...vi.training, ...knowledge.training].map((u) => key(u.text)));
    expect((await heldOut()).filter((u) => training.has(key(u.text)))).toEqual([]);
  });

  test('covers every scope, clause and intent of the taxonomy, with and without accents', async () => {
    const examples = await heldOut();
    expect(examples.length).toBeGreaterThanOrEqual(60);
    expect(new Set(examples.map((u) => u.scope)).size).toBe(5);
    expect(new Set(examples.flatMap((u) => (u.clause ? [u.clause] : []))).size).toBe(4);
    expect(new Set(examples.map((u) => u.intent)).size).toBe(6);
    expect(examples.filter((u) => foldDiacritics(u.text) === u.text.toLowerCase()).length).toBeGreaterThanOrEqual(15);
  });

  test(`through the whole triage: read as Vietnamese; scope ≥ ${FLOOR.scopeAccuracy}, out-of-scope recall ≥ ${FLOOR.outOfScopeRecall}, clause ≥ ${FLOOR.clauseAccuracy}, intent ≥ ${FLOOR.intentAccuracy}`, async () => {
    const { triage } = await trainedTriage();
    const report = evaluate(await heldOut(), (t) => triage.classify(t), 'vi');
    expect(report.otherLanguage.length).toBeLessThanOrEqual(3);
    expect(report.scopeAccuracy).toBeGreaterThanOrEqual(FLOOR.scopeAccuracy);
    expect(report.outOfScopeRecall).toBeGreaterThanOrEqual(FLOOR.outOfScopeRecall);
    expect(report.clauseAccuracy).toBeGreaterThanOrEqual(FLOOR.clauseAccuracy);
    expect(report.intentAccuracy).toBeGreaterThanOrEqual(FLOOR.intentAccuracy);
  });

  test(`five-fold cross-validation of the Vietnamese classifier: scope ≥ ${CV_FLOOR.scopeAccuracy}, clause ≥ ${CV_FLOOR.clauseAccuracy}`, async () => {
    const { knowledge, vi } = await vietnamese();
    const folds = 5;
    const predicted = new Map<string, ScopeDecision>();
    for (let fold = 0; fold < folds; fold += 1) {
      const training = vi.training.filter((_, i) => i % folds !== fold);
      const { languageTriage } = buildLanguageTriage({ languages: knowledge.languages, triageLanguages: [{ ...vi, training }] }, () => false);
      const classifier = languageTriage.get('vi')?.classifier;
      if (!classifier) throw new Error('no Vietnamese classifier built');
      vi.training.forEach((u, i) => {
        if (i % folds === fold) predicted.set(u.text, classifier.classify(u.text));
      });
    }
    const report = evaluate(vi.training, (t) => predicted.get(t) ?? { scope: 'off_topic', clause: null, intent: 'other', confidence: 0 }, 'vi');
    expect(report.examples).toBeGreaterThanOrEqual(300);
    expect(report.scopeAccuracy).toBeGreaterThanOrEqual(CV_FLOOR.scopeAccuracy);
    expect(report.clauseAccuracy).toBeGreaterThanOrEqual(CV_FLOOR.clauseAccuracy);
  });
});

describe('reading Vietnamese', () => {
  test('diacritics fold, so "không" matches "khong"; chat spellings expand; no stemming', async () => {
    const { vi } = await vietnamese();
    const features = new FoldedTextFeatures(vi.lexicon);
    expect(foldDiacritics('Đầu ghi KHÔNG ghi hình được')).toBe('dau ghi khong ghi hinh duoc');
    expect(features.words('đầu ghi ko ghi hình dc')).toEqual(features.words('dau ghi không ghi hinh được'));
    expect(features.extract('đầu ghi không ghi hình')).toEqual(expect.arrayContaining(['dau', 'ghi', 'b:dau_ghi', 'w:not', 'neg:ghi', 'f:ourDevice']));
    expect(features.extract('recording')).toContain('recording');
  });

  test('the triage names the language vi and triages it: scope, clause and intent from the Vietnamese classifier', async () => {
    const { triage } = await trainedTriage();
    const outcome = triage.triage('router tp-link nhà mình hay rớt mạng, sửa giúp');
    expect(outcome.decision).toMatchObject({ scope: 'out_of_scope', clause: 'third_party_equipment', language: 'vi' });
    expect(outcome.triagedInLanguage).toBe(true);
    expect(outcome.language?.code).toBe('vi');
    // English advice lines are not given for a Vietnamese message.
    expect(outcome.advice).toEqual([]);
    // A ticket reference is a ticket question in any language.
    expect(triage.classify('phiếu T-000123 của tôi xử lý tới đâu rồi')).toMatchObject({ scope: 'in_scope', intent: 'ticket_status', language: 'vi' });
  });

  test.each([
    ['camera bị mờ', 'vi'],
    ['quên mật khẩu', 'vi'],
    ['dau ghi khong ghi hinh', 'vi'],
    ['xem lai video khong duoc', 'vi'],
    ['mi camara no funciona bien desde ayer', 'es'],
    ['my dvr stopped recording', 'en'],
    ['no video ch3', 'en'],
    ['cant se my camras on my fone wen im outside hom', 'en'],
    ['hello', 'en'],
    ['Chị ơi, the camera in my shop shows the wrong time, how do I set the time zone', 'en'],
  ])('short or unaccented Vietnamese is Vietnamese; other messages keep their language: %s → %s', async (text, code) => {
    const { triage } = await trainedTriage();
    expect(triage.triage(text).language?.code ?? 'en').toBe(code);
  });

  test('other languages keep the person-or-ticket offer, untriaged', async () => {
    const { triage } = await trainedTriage();
    const outcome = triage.triage('Meine Kamera zeigt seit gestern kein Bild mehr');
    expect(outcome.triagedInLanguage).toBe(false);
    expect(outcome.decision).toEqual({ scope: 'in_scope', clause: null, intent: 'other', confidence: 0, language: 'de' });
  });
});

describe('knowledge/training/vi and knowledge/language/vi', () => {
  const temps: string[] = [];
  afterEach(async () => {
    await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  async function copy() {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'knowledge-'));
    temps.push(dir);
    await cp(KNOWLEDGE_DIR, dir, { recursive: true });
    return dir;
  }

  test('the Vietnamese training covers every scope, clause and intent, and is not in the English training', async () => {
    const { knowledge, vi } = await vietnamese();
    expect(new Set(vi.training.map((u) => u.scope)).size).toBe(5);
    expect(new Set(vi.training.flatMap((u) => (u.clause ? [u.clause] : []))).size).toBe(4);
    expect(new Set(vi.training.map((u) => u.intent)).size).toBe(6);
    const english = new Set(knowledge.training.map((u) => u.text));
    expect(vi.training.filter((u) => english.has(u.text))).toEqual([]);
  });

  test('a training folder for a language without sentences, or a reply without its clause, stops loading with the file', async () => {
    const dir = await copy();
    await mkdir(path.join(dir, 'training', 'xx'));
    await expect(loadKnowledge(dir)).rejects.toThrow(/training\/xx: "xx" is not a language with sentences/);

    const other = await copy();
    const file = path.join(other, 'language', 'vi', 'replies.json');
    const replies = JSON.parse(await readFile(file, 'utf8')) as { outOfScope: string };
    replies.outOfScope = 'Không thuộc phạm vi.';
    await writeFile(file, JSON.stringify(replies));
    await expect(loadKnowledge(other)).rejects.toThrow(/replies\.json: outOfScope: must hold \{clause\}/);
  });
});
