import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { InsightsFigures } from '../../src/domain/insights/InsightsFigures.js';
import { InsightsFiguresSchema } from '../../src/domain/insights/InsightsFigures.js';
import { outcomeConversationId } from '../../src/domain/insights/OutcomeRecorder.js';
import { createApp } from '../../src/http/app.js';
import { insightsApiPlugin } from '../../src/http/insightsApi.js';
import { listen } from '../../src/server.js';
import { DocumentConversationOutcomes, OUTCOME_DAYS_COLLECTION, OUTCOME_EVENTS_COLLECTION } from '../../src/storage/DocumentConversationOutcomes.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { PgConversationOutcomes } from '../../src/storage/postgres/PgConversationOutcomes.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { documentStores, postgresStores, type SupportStores } from '../../src/storage/SupportStores.js';
import { supportJobs } from '../../src/supportJobs.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { relaxedLimits, silentLogger, testDesk } from '../helpers/testBot.js';

/**
 * Insights from a seeded day of conversations, driven through the real bot over /api/messages and
 * the services staff use, with the figures counted by hand. One clock, moved by the test.
 */
const DAY = '2026-03-02';
let clock = new Date(`${DAY}T09:00:00Z`);
const now = () => clock;
const advance = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

/** Words that must never reach the stored events: what the customers wrote, their names, a serial. */
const PERSONAL = ['Dana Customer', 'stopped recording', 'tp-link', 'archer', 'cust-', 'DS-7608', 'dana@example.com', '+49 170'];

async function seed(stores: SupportStores) {
  clock = new Date(`${DAY}T09:00:00Z`);
  const desk = await testDesk(now, { stores });
  const app = createApp({ logger: silentLogger, readiness: { checks: async () => ({ ok: true }) }, limits: relaxedLimits(), plugins: [desk.botFramework] });
  const url = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  let n = 0;
  const say = async (conversation: string, text: string, channelId = 'webchat') => {
    n += 1;
    const res = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: `m${n}`, text, from: { id: `cust-${conversation}`, name: 'Dana Customer' }, recipient: { id: 'bot' }, conversation: { id: conversation }, channelId, serviceUrl: 'http://localhost:3978', deliveryMode: 'expectReplies' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { activities?: Array<{ type: string; text?: string }> };
    return (body.activities ?? []).map((a) => a.text ?? '').join('\n');
  };
  const jobs = supportJobs({ desk, stores, conversationTtlMs: 30 * 86_400_000, abandonedAfterMs: 30 * 60_000, logger: silentLogger, now });

  // c1 (webchat): a guide for a DVR that stopped recording, then "Yes, fixed" → support, resolved by the bot, topic = that guide.
  expect(await say('c1', 'my dvr stopped recording since yesterday, hdd error shows on screen')).toContain('Did that fix it?');
  expect(await say('c1', 'Yes, fixed')).toContain('glad');
  // c2 (webchat): another maker's router → out of scope, clause third_party_equipment; contained.
  await say('c2', 'my tp-link archer router keeps dropping wifi for all my laptops, can you help me set it up');
  // c3 (webchat): asks for a person → handoff "asked"; an agent accepts after 120 s, then closes.
  expect(await say('c3', 'talk to a person')).toContain('queue');
  const waiting = await desk.handoffs.list('waiting');
  expect(waiting).toHaveLength(1);
  advance(120);
  await desk.handoffs.accept(waiting[0]!.id, 'dana');
  await desk.handoffs.close(waiting[0]!.id, 'dana');
  // c4 (slack): the same guide, then goes quiet → abandoned after 30 minutes without a message.
  expect(await say('c4', 'my dvr stopped recording since yesterday, hdd error shows on screen', 'slack')).toContain('Did that fix it?');
  // c5 (slack): a greeting only → not a support conversation.
  await say('c5', 'hello', 'slack');
  // t1, t2 (webchat conversations c6, c7): tickets opened by the bot's ticket service; staff answer t1 in 30 min and resolve it; t2 gets no answer.
  const customer = (id: string) => ({ channelId: 'webchat', userId: `cust-${id}`, name: 'Dana Customer', contact: 'dana@example.com' });
  const address = (id: string) => ({ channelId: 'webchat', conversation: { id }, serviceUrl: 'http://localhost:3978' });
  const t1 = await desk.tickets.open({ customer: customer('c6'), summary: 'NVR DS-7608 will not boot', address: address('c6') }, 'bot');
  const t2 = await desk.tickets.open({ customer: customer('c7'), summary: 'camera offline, call +49 170 000', address: address('c7') }, 'bot');
  advance(30 * 60);
  await desk.tickets.update(t1.id, { status: 'resolved' }, 'staff:dana');
  // Two hours and a minute later: both first responses are due; the check settles them, and c4 is abandoned.
  advance(2 * 3600 + 60);
  await jobs.firstResponse.check();
  await jobs.jobs.find((j) => j.name === 'abandoned-conversations')!.run();
  // Ratings the CSAT survey records (its own dialog records them through desk.outcomes).
  await desk.outcomes.record('webchat/c1', { kind: 'csat', rating: 5, hasComment: false, after: 'guide_fixed' });
  await desk.outcomes.record('webchat/c3', { kind: 'csat', rating: 2, hasComment: true, after: 'handoff_closed' });
  // A warranty check result (the warranty dialog records it through ConversationRecords.rememberWarranty).
  await desk.outcomes.record('webchat/c8', { kind: 'warranty_checked', status: 'expired' });
  await new Promise<void>((resolve) => app.close(() => resolve()));
  return { desk, t1, t2 };
}

