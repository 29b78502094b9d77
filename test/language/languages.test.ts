import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadKnowledge } from '../../src/knowledge/KnowledgeBase.js';
import { parseJsonLines } from '../../src/knowledge/jsonl.js';
import { LanguageSampleSchema } from '../../src/knowledge/schemas.js';
import { evaluateLanguages } from '../../src/language/evaluation.js';
import { LanguageIdentifier } from '../../src/language/LanguageIdentifier.js';
import { KNOWLEDGE_DIR, trainedTriage } from '../helpers/testBot.js';

const HELD_OUT = path.resolve(import.meta.dirname, '..', 'heldout-languages.jsonl');

// Floors on messages written apart from the rules' tuning; figures in the README.
const FLOOR = { recognised: 0.9, exact: 0.85 };

const languageOf = async (text: string) => (await trainedTriage()).triage.triage(text).language?.code ?? 'en';

describe('languages the bot does not speak (test/heldout-languages.jsonl)', () => {
  test(`no English message is taken for another language; ≥ ${FLOOR.recognised * 100}% of the others are recognised`, async () => {
    const rows = parseJsonLines(await readFile(HELD_OUT, 'utf8'), LanguageSampleSchema);
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    const samples = rows.flatMap((r) => (r.ok ? [r.value] : []));
    const { triage } = await trainedTriage();
    const report = evaluateLanguages(samples, (t) => triage.triage(t).language?.code ?? 'en');
    expect(report.english).toBeGreaterThanOrEqual(20);
    expect(report.other).toBeGreaterThanOrEqual(30);
    expect(report.englishMisfires).toBe(0);
    expect(report.otherRecognised / report.other).toBeGreaterThanOrEqual(FLOOR.recognised);
    expect(report.otherExact / report.other).toBeGreaterThanOrEqual(FLOOR.exact);
  });

  test.each([
    ['Đầu ghi của tôi không ghi hình được, giúp tôi với', 'vi'],
    ['mi cámara no muestra imagen', 'es'],
    ['dau ghi khong nhan o cung, giup minh voi', 'vi'],
    ['no graba nada el DVR desde el corte de luz', 'es'],
    ['merci beaucoup, très gentil', 'fr'],
    ['摄像头晚上没有画面', 'zh'],
  ])('%s → %s', async (text, code) => {
    expect(await languageOf(text)).toBe(code);
  });

  test.each([
    'SL-NVR32',
    'E1C2-0043-8812',
    'SW-POE8-221120-0003 expired?',
    'status of T-000123?',
    'hello',
    'no video ch3',
    'camara 2 no image, plz help',
    'mi camara no funciona',
    'mah kamera iz brokn cant c nuthin',
    'Sehr geehrte Damen und Herren, our recorder does not record anymore',
    'cant se my camras on my fone wen im outside hom',
    'P2P offline, UID 8F3K2M9QXZ, app v3.2.1',
  ])('stays English (short, a model name, a serial, chat English or a foreign greeting): %s', async (text) => {
    expect(await languageOf(text)).toBe('en');
  });

  test('a foreign message is not triaged by the English models: no confidence, the language carried', async () => {
    const { triage } = await trainedTriage();
    const outcome = triage.triage('mi cámara no muestra imagen');
    expect(outcome.decision).toEqual({ scope: 'in_scope', clause: null, intent: 'other', confidence: 0, language: 'es' });
    expect(outcome.needsClarification).toBe(false);
    expect(outcome.language?.replies.person).toBe('Hablar con una persona');
    expect(triage.triage('my dvr stopped recording').decision.language).toBeUndefined();
  });

  test('a language recognised without sentences of its own is answered with the English fallback', async () => {
    const { triage, knowledge } = await trainedTriage();
    const outcome = triage.triage('Моя камера не показывает изображение со вчерашнего дня');
    expect(outcome.language?.code).toBe('ru');
    expect(outcome.language?.replies).toEqual(knowledge.languages.fallback);
  });

  test('franc answers only among the candidate languages (English always included)', () => {
    const identifier = new LanguageIdentifier({ candidates: ['spa'], isEnglishWord: () => false });
    expect(identifier.identify('Minha câmera não mostra imagem desde ontem')).toBe('spa');
    expect(new LanguageIdentifier({ candidates: ['por'], isEnglishWord: () => false }).identify('Minha câmera não mostra imagem desde ontem')).toBe('por');
  });
});

describe('knowledge/language/languages.json', () => {
  const temps: string[] = [];
  afterEach(async () => {
    await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  test('has sentences for Vietnamese, Spanish, French, German, Portuguese and Chinese, and an English fallback', async () => {
    const k = await loadKnowledge(KNOWLEDGE_DIR);
    expect(k.languages.languages.map((l) => l.code)).toEqual(expect.arrayContaining(['vi', 'es', 'fr', 'de', 'pt', 'zh']));
    expect(k.languages.fallback.reply).toMatch(/English/);
    for (const l of k.languages.languages) {
      // Every answer offers both, in the language itself (not the English fallback's words).
      expect(l.reply).not.toBe(k.languages.fallback.reply);
      expect(new Set([l.person, l.ticket, l.noThanks]).size).toBe(3);
    }
  });

  test('a language listed twice, or English as "another" language, stops loading with the file and field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'knowledge-'));
    temps.push(dir);
    await cp(KNOWLEDGE_DIR, dir, { recursive: true });
    const file = path.join(dir, 'language', 'languages.json');
    const data = JSON.parse(await readFile(file, 'utf8')) as { alsoRecognised: Array<Record<string, unknown>> };
    data.alsoRecognised.push({ code: 'vi', franc: 'vie', name: 'Vietnamese again' }, { code: 'en', franc: 'eng', name: 'English' });
    await writeFile(file, JSON.stringify(data));
    await expect(loadKnowledge(dir)).rejects.toThrow(/languages\.json: alsoRecognised\.\d+: "vi" is listed twice/);
    await expect(loadKnowledge(dir)).rejects.toThrow(/English is the language the bot speaks/);
  });
});
