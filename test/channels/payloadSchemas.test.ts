import { AppManifestUtils } from '@microsoft/app-manifest';
import type { Activity } from 'botbuilder';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { welcomeActivity } from '../../dialogs/messages.js';
import { renderAll } from '../../dialogs/rendering/render.js';
import type { AnswerView, ChoicesView, FactsView, ViewModel } from '../../dialogs/rendering/views.js';
import type { Handoff } from '../../src/domain/handoff/Handoff.js';
import { teamsAppFiles } from '../../src/channels/teams/appPackage.js';
import { handoffCardActivity } from '../../src/channels/teams/handoffCard.js';
import { adaptiveCardProblems, cardActivityProblems, slackProblems, teamsSizeProblems } from './channelPayloads.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const APP_ID = '6f1c2a9e-4b7d-4e3a-9c21-0d8e5f7a1b34';

type ManifestSchema = NonNullable<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]>;
type Manifest = Parameters<typeof AppManifestUtils.validateAgainstSchema>[0];

/** The official Teams manifest schema of that version, as shipped in @microsoft/app-manifest (no network). */
async function teamsSchema(manifestVersion: string): Promise<ManifestSchema> {
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest/package.json'));
  return JSON.parse(await readFile(path.join(packageDir, 'build', 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json'), 'utf8')) as ManifestSchema;
}

interface ManifestHead {
  manifestVersion: string;
  $schema?: string;
}

/** The manifest exactly as `npm run teams:package` zips it, from the real template unless given another. */
async function builtManifest(edit: (template: string) => string = (t) => t): Promise<{ manifest: Manifest; head: ManifestHead }> {
  const template = edit(await readFile(path.join(ROOT, 'appPackage', 'manifest.json'), 'utf8'));
  const text = teamsAppFiles(template, APP_ID).find((f) => f.name === 'manifest.json')?.data.toString('utf8');
  if (!text) throw new Error('the package has no manifest.json');
  return { manifest: JSON.parse(text) as Manifest, head: JSON.parse(text) as ManifestHead };
}

describe('Teams app package', () => {
  test('the generated manifest validates against the official schema of its manifestVersion', async () => {
    const { manifest, head } = await builtManifest();
    expect(head.$schema).toContain(`/v${head.manifestVersion}/MicrosoftTeams.schema.json`);
    const errors = await AppManifestUtils.validateAgainstSchema(manifest, await teamsSchema(head.manifestVersion));
    expect(errors, `schema errors:\n${errors.join('\n')}`).toEqual([]);
  });

  test('the check catches what Teams refuses: a short description over 80 characters', async () => {
    const { manifest, head } = await builtManifest((t) => t.replace(/("description":\s*\{\s*"short":\s*)"[^"]*"/, `$1"${'x'.repeat(81)}"`));
    const errors = await AppManifestUtils.validateAgainstSchema(manifest, await teamsSchema(head.manifestVersion));
    expect(errors.join('\n')).toMatch(/description\/short must NOT have more than 80 characters/);
  });

  test('the icons are the sizes Teams requires: 192×192 colour, 32×32 outline', () => {
    const files = teamsAppFiles('{"id":"${{MICROSOFT_APP_ID}}","bots":[{"botId":"${{MICROSOFT_APP_ID}}"}]}', APP_ID);
    const size = (name: string) => {
      const png = files.find((f) => f.name === name)?.data;
      return png ? [png.readUInt32BE(16), png.readUInt32BE(20)] : undefined;
    };
    expect(size('color.png')).toEqual([192, 192]);
    expect(size('outline.png')).toEqual([32, 32]);
  });
});

const facts: FactsView = { kind: 'facts', title: 'Ticket T-000007', facts: [['Status', 'open, waiting for our team'], ['Summary', 'no video on channel 2']], footer: 'We answer within 2 hours.' };
const answers: AnswerView[] = [
  {
    kind: 'answer',
    title: 'Warranty check',
    headline: 'Good news: your **DS-7608** is under warranty until 2027-04-22.',
    facts: [['Status', 'Covered'], ['Covered until', '2027-04-22']],
    sections: [
      { title: 'Free of charge', lines: ['Spare parts', 'Repair <or> replacement & return'] },
      { title: 'Steps', lines: ['Unplug it', 'Wait 10 s'], style: 'numbered' },
      { lines: ['A paragraph.', 'Another one.'] },
      { title: 'Empty', lines: [] },
    ],
    footer: 'Please back up your recordings.',
    tone: 'good',
  },
  { kind: 'answer', title: 'Outside our support', headline: 'Sorry, this is outside what we cover.', sections: [{ title: 'What we can still do', lines: ['Advice'] }], tone: 'attention' },
  { kind: 'answer', headline: 'This is covered. **No video**: try these steps', sections: [{ lines: ['Check the cable'], style: 'numbered' }], footer: 'Call us.', tone: 'neutral' },
];
const choices: ChoicesView[] = [
  { kind: 'choices', prompt: 'Did that fix it?', choices: [{ title: 'Yes, fixed', value: 'Yes, fixed' }, { title: 'No', value: 'No' }] },
  { kind: 'choices', prompt: 'What happened?\n\nHow to check:\n- Look at it', choices: ['Dropped, knocked or scratched', 'Water, damp or rust', 'Fire or lightning', 'None of these'].map((t) => ({ title: t, value: t })) },
  { kind: 'choices', prompt: 'Just a question, no buttons', choices: [] },
];
/** A view of every kind and shape the dialogs make, and views large enough to need several messages. */
const VIEWS: ReadonlyArray<[string, ViewModel]> = [
  ['facts', facts],
  ...answers.map((a, i): [string, ViewModel] => [`answer ${i}`, a]),
  ...choices.map((c, i): [string, ViewModel] => [`choices ${i}`, c]),
  ['200 choices', { kind: 'choices', prompt: 'Which camera?', choices: Array.from({ length: 200 }, (_, i) => ({ title: `Camera ${i + 1}: ${'driveway '.repeat(7)}`, value: `camera ${i + 1}` })) }],
  ['100 KB answer', { kind: 'answer', title: 'Guide', headline: 'Read this & <that>. '.repeat(5000), facts: [['Log', 'line & more '.repeat(1000)]], sections: [], tone: 'neutral' }],
];

const HANDOFF: Handoff = {
  id: 'H-000042',
  status: 'waiting',
  reason: 'not_helping',
  customer: { channelId: 'webchat', userId: 'u-1', name: 'Alex Installer', contact: 'alex@example.com' },
  conversationKey: 'webchat/c-1',
  address: { channelId: 'webchat', serviceUrl: 'http://localhost', conversation: { id: 'c-1' } },
  triage: { scope: 'out_of_scope', clause: 'customer_network', intent: 'troubleshoot', confidence: 0.87 },
  warranty: { serial: 'SL-DVR8-241128-0106', model: 'SL-DVR8', category: 'dvr', status: 'not_covered', coveredUntil: '2026-01-30', reasons: ['seal_broken'], chargeable: true },
  summary: 'No video on channel 2',
  transcript: [
    { at: '2026-01-01T10:00:00Z', from: 'customer', text: 'no video on channel 2' },
    { at: '2026-01-01T10:00:01Z', from: 'bot', text: 'Try these steps' },
    { at: '2026-01-01T10:00:02Z', from: 'agent', agent: 'Dana', text: 'Hi, Dana here' },
  ],
  requestedAt: '2026-01-01T10:00:03Z',
};

describe('Adaptive Cards parse and validate with the adaptivecards package (schema 1.4)', () => {
  test('the checker reports what Teams would not render: a 1.5 element, a misspelt value', () => {
    expect(adaptiveCardProblems({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'Table', columns: [] }, { type: 'TextBlock', text: 'x', weight: 'Heavy' }] })).toEqual([
      'UnknownElementType: Unknown element type "Table". Fallback will be used if present.',
      'InvalidPropertyValue: Invalid value "Heavy" for property "weight".',
    ]);
  });

  test.each(VIEWS)('%s: every card for Web Chat and Teams is valid, and every Teams message fits', (_, view) => {
    for (const channel of ['webchat', 'msteams']) {
      for (const activity of renderAll(view, channel)) {
        if (!activity.attachments) continue; // Web Chat's prose and suggested actions are text
        expect(cardActivityProblems(activity), channel).toEqual([]);
        if (channel === 'msteams') expect(teamsSizeProblems(activity)).toEqual([]);
      }
    }
    expect(renderAll(view, 'msteams').every((a) => a.attachments?.length === 1)).toBe(true);
  });

  test('the welcome card and the staff handoff card are valid', () => {
    expect(cardActivityProblems(welcomeActivity('msteams'))).toEqual([]);
    const handoff = handoffCardActivity(HANDOFF, 3);
    expect(cardActivityProblems(handoff)).toEqual([]);
    expect(teamsSizeProblems(handoff)).toEqual([]);
    // The longest a handoff gets: long names and lines are shortened, the card still fits a Teams message.
    const long = 'x'.repeat(20_000);
    const huge = handoffCardActivity({ ...HANDOFF, customer: { ...HANDOFF.customer, name: long }, summary: long, transcript: Array.from({ length: 20 }, (_, i) => ({ at: '', from: 'customer' as const, text: `${i} ${long}` })) }, 1);
    expect(cardActivityProblems(huge)).toEqual([]);
    expect(teamsSizeProblems(huge)).toEqual([]);
  });
});

describe('Slack Block Kit within the limits @slack/types documents', () => {
  test('the checker reports blocks Slack refuses', () => {
    const bad: Partial<Activity> = {
      text: 'x',
      channelData: {
        text: 'x',
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } },
          { type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } },
          { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'x'.repeat(76) }, value: 'v', action_id: 'a' }] },
        ],
      },
    };
    expect(slackProblems(bad)).toEqual([
      'block 0 (section) text has 3001 characters, over 3000',
      'block 1 (header) header has 151 characters, over 150',
      'block 2 (actions) button 0 text has 76 characters, over 75',
    ]);
  });

  test.each(VIEWS)('%s: every Slack message is within the limits', (_, view) => {
    for (const activity of renderAll(view, 'slack')) expect(slackProblems(activity)).toEqual([]);
  });

  test('the welcome on Slack is within the limits', () => {
    expect(slackProblems(welcomeActivity('slack'))).toEqual([]);
  });
});
