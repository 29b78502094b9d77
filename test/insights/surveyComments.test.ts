import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { SurveyCommentsResponseSchema, type SurveyComment } from '../../src/domain/insights/SurveyComments.js';
import { createApp } from '../../src/http/app.js';
import { insightsApiPlugin } from '../../src/http/insightsApi.js';
import { listen } from '../../src/server.js';
import { DocumentConversationOutcomes } from '../../src/storage/DocumentConversationOutcomes.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import type { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { documentStores, postgresStores, type SupportStores } from '../../src/storage/SupportStores.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { freshDatabase, postgresAvailable } from '../helpers/postgres.js';
import { relaxedLimits, testDesk } from '../helpers/testBot.js';
import { customerOverHttp, fakeChannelConnector, type Sent } from '../helpers/customerOverHttp.js';

/**
 * Staff read what customers wrote in the satisfaction survey: surveys answered through the real bot
 * (over /api/messages, cards clicked and ratings typed, proactive surveys after a closed handoff and
 * a resolved ticket), read back over GET /api/insights/comments with the staff token, on the memory
 * store, on lowdb across a restart and on PostgreSQL across instances.
 */

const DAY = '2026-03-02';
const LATER_DAY = '2026-03-05';


const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A clock the test sets to a day; it moves on a millisecond each read, so answers keep their order. */
function settableClock() {
  let t = Date.parse(`${DAY}T10:00:00Z`);
  return {
    now: () => new Date((t += 1)),
    set: (iso: string) => {
      t = Date.parse(iso);
    },
  };
}

/** Every log line the HTTP side writes, to check a comment never reaches the logs. */
function capturedLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
  return { logger, lines };
}

/** The desk on `stores` behind /api/messages and the Insights API, with a fake channel connector for proactive messages. */
async function startDesk(stores: SupportStores, now: () => Date) {
  const connector = await fakeChannelConnector();
  closers.push(connector.close);
  const { url: connectorUrl, received: posted } = connector;

  const desk = await testDesk(now, { stores });
  const token = await desk.staffTokens.create('dana');
  const { logger, lines } = capturedLogger();
  const app = createApp({
    logger,
    readiness: { checks: async () => ({ ok: true }) },
    limits: relaxedLimits(),
    plugins: [desk.botFramework, insightsApiPlugin({ tokens: desk.staffTokens, insights: desk.insights, comments: desk.surveyComments, logger })],
  });
  const url = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await new Promise<void>((r) => app.close(() => r()));
    await desk.deliveries.drain(1000);
  };
  closers.push(stop);

  const turn = customerOverHttp(url, connectorUrl);

  /** What reached the conversation proactively once the outbox is idle. */
  async function proactive(conversationId: string): Promise<Sent[]> {
    await desk.deliveries.idle();
    return posted.filter((p) => p.conversationId === conversationId).map((p) => p.activity);
  }

  /** GET /api/insights/comments: the status and the body (checked against the response schema on 200). */
  async function comments(query: string, auth: string | null = token): Promise<{ status: number; comments: SurveyComment[]; message?: string }> {
    const res = await fetch(`${url}/api/insights/comments?${query}`, auth ? { headers: { authorization: `Bearer ${auth}` } } : {});
    const body = (await res.json()) as unknown;
    if (res.status !== 200) return { status: res.status, comments: [], message: (body as { message?: string }).message };
    return { status: 200, comments: SurveyCommentsResponseSchema.parse(body).comments };
  }

  return { desk, turn, proactive, comments, connectorUrl, lines, stop };
}

type Desk = Awaited<ReturnType<typeof startDesk>>;

const words = (replies: Sent[]) => replies.map((r) => r.text ?? '').join('\n');

/** The survey id a rating card's buttons post back. */
function surveyIdIn(activities: Sent[]): string {
  for (const a of activities) {
    const id = /"surveyId":"([^"]+)"/.exec(JSON.stringify(a).replace(/\\"/g, '"'))?.[1];
    if (id) return id;
  }
  throw new Error(`no survey card in ${JSON.stringify(activities)}`);
}

async function guideFixed(d: Desk, conversationId: string, channelId = 'webchat'): Promise<Sent[]> {
  expect(words(await d.turn(conversationId, { text: 'my DVR stopped recording' }, channelId))).toMatch(/did that fix it/i);
  return d.turn(conversationId, { text: 'Yes, fixed' }, channelId);
}