/** The figures of the seeded day, counted by hand. */
const EXPECTED_ALL: InsightsFigures = {
  // c1, c2, c3, c4, c6, c7, c8 (c5 only greeted).
  conversations: 7,
  // c1.
  resolvedByBot: 1,
  // Never reached a person or a ticket: c1, c2, c4, c8 → 4 of 7.
  containmentRate: 0.5714,
  handoffs: { total: 1, byTrigger: { asked: 1, not_helping: 0, negative_sentiment: 0, after_hours: 0 } },
  // t1 and t2 opened; t1 resolved.
  tickets: { opened: 2, resolved: 1 },
  // t1 answered (status change by staff) 30 min after opening: kept; t2 never answered: breached.
  firstResponseSla: { due: 2, kept: 1, breached: 1 },
  // c3: accepted 120 s after the request.
  queueWaitMedianSeconds: 120,
  csat: { responses: 2, average: 3.5, distribution: { '1': 0, '2': 1, '3': 0, '4': 0, '5': 1 } },
  // The DVR guide in c1 and c4; c3's "talk to a person" is an interruption, not a triage.
  topTopics: [{ topic: 'GUIDE', count: 2 }],
  // c2.
  outOfScopeByClause: { third_party_equipment: 1 },
  // c8.
  warrantyChecks: { covered: 0, not_covered: 0, expired: 1 },
};

/** Slack only: c4 (abandoned, contained) and c5 (greeting). */
const EXPECTED_SLACK_CONVERSATIONS = 1;

async function checkSeeded(stores: SupportStores) {
  const { desk } = await seed(stores);
  const figures = await desk.insights.figures({ from: DAY, to: DAY });
  expect(InsightsFiguresSchema.parse(figures)).toEqual(figures);
  // The guide the topic matcher picks for that message (its id, checked to be one guide for both).
  expect(figures.topTopics).toHaveLength(1);
  const guide = figures.topTopics[0]!.topic;
  expect(guide).toMatch(/^[a-z0-9-]+$/);
  expect(figures).toEqual({ ...EXPECTED_ALL, topTopics: [{ topic: guide, count: 2 }] });
  const slack = await desk.insights.figures({ from: DAY, to: DAY, channel: 'slack' });
  expect(slack.conversations).toBe(EXPECTED_SLACK_CONVERSATIONS);
  expect(slack.containmentRate).toBe(1);
  expect(slack.topTopics).toEqual([{ topic: guide, count: 1 }]);
  // Another day: nothing.
  expect((await desk.insights.figures({ from: '2026-03-03', to: '2026-03-09' })).conversations).toBe(0);
  return desk;
}

function assertNothingPersonal(raw: string) {
  for (const word of PERSONAL) expect(raw.toLowerCase()).not.toContain(word.toLowerCase());
  // Conversation ids are hashed: "c1" appears only as its hash.
  expect(raw).toContain(outcomeConversationId('webchat/c1'));
  expect(raw).not.toMatch(/"conversation":"c\d"/);
}

describe('insights on the in-memory document store', () => {
  test('seeded conversations give the hand-counted figures; stored events hold nothing personal', async () => {
    const documents = new MemoryDocumentStore();
    await checkSeeded(documentStores(documents));
    const outcomes = new DocumentConversationOutcomes(documents);
    const events = await outcomes.eventsOf(DAY);
    expect(events.map((e) => e.fact.kind)).toContain('abandoned');
    const raw = JSON.stringify([await documents.list(OUTCOME_EVENTS_COLLECTION), await documents.list(OUTCOME_DAYS_COLLECTION)]);
    assertNothingPersonal(raw);
  });
});

