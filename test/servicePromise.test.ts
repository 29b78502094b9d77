import path from 'node:path';
import { mkdtemp, writeFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { ServicePromiseAnswers } from '../src/domain/ServicePromiseAnswers.js';
import { loadServicePromise, servicePromiseFile } from '../src/knowledge/servicePromise.js';
import { buttons, joined, newClient, say } from './helpers/dialogClient.js';
import { KNOWLEDGE_DIR, SAMPLE_REGISTRY_DAY } from './helpers/testBot.js';

const today = () => new Date(SAMPLE_REGISTRY_DAY);
const SERIAL_REQUEST = /serial/i;

describe('general service-promise questions are answered from the policy, with no serial asked', () => {
  test('"How fast is your hotline? Are upgrades free?": the 2-hour response and free upgrades, cited', async () => {
    const { client } = await newClient({ now: today });
    const text = joined(await say(client, 'How fast is your hotline? Are upgrades free?'));
    expect(text).toMatch(/within 2 hours/);
    expect(text).toMatch(/24 hours a day, 7 days a week/);
    expect(text).toMatch(/Software upgrades are free for life/);
    // Cited: the policy named, its own words quoted.
    expect(text).toContain('Service Promise (3): "fault acceptance provides a 7-by-24-hours technical service hotline');
    expect(text).toContain('The phone response time is 2 hours.');
    expect(text).toContain('Service Promise (4): "lifetime free software upgrade');
    // No warranty check started: no serial request, no warranty-card question.
    expect(text).not.toMatch(/warranty card/i);
    expect(text.replace(/For the warranty of a specific device, send me its serial number[^\n]*/, '')).not.toMatch(SERIAL_REQUEST);
  });

  test('"how long will you have spare parts for my DVR": answered directly, quoting paragraph (2)', async () => {
    const { client } = await newClient({ now: today });
    const replies = await say(client, 'how long will you have spare parts for my DVR');
    const text = joined(replies);
    expect(text).toMatch(/Sufficient spare parts are kept for servicing and replacement/);
    expect(text).toContain('Service Promise (2), (4): "spare parts within the free maintenance and warranty period');
    expect(text).not.toMatch(/warranty card/i);
    expect(buttons(replies)).not.toContain('Yes, I have it');
  });

  test('the maintenance fee after the warranty: the 5% cap', async () => {
    const { client } = await newClient({ now: today });
    const text = joined(await say(client, 'what does maintenance cost after the warranty ends?'));
    expect(text).toMatch(/at most 5% of the total product price/);
    expect(text).toContain('Service Promise (6)');
  });

  test('a specific device’s warranty still goes to the warranty check', async () => {
    const { client } = await newClient({ now: today });
    const replies = await say(client, 'is my NVR still under warranty? SN: DS-7608-2291');
    const text = joined(replies);
    expect(text).toContain('Found it: DS-7608 8-channel NVR, serial DS-7608-2291');
    expect(buttons(replies)).toEqual(['Yes, I have it', 'No, it is lost', "I'm not sure"]);
    expect(text).not.toContain('Service Promise (3)');
  });

  test('a service-promise topic asked about one serial is that device’s warranty check, not the general answer', async () => {
    const { client } = await newClient({ now: today });
    const replies = await say(client, 'are spare parts free for my NVR? SN: DS-7608-2291');
    expect(joined(replies)).toContain('Found it: DS-7608 8-channel NVR, serial DS-7608-2291');
    expect(joined(replies)).not.toContain('Service Promise (2)');
  });
});

describe('the service-promise matcher', () => {
  const answers = async () => new ServicePromiseAnswers(await loadServicePromise(servicePromiseFile(KNOWLEDGE_DIR)));

  test('general questions match their topics; device-specific ones and unrelated ones do not', async () => {
    const a = await answers();
    expect(a.answer('How fast is your hotline? Are upgrades free?')?.topicIds).toEqual(['hotline', 'upgrades']);
    expect(a.answer('do I have to pay for firmware updates')?.topicIds).toEqual(['upgrades']);
    expect(a.answer('how often do you do inspection visits')?.topicIds).toEqual(['inspection']);
    expect(a.answer('is my camera still under warranty? serial E1C2-0043-8812')).toBeNull();
    expect(a.answer('are upgrades free for SL-DVR8-241128-0106')).toBeNull();
    expect(a.answer('is my dvr covered, it stopped recording')).toBeNull();
    expect(a.answer('how long is the warranty on your cameras?')).toBeNull();
  });

  test('the quotes are the policy’s own words', async () => {
    const knowledge = await loadServicePromise(servicePromiseFile(KNOWLEDGE_DIR));
    const policy = await readFile(path.resolve(KNOWLEDGE_DIR, '../../shared/policies/001_63bb9ecdf8e5bd9f.txt'), 'utf8').catch(() => null);
    if (policy === null) return; // the shared policies sit beside the project in development only
    // Verbatim up to white space (the policy has a non-breaking space or two); " … " marks an omission.
    const words = (s: string) => s.replace(/\s+/gu, ' ').trim();
    for (const topic of knowledge.topics) {
      for (const piece of topic.policyText.split(' … ')) expect(words(policy), topic.id).toContain(words(piece));
    }
  });

  test('a bad file is refused at load, naming the file and the field', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'service-promise-'));
    await mkdir(path.join(dir, 'service'));
    const good = JSON.parse(await readFile(servicePromiseFile(KNOWLEDGE_DIR), 'utf8')) as { topics: Array<Record<string, unknown>> };
    const first = good.topics[0];
    if (first) first.cues = ['(unclosed'];
    await writeFile(servicePromiseFile(dir), JSON.stringify(good));
    await expect(loadServicePromise(servicePromiseFile(dir))).rejects.toThrow(/service-promise\.json: .*topics.*cues.*regular expression/);
  });
});