async function handoffClosed(d: Desk, conversationId: string): Promise<string> {
  await d.turn(conversationId, { text: 'my camera has no picture at night' });
  expect(words(await d.turn(conversationId, { text: 'talk to a person' }))).toMatch(/queue|number 1|next/i);
  const open = await d.desk.handoffs.openFor(`webchat/${conversationId}`);
  if (!open) throw new Error('no handoff was queued');
  await d.desk.handoffs.accept(open.id, 'dana');
  await d.desk.handoffs.close(open.id, 'dana', 'Firmware updated');
  return open.id;
}

async function ticketResolved(d: Desk, conversationId: string): Promise<string> {
  const ticket = await d.desk.tickets.open(
    {
      customer: { channelId: 'webchat', userId: `user-${conversationId}` },
      summary: 'NVR reboots every night',
      address: { channelId: 'webchat', serviceUrl: d.connectorUrl, conversation: { id: conversationId }, bot: { id: 'bot' }, user: { id: `user-${conversationId}` } },
    },
    'bot',
  );
  await d.desk.tickets.update(ticket.id, { status: 'resolved' }, 'staff:dana');
  return ticket.id;
}

/**
 * Five answered surveys on DAY (four with a comment: a card click, a typed rating on Slack, after a
 * closed handoff, after a resolved ticket; one without) and one on LATER_DAY. Returns the ids.
 */
async function answerSurveys(d: Desk, clock: ReturnType<typeof settableClock>) {
  clock.set(`${DAY}T09:00:00Z`);
  const fixed = await guideFixed(d, 'c-1');
  expect(words(await d.turn('c-1', { value: { csat: 5, surveyId: surveyIdIn(fixed), comment: 'Clear steps, thanks' } }))).toMatch(/rating and your comment/i);
  // A second click of the same card (and its comment) is no second comment.
  expect(words(await d.turn('c-1', { value: { csat: 1, surveyId: surveyIdIn(fixed), comment: 'changed my mind' } }))).toMatch(/already have your rating/i);

  clock.set(`${DAY}T10:00:00Z`);
  await guideFixed(d, 'c-2', 'slack');
  expect(words(await d.turn('c-2', { text: '3 - took a while to find the menu' }, 'slack'))).toMatch(/thank you/i);

  clock.set(`${DAY}T11:00:00Z`);
  const handoffId = await handoffClosed(d, 'c-3');
  const afterHandoff = await d.proactive('c-3');
  expect(words(await d.turn('c-3', { value: { csat: 4, surveyId: surveyIdIn(afterHandoff), comment: 'Dana fixed it on the call' } }))).toMatch(/thank you/i);

  clock.set(`${DAY}T12:00:00Z`);
  const ticketId = await ticketResolved(d, 'c-4');
  const afterTicket = await d.proactive('c-4');
  expect(words(await d.turn('c-4', { value: { csat: 2, surveyId: surveyIdIn(afterTicket), comment: 'Took three days' } }))).toMatch(/thank you/i);

  clock.set(`${DAY}T13:00:00Z`);
  const noComment = await guideFixed(d, 'c-5');
  expect(words(await d.turn('c-5', { value: { csat: 1, surveyId: surveyIdIn(noComment) } }))).toMatch(/thank you/i);

  clock.set(`${LATER_DAY}T08:00:00Z`);
  const later = await guideFixed(d, 'c-6');
  expect(words(await d.turn('c-6', { value: { csat: 5, surveyId: surveyIdIn(later), comment: 'Second visit, still great' } }))).toMatch(/thank you/i);
  return { handoffId, ticketId };
}