describe('insights on lowdb', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('the figures survive a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'insights-'));
    dirs.push(dir);
    const first = documentStores(await LowdbDocumentStore.open(dir));
    const desk = await checkSeeded(first);
    const before = await desk.insights.figures({ from: DAY, to: DAY });
    await first.close();
    const reopened = documentStores(await LowdbDocumentStore.open(dir));
    expect(await reopened.outcomes.figures({ from: DAY, to: DAY })).toEqual(before);
    await reopened.close();
  });
});

describe('insights on PostgreSQL', async () => {
  const available = await postgresAvailable('insights on PostgreSQL');
  const databases: PgDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.close().catch(() => undefined)));
  });

  test.skipIf(!available)('seeded conversations give the hand-counted figures; stored rows hold nothing personal', async () => {
    const database = await PgDatabase.open(pgUrl, { schema: freshSchema() });
    const stores = await postgresStores(database);
    try {
      await checkSeeded(stores);
      const rows = await new PgConversationOutcomes(database).rows();
      expect(rows.map((r) => r.kind)).toContain('abandoned');
      assertNothingPersonal(JSON.stringify(rows));
      // Append-only: an UPDATE is refused.
      await expect(database.pool.query("UPDATE conversation_outcomes SET kind = 'x'")).rejects.toThrow(/append-only/);
    } finally {
      await stores.close();
    }
  });
});

describe('GET /api/insights', () => {
  test('401 without a staff token, 400 on a bad query, 200 with every key, and the CSV', async () => {
    const desk = await testDesk(now);
    await desk.outcomes.record('webchat/x1', { kind: 'triaged', scope: 'out_of_scope', clause: 'applications', intent: 'troubleshoot', request: 1 });
    await desk.outcomes.record('webchat/x2', { kind: 'triaged', scope: 'in_scope', clause: null, intent: 'warranty', request: 1 });
    await desk.outcomes.record('webchat/x3', { kind: 'guide_shown', guide: 'no-video' });
    const token = await desk.staffTokens.create('dana');
    const app = createApp({
      logger: silentLogger,
      readiness: { checks: async () => ({ ok: true }) },
      limits: relaxedLimits(),
      plugins: [insightsApiPlugin({ tokens: desk.staffTokens, insights: desk.insights, comments: desk.surveyComments, guideTitles: new Map([['no-video', 'No video on a channel']]), logger: silentLogger })],
    });
    const url = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
    const day = clock.toISOString().slice(0, 10);
    const get = (query: string, auth = true, route = '/api/insights') => fetch(`${url}${route}?${query}`, auth ? { headers: { authorization: `Bearer ${token}` } } : {});
    try {
      expect((await get(`from=${day}&to=${day}`, false)).status).toBe(401);
      expect((await fetch(`${url}/api/insights?from=${day}&to=${day}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      for (const bad of ['from=2026-13-01&to=2026-12-31', 'from=2026-03-05&to=2026-03-01', 'to=2026-03-01', 'from=yesterday&to=2026-03-01', 'from=2026-02-30&to=2026-03-01', 'from=2020-01-01&to=2026-03-01']) {
        const res = await get(bad);
        expect(res.status, bad).toBe(400);
        expect(((await res.json()) as { message: string }).message).toMatch(/query: /);
      }
      const ok = await get(`from=${day}&to=${day}&channel=`);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(
        ['conversations', 'resolvedByBot', 'containmentRate', 'handoffs', 'tickets', 'firstResponseSla', 'queueWaitMedianSeconds', 'csat', 'topTopics', 'outOfScopeByClause', 'warrantyChecks'].sort(),
      );
      expect(body).toMatchObject({ conversations: 3, containmentRate: 1, outOfScopeByClause: { applications: 1 } });
      // Topics read as staff know them: a guide's title, an intent in words.
      expect(body.topTopics).toEqual([
        { topic: 'no-video', count: 1, title: 'No video on a channel' },
        { topic: 'warranty', count: 1, title: 'Warranty questions' },
      ]);
      const csv = await get(`from=${day}&to=${day}&channel=webchat`, true, '/api/insights.csv');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="insights-${day}-${day}-webchat.csv"`);
      const text = await csv.text();
      expect(text.split('\r\n')[0]).toBe('metric,value');
      expect(text).toContain('conversations,3\r\n');
      expect(text).toContain('outOfScopeByClause.applications,1\r\n');
      expect((await get(`from=${day}&to=${day}`, false, '/api/insights.csv')).status).toBe(401);
    } finally {
      await new Promise<void>((resolve) => app.close(() => resolve()));
    }
  });
});
