import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { KnowledgeError, loadKnowledge } from '../src/knowledge/KnowledgeBase.js';
import { buildTriage } from '../src/language/buildTriage.js';
import { KNOWLEDGE_DIR } from './helpers/testBot.js';

const temps: string[] = [];
async function copyOfKnowledge(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'knowledge-'));
  temps.push(dir);
  await cp(KNOWLEDGE_DIR, dir, { recursive: true });
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

test('every shipped knowledge file parses, and covers every clause and the guides the issue names', async () => {
  const k = await loadKnowledge(KNOWLEDGE_DIR);
  expect(k.clauses.map((c) => c.id).sort()).toEqual(['advice_only', 'applications', 'customer_network', 'data_backup', 'needs_diagnosis', 'third_party_equipment']);
  expect(k.training.length).toBeGreaterThanOrEqual(400);
  const guides = k.guides.map((g) => g.id);
  for (const id of ['no-video', 'not-recording', 'forgotten-password', 'no-network-link', 'device-ip-setup', 'remote-viewing-setup', 'firmware-upgrade', 'motion-alerts', 'usb-export']) {
    expect(guides).toContain(id);
  }
  expect(k.diagnosis.checks.map((c) => c.id)).toEqual(['link-light', 'ip-settings', 'ping-lan', 'local-access']);
});

test('a bad training line stops loading with the file and line number', async () => {
  const dir = await copyOfKnowledge();
  const file = path.join(dir, 'training', 'in-scope.jsonl');
  await writeFile(file, `${await readFile(file, 'utf8')}{"text":"router broken","scope":"out_of_scope","clause":null,"intent":"troubleshoot"}\n`);
  await expect(loadKnowledge(dir)).rejects.toThrow(KnowledgeError);
  await expect(loadKnowledge(dir)).rejects.toThrow(/in-scope\.jsonl: line \d+: clause: out_of_scope needs a clause/);
});

test('a broken clause file names the file and the field', async () => {
  const dir = await copyOfKnowledge();
  const file = path.join(dir, 'policy', 'clauses.json');
  const clauses = JSON.parse(await readFile(file, 'utf8')) as Array<Record<string, unknown>>;
  delete clauses[0]?.policyText;
  await writeFile(file, JSON.stringify(clauses));
  await expect(loadKnowledge(dir)).rejects.toThrow(/clauses\.json: 0\.policyText/);
});

test('adding a guide is a data change: the new topic is matched with no code change', async () => {
  const dir = await copyOfKnowledge();
  await writeFile(
    path.join(dir, 'guides', 'audio.json'),
    JSON.stringify({
      id: 'audio',
      title: 'No sound from the camera microphone',
      examples: ['no audio on playback', 'microphone camera no sound', 'cant hear anything from the mic', 'audio missing in recordings', 'sound not working on channel 2 mic', 'no voice audio from camera'],
      steps: ['Enable audio for the channel in Record settings.', 'Check the audio cable goes to AUDIO IN of the same channel.', 'Turn up the volume on the monitor or app.'],
      ifNotFixed: 'Have the model, serial number and firmware version ready.',
    }),
  );
  const k = await loadKnowledge(dir);
  const { topics } = buildTriage(k, 0.55);
  expect(topics.match('no sound from my camera microphone in playback')?.topicId).toBe('audio');
});