/** What staff read of answerSurveys, by range, channel and limit. */
async function checkComments(d: Desk, ids: { handoffId: string; ticketId: string }) {
  const day = await d.comments(`from=${DAY}&to=${DAY}`);
  expect(day.status).toBe(200);
  expect(day.comments.map((c) => c.comment)).toEqual(['Took three days', 'Dana fixed it on the call', 'took a while to find the menu', 'Clear steps, thanks']);
  expect(day.comments[0]).toEqual({ answeredAt: expect.stringMatching(new RegExp(`^${DAY}T12:`)), channel: 'webchat', rating: 2, after: 'ticket_resolved', comment: 'Took three days', ticketId: ids.ticketId });
  expect(day.comments[1]).toMatchObject({ rating: 4, after: 'handoff_closed', channel: 'webchat', handoffId: ids.handoffId });
  expect(day.comments[1]?.ticketId).toBeUndefined();
  expect(day.comments[2]).toMatchObject({ rating: 3, after: 'guide_fixed', channel: 'slack' });
  expect(day.comments[3]).toMatchObject({ rating: 5, after: 'guide_fixed', channel: 'webchat' });

  // Outside the range: nothing; the later day alone; both days newest first, and a limit.
  expect((await d.comments(`from=2026-03-03&to=2026-03-04`)).comments).toEqual([]);
  expect((await d.comments(`from=2026-02-01&to=2026-03-01`)).comments).toEqual([]);
  expect((await d.comments(`from=${LATER_DAY}&to=${LATER_DAY}`)).comments.map((c) => c.comment)).toEqual(['Second visit, still great']);
  expect((await d.comments(`from=2026-03-01&to=2026-03-31`)).comments.map((c) => c.rating)).toEqual([5, 2, 4, 3, 5]);
  expect((await d.comments(`from=2026-03-01&to=2026-03-31&limit=2`)).comments.map((c) => c.comment)).toEqual(['Second visit, still great', 'Took three days']);
  // One channel.
  expect((await d.comments(`from=2026-03-01&to=2026-03-31&channel=slack`)).comments.map((c) => c.comment)).toEqual(['took a while to find the menu']);
  expect((await d.comments(`from=2026-03-01&to=2026-03-31&channel=msteams`)).comments).toEqual([]);
}

async function checkRefusals(d: Desk) {
  expect((await d.comments(`from=${DAY}&to=${DAY}`, null)).status).toBe(401);
  expect((await d.comments(`from=${DAY}&to=${DAY}`, 'not-a-token')).status).toBe(401);
  for (const bad of [`from=${LATER_DAY}&to=${DAY}`, `to=${DAY}`, `from=${DAY}&to=${DAY}&limit=0`, `from=${DAY}&to=${DAY}&limit=many`, `from=${DAY}&to=${DAY}&channel=a%20b`]) {
    const res = await d.comments(bad);
    expect(res.status, bad).toBe(400);
    expect(res.message, bad).toMatch(/^query: /);
  }
}

describe('memory store', () => {
  test('staff read the comments of a range through the API; 401 without the token, 400 on a bad query; never in logs or outcome events', async () => {
    const clock = settableClock();
    const stores = documentStores(new MemoryDocumentStore());
    const d = await startDesk(stores, clock.now);
    const ids = await answerSurveys(d, clock);
    await checkComments(d, ids);
    await checkRefusals(d);
    expect(d.lines.join('')).not.toMatch(/Took three days|Clear steps|Dana fixed it|find the menu/);
    const events = JSON.stringify(await new DocumentConversationOutcomes(stores.documents).eventsOf(DAY));
    expect(events).toContain('"hasComment":true');
    expect(events).not.toMatch(/Took three days|Clear steps|Dana fixed it|find the menu/);
  });
});

describe('lowdb', () => {
  test('the comments survive a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'survey-comments-'));
    try {
      const clock = settableClock();
      const first = documentStores(await LowdbDocumentStore.open(dir));
      const a = await startDesk(first, clock.now);
      const ids = await answerSurveys(a, clock);
      await a.stop();
      await first.close();

      const reopened = documentStores(await LowdbDocumentStore.open(dir));
      closers.push(() => reopened.close());
      await checkComments(await startDesk(reopened, clock.now), ids);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL', async () => {
  const available = await postgresAvailable('survey comments on PostgreSQL (survey_comments table)');
  test.skipIf(!available)('answered on one instance, read on another; a retried answer adds no second row; outcome rows hold no comment', async () => {
    const database: PgDatabase = await freshDatabase();
    const clock = settableClock();
    const a = await startDesk(await postgresStores(database), clock.now);
    const b = await startDesk(await postgresStores(database), clock.now);
    const ids = await answerSurveys(a, clock);
    await checkComments(b, ids);
    await checkRefusals(b);
    const rows = await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM survey_comments');
    expect(rows.rows[0]?.n).toBe(5);
    const outcomes = await database.pool.query<{ fact: unknown }>("SELECT fact FROM conversation_outcomes WHERE kind = 'csat'");
    expect(outcomes.rows).toHaveLength(6);
    expect(JSON.stringify(outcomes.rows)).not.toMatch(/Took three days|Clear steps|Dana fixed it|find the menu/);
  });
});
