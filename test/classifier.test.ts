import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseJsonLines } from '../src/knowledge/jsonl.js';
import { LabelledUtteranceSchema } from '../src/knowledge/schemas.js';
import { applyTaxonomyRules } from '../src/domain/ScopeTriage.js';
import type { ScopeDecision } from '../src/domain/scope.js';
import { evaluate } from '../src/language/evaluation.js';
import { trainedTriage } from './helpers/testBot.js';

const HELD_OUT = path.resolve(import.meta.dirname, 'heldout.jsonl');

// Regression floors on messages the classifier never trained on. Measured figures are in the
// README; a change that drops below these fails the build.
const FLOOR = { scopeAccuracy: 0.9, outOfScopeRecall: 0.9, clauseAccuracy: 0.85, intentAccuracy: 0.9 };

async function heldOut() {
  const rows = parseJsonLines(await readFile(HELD_OUT, 'utf8'), LabelledUtteranceSchema);
  expect(rows.filter((r) => !r.ok)).toEqual([]);
  return rows.flatMap((r) => (r.ok ? [r.value] : []));
}

describe('held-out evaluation (never used for training)', () => {
  test('no held-out message is also a training message', async () => {
    const { knowledge } = await trainedTriage();
    const training = new Set(knowledge.training.map((u) => u.text.trim().toLowerCase()));
    const overlap = (await heldOut()).filter((u) => training.has(u.text.trim().toLowerCase()));
    expect(overlap).toEqual([]);
  });

  test(`scope accuracy ≥ ${FLOOR.scopeAccuracy}, out-of-scope recall ≥ ${FLOOR.outOfScopeRecall}`, async () => {
    const { triage } = await trainedTriage();
    const report = evaluate(await heldOut(), (t) => triage.classify(t));
    expect(report.examples).toBeGreaterThanOrEqual(150);
    expect(report.scopeAccuracy).toBeGreaterThanOrEqual(FLOOR.scopeAccuracy);
    expect(report.outOfScopeRecall).toBeGreaterThanOrEqual(FLOOR.outOfScopeRecall);
    expect(report.clauseAccuracy).toBeGreaterThanOrEqual(FLOOR.clauseAccuracy);
    expect(report.intentAccuracy).toBeGreaterThanOrEqual(FLOOR.intentAccuracy);
  });
});

describe('policy edge cases', () => {
  test('our DVR and another maker’s router in one message: labelled by what we are asked to do', async () => {
    const { triage } = await trainedTriage();
    expect(triage.classify('please help me configure port forwarding on my tp-link router for the dvr').scope).not.toBe('in_scope');
    expect(triage.classify('what gateway and dns should i set in the dvr network menu, the router is 192.168.1.1').scope).toBe('in_scope');
  });

  test('the taxonomy’s fixed rules: ticket references, a bare request for a person, greetings', async () => {
    const { triage } = await trainedTriage();
    expect(triage.classify('any news on T-000123?')).toMatchObject({ scope: 'in_scope', intent: 'ticket_status' });
    expect(triage.classify('can i talk to someone')).toMatchObject({ scope: 'in_scope', intent: 'human' });
    expect(triage.classify('thanks a lot, bye')).toMatchObject({ scope: 'off_topic', intent: 'greeting' });
  });

  test('an explicit request for a person inside a longer message is what the customer asks for', async () => {
    const { triage } = await trainedTriage();
    expect(triage.classify('the nvr died again and nothing records, i want to talk to a real person right now')).toMatchObject({ scope: 'in_scope', intent: 'human' });
    // "person" alone in a description is not a request for one.
    expect(triage.classify('the camera does not detect a person walking at night').intent).not.toBe('human');
  });

  test('a clause comes with out_of_scope and only then; confidence is a probability', async () => {
    const { triage } = await trainedTriage();
    for (const text of ['my hdd is full', 'backup my footage to google drive', 'which ports for the firewall', 'hello', 'zzz']) {
      const d = triage.classify(text);
      expect(d.clause === null).toBe(d.scope !== 'out_of_scope');
      expect(d.confidence).toBeGreaterThanOrEqual(0);
      expect(d.confidence).toBeLessThanOrEqual(1);
    }
  });

  test('gibberish is below the confidence threshold, so the bot asks instead of guessing', async () => {
    const { triage } = await trainedTriage();
    expect(triage.triage('zzz qqq').needsClarification).toBe(true);
    expect(triage.triage('my dvr stopped recording, hard disk error on screen').needsClarification).toBe(false);
  });
});

describe('the taxonomy’s rule for VPN and Wi-Fi matters (issue 10, item 8)', () => {
  const diagnosis: ScopeDecision = { scope: 'needs_diagnosis', clause: null, intent: 'troubleshoot', confidence: 0.9 };
  const reading = (...lists: string[]) => () => ({ words: [], lexicon: new Set(lists) });

  test('needs_diagnosis with no device of ours and no remote-viewing symptom, about a VPN or Wi-Fi: the customer network at once', () => {
    expect(applyTaxonomyRules('my vpn times out', diagnosis, reading('customerNetwork'))).toMatchObject({ scope: 'out_of_scope', clause: 'customer_network' });
    expect(applyTaxonomyRules('wifi slow every evening', diagnosis, reading('homeNetwork', 'supportTopic'))).toMatchObject({ scope: 'out_of_scope', clause: 'customer_network' });
  });

  test('our device, or a remote-viewing symptom, keeps the recorder checks', () => {
    expect(applyTaxonomyRules('nvr page not opening over the vpn', diagnosis, reading('customerNetwork', 'ourDevice')).scope).toBe('needs_diagnosis');
    expect(applyTaxonomyRules('app offline on the vpn', diagnosis, reading('customerNetwork', 'remoteAccess')).scope).toBe('needs_diagnosis');
    expect(applyTaxonomyRules('cannot see it from outside', diagnosis, reading('remoteAccess')).scope).toBe('needs_diagnosis');
  });

  test('through the trained triage: firmware of our NVR is ours; Wi-Fi and VPN are the customer network', async () => {
    const { triage } = await trainedTriage();
    expect(triage.classify('How do I update the firmware on my NVR? Is there a newer version for it?')).toMatchObject({ scope: 'in_scope', intent: 'troubleshoot' });
    expect(triage.classify('can you fix my wifi?')).toMatchObject({ scope: 'out_of_scope', clause: 'customer_network' });
    expect(triage.classify("I can't get my VPN to connect to my home router")).toMatchObject({ scope: 'out_of_scope', clause: 'customer_network' });
    // Another maker's firmware stays theirs.
    expect(triage.classify('my mikrotik router needs a firmware update, how do i do it')).toMatchObject({ scope: 'out_of_scope', clause: 'third_party_equipment' });
  });
});
