import { afterEach, describe, expect, test } from 'vitest';
import { surveyActivities } from '../../dialogs/rendering/surveyCard.js';
import { ratingFromText, SURVEY_QUESTION } from '../../src/domain/insights/SatisfactionSurvey.js';
import { createApp } from '../../src/http/app.js';
import { listen } from '../../src/server.js';
import { DocumentSurveyStore } from '../../src/storage/DocumentSurveyStore.js';
import { documentStores, postgresStores, type SupportStores } from '../../src/storage/SupportStores.js';
import { ADAPTIVE_CARD, cardActivityProblems, slackProblems, teamsSizeProblems } from '../channels/channelPayloads.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { freshDatabase, postgresAvailable } from '../helpers/postgres.js';
import { relaxedLimits, silentLogger, testDesk } from '../helpers/testBot.js';
import { customerOverHttp, fakeChannelConnector, type Sent } from '../helpers/customerOverHttp.js';

/**
 * The satisfaction survey as customers meet it: over /api/messages (expectReplies), with proactive
 * messages (a closed handoff, a resolved ticket) posted to a fake channel connector, on the
 * production wiring (testDesk). What counts is read back from the Insights figures.
 */


const DAY = '2026-03-02';
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A clock that moves on a millisecond each time it is read: lines of the transcript keep their order. */
function tickingClock(start = `${DAY}T10:00:00Z`): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1));
}

/** The desk on its stores, behind /api/messages, and a connector that keeps what is posted to it. */
async function startDesk(stores: SupportStores = documentStores(new MemoryDocumentStore()), now: () => Date = tickingClock()) {
  const connector = await fakeChannelConnector();
  closers.push(connector.close);
  const { url: connectorUrl, received: posted } = connector;

  const desk = await testDesk(now, { stores });
  const app = createApp({ logger: silentLogger, readiness: { checks: async () => ({ ok: true }) }, limits: relaxedLimits(), plugins: [desk.botFramework] });
  const botUrl = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  closers.push(async () => {
    await new Promise<void>((r) => app.close(() => r()));
    await desk.deliveries.drain(1000);
  });

  const turn = customerOverHttp(botUrl, connectorUrl);

  /** What reached the conversation proactively, once the outbox is idle (every message sent or given up). */
  async function proactive(conversationId: string): Promise<Sent[]> {
    await desk.deliveries.idle();
    return posted.filter((p) => p.conversationId === conversationId).map((p) => p.activity);
  }

  const csat = async () => (await stores.outcomes.figures({ from: DAY, to: DAY })).csat;
  return { desk, stores, turn, proactive, csat, connectorUrl };
}

type Desk = Awaited<ReturnType<typeof startDesk>>;

const words = (replies: Sent[]) => replies.map((r) => r.text ?? r.summary ?? '').join('\n');
const surveyCardOf = (replies: Sent[]) => replies.find((r) => r.attachments?.some((a) => a.contentType === ADAPTIVE_CARD && JSON.stringify(a.content).includes('"csat"')));

/** The survey id the card's buttons post back. */
function surveyIdOf(activity: Sent | undefined): string {
  const id = /"surveyId":"([^"]+)"/.exec(JSON.stringify(activity ?? {}).replace(/\\"/g, '"'))?.[1];
  if (!id) throw new Error(`no survey in ${JSON.stringify(activity)}`);
  return id;
}

/** A troubleshooting guide that the customer says fixed it: the replies of the "fixed" turn. */
async function guideFixed(d: Desk, conversationId: string, channelId = 'webchat'): Promise<Sent[]> {
  const guide = await d.turn(conversationId, { text: 'my DVR stopped recording' }, channelId);
  expect(words(guide)).toMatch(/did that fix it/i);
  return d.turn(conversationId, { text: 'Yes, fixed' }, channelId);
}

/** A customer queued for a person, accepted and closed by staff. */
async function handoffClosed(d: Desk, conversationId: string, channelId = 'webchat') {
  await d.turn(conversationId, { text: 'my camera has no picture at night' }, channelId);
  expect(words(await d.turn(conversationId, { text: 'talk to a person' }, channelId))).toMatch(/queue|number 1|next/i);
  const open = await d.desk.handoffs.openFor(`${channelId}/${conversationId}`);
  if (!open) throw new Error('no handoff was queued');
  await d.desk.handoffs.accept(open.id, 'dana');
  await d.desk.handoffs.close(open.id, 'dana', 'Firmware updated');
  return open;
}

/** A ticket of this conversation, opened by the bot and resolved by staff. */
async function ticketResolved(d: Desk, conversationId: string, channelId = 'webchat') {
  const ticket = await d.desk.tickets.open(
    {
      customer: { channelId, userId: `user-${conversationId}` },
      summary: 'NVR reboots every night',
      address: { channelId, serviceUrl: d.connectorUrl, conversation: { id: conversationId }, bot: { id: 'bot' }, user: { id: `user-${conversationId}` } },
    },
    'bot',
  );
  await d.desk.tickets.update(ticket.id, { status: 'resolved' }, 'staff:dana');
  return ticket;
}

describe('after a guide fixed the problem (Web Chat)', () => {
  test('the rating card comes after "glad it is working", a click with a comment is counted once, and the bot asks what else', async () => {
    const d = await startDesk();
    const fixed = await guideFixed(d, 'g-1');
    expect(words(fixed)).toMatch(/glad it's working/i);
    const card = surveyCardOf(fixed);
    expect(card, words(fixed)).toBeDefined();
    expect(cardActivityProblems(card as Sent)).toEqual([]);
    const surveyId = surveyIdOf(card);

    const thanked = await d.turn('g-1', { value: { csat: 5, surveyId, comment: 'Clear steps, thanks' } });
    expect(words(thanked)).toMatch(/thank you for your rating and your comment/i);
    expect(words(thanked)).toMatch(/anything else/i);
    expect(await d.csat()).toEqual({ responses: 1, average: 5, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 1 } });

    // The same button again (a double click, an old card): thanked, not counted.
    expect(words(await d.turn('g-1', { value: { csat: 1, surveyId } }))).toMatch(/already have your rating/i);
    expect((await d.csat()).responses).toBe(1);
    // The comment stays with the survey, for staff; the outcome event only says there was one.
    expect((await new DocumentSurveyStore(d.stores.documents).ofConversation('webchat/g-1'))?.answer).toMatchObject({ rating: 5, comment: 'Clear steps, thanks' });
  });

  test('a typed "4/5" answers the card', async () => {
    const d = await startDesk();
    expect(surveyCardOf(await guideFixed(d, 'g-2'))).toBeDefined();
    expect(words(await d.turn('g-2', { text: '4/5' }))).toMatch(/thank you for your rating!/i);
    expect((await d.csat()).distribution['4']).toBe(1);
  });

  test('an angry comment with a low rating is the rating, not a reason to bring in a person', async () => {
    const d = await startDesk();
    expect(surveyCardOf(await guideFixed(d, 'g-4'))).toBeDefined();
    const reply = await d.turn('g-4', { text: '1 - useless, terrible, what a waste of my time' });
    expect(words(reply)).toMatch(/thank you for your rating and your comment/i);
    expect(words(reply)).not.toMatch(/person from our support team/i);
    expect((await d.csat()).distribution['1']).toBe(1);
    expect(await d.desk.handoffs.openFor('webchat/g-4')).toBeNull();
  });

  test('a new problem typed instead of a rating is triaged, and the survey is not asked again in the conversation', async () => {
    const d = await startDesk();
    expect(surveyCardOf(await guideFixed(d, 'g-3'))).toBeDefined();
    const next = await d.turn('g-3', { text: 'my DVR stopped recording again' });
    expect(words(next)).toMatch(/did that fix it/i);
    const again = await d.turn('g-3', { text: 'Yes, fixed' });
    expect(words(again)).toMatch(/glad it's working/i);
    expect(surveyCardOf(again)).toBeUndefined();
    expect((await d.csat()).responses).toBe(0);
  });
});

describe('after a handoff closes', () => {
  test('the survey follows the closing message to the same conversation; a later click is counted', async () => {
    const d = await startDesk();
    await handoffClosed(d, 'h-1');
    const sent = await d.proactive('h-1');
    const closing = sent.findIndex((a) => /closed the chat/.test(a.text ?? ''));
    const survey = sent.findIndex((a) => surveyCardOf([a]));
    expect(closing).toBeGreaterThanOrEqual(0);
    expect(survey).toBe(closing + 1);
    expect(cardActivityProblems(sent[survey] as Sent)).toEqual([]);

    // No dialog asked it: the click is taken before triage, never read as a problem.
    const thanked = await d.turn('h-1', { value: { csat: 2, surveyId: surveyIdOf(sent[survey]) } });
    expect(words(thanked)).toMatch(/thank you for your rating\. We'll use it/i);
    expect(words(thanked)).not.toMatch(/did that fix it|which device|describe/i);
    expect(await d.csat()).toMatchObject({ responses: 1, distribution: { '2': 1 } });
  });

  test('Slack gets Block Kit buttons and a comment box; the click with its comment is counted', async () => {
    const d = await startDesk();
    await handoffClosed(d, 's-1', 'slack');
    const sent = await d.proactive('s-1');
    const survey = sent.find((a) => JSON.stringify(a.channelData ?? {}).includes('csat_'));
    expect(survey, JSON.stringify(sent)).toBeDefined();
    expect(slackProblems(survey as Sent)).toEqual([]);
    const blocks = (survey?.channelData as { blocks: Array<{ type: string; elements?: Array<{ value?: string }> }> }).blocks;
    expect(blocks.map((b) => b.type)).toEqual(['section', 'input', 'actions']);
    const five = blocks[2]?.elements?.[4]?.value ?? '';
    expect(JSON.parse(five)).toMatchObject({ csat: 5 });

    // What the Bot Framework Slack channel relays for a block_actions click, with the comment box's text.
    const payload = { type: 'block_actions', actions: [{ action_id: 'csat_5', block_id: 'csat', value: five }], state: { values: { csat_comment: { comment: { type: 'plain_text_input', value: 'Dana was quick' } } } } };
    expect(words(await d.turn('s-1', { text: '', channelData: { Payload: payload } }, 'slack'))).toMatch(/rating and your comment/i);
    expect(await d.csat()).toMatchObject({ responses: 1, distribution: { '5': 1 } });
  });
});

describe('when a ticket is resolved', () => {
  test('the survey follows the status message; a typed "5 - great help" answers it once', async () => {
    const d = await startDesk();
    await d.turn('t-1', { text: 'hello' });
    await ticketResolved(d, 't-1');
    const sent = await d.proactive('t-1');
    expect(sent.map((a) => a.text ?? a.summary)).toEqual([expect.stringMatching(/status is now resolved/), SURVEY_QUESTION]);
    expect(words(await d.turn('t-1', { text: '5 - great help' }))).toMatch(/rating and your comment/i);
    // A second typed rating is no answer any more: it goes to the bot as any message does.
    expect(words(await d.turn('t-1', { text: '1' }))).not.toMatch(/rating/i);
    expect(await d.csat()).toMatchObject({ responses: 1, distribution: { '5': 1, '1': 0 } });
  });

  test('only once per conversation: a closed handoff, then a resolved ticket, survey once', async () => {
    const d = await startDesk();
    await handoffClosed(d, 'o-1');
    await ticketResolved(d, 'o-1');
    const surveys = (await d.proactive('o-1')).filter((a) => surveyCardOf([a]));
    expect(surveys).toHaveLength(1);
  });

  test('never during a handoff: a ticket resolved while the customer waits for a person asks nothing, and a typed "5" goes to the agent', async () => {
    const d = await startDesk();
    await d.turn('w-1', { text: 'my camera has no picture at night' });
    await d.turn('w-1', { text: 'talk to a person' });
    await ticketResolved(d, 'w-1');
    expect((await d.proactive('w-1')).filter((a) => surveyCardOf([a]))).toEqual([]);
    await d.turn('w-1', { text: '5' });
    const open = await d.desk.handoffs.openFor('webchat/w-1');
    expect(open?.transcript.at(-1)).toMatchObject({ from: 'customer', text: '5' });
    expect((await d.csat()).responses).toBe(0);
  });
});

test('a survey click from another conversation is ignored politely and not counted', async () => {
  const d = await startDesk();
  await handoffClosed(d, 'a-1');
  const surveyId = surveyIdOf((await d.proactive('a-1')).find((a) => surveyCardOf([a])));
  const reply = await d.turn('b-1', { value: { csat: 5, surveyId } });
  expect(words(reply)).toMatch(/isn't open in this conversation/i);
  expect((await d.csat()).responses).toBe(0);
});

test('Teams gets the card with a comment box, five buttons, full width, within its size limit', () => {
  const [card] = surveyActivities('msteams', { surveyId: 'abc' }, SURVEY_QUESTION);
  expect(cardActivityProblems(card as Sent)).toEqual([]);
  expect(teamsSizeProblems(card as Sent)).toEqual([]);
  const content = (card as Sent).attachments?.[0]?.content as { body: Array<{ type: string }>; actions: Array<{ data: unknown }>; msteams?: unknown };
  expect(content.body.map((e) => e.type)).toContain('Input.Text');
  expect(content.actions.map((a) => a.data)).toEqual([1, 2, 3, 4, 5].map((csat) => ({ csat, surveyId: 'abc' })));
  expect(content.msteams).toEqual({ width: 'Full' });
  // Channels without buttons get the question as words.
  expect(surveyActivities('sms', { surveyId: 'abc' }, SURVEY_QUESTION)).toEqual([expect.objectContaining({ text: SURVEY_QUESTION })]);
});

test.each([
  ['4', { rating: 4 }],
  ['4/5', { rating: 4 }],
  ['4 / 5', { rating: 4 }],
  ['3 out of 5', { rating: 3 }],
  ['5 stars', { rating: 5 }],
  ['★★', { rating: 2 }],
  ['Great!', { rating: 5 }],
  ['poor', { rating: 2 }],
  ['5 - quick and clear', { rating: 5, comment: 'quick and clear' }],
  ['4/5 slow to start', { rating: 4, comment: 'slow to start' }],
  ['5 cameras are offline', null],
  ['4.5', null],
  ['6', null],
  ['good morning', null],
  ['my DVR stopped recording', null],
])('typed rating %j', (text, expected) => {
  expect(ratingFromText(text)).toEqual(expected);
});

describe('PostgreSQL: two instances share the survey', async () => {
  const available = await postgresAvailable('the satisfaction survey across two instances');
  test.skipIf(!available)('asked once across instances, answered once across instances, and kept across a restart', async () => {
    const database = await freshDatabase();
    const a = await startDesk(await postgresStores(database));
    const b = await startDesk(await postgresStores(database));
    // The customer talks to instance A; staff close the handoff on A, resolve a ticket on B.
    await handoffClosed(a, 'pg-1');
    await ticketResolved(b, 'pg-1');
    // The shared outbox (the `deliveries` table) sent the card once, after the closing message, to the customer's address.
    await b.proactive('pg-1');
    const sent = await a.proactive('pg-1');
    expect(sent.filter((x) => surveyCardOf([x]))).toHaveLength(1);
    expect(sent.findIndex((x) => surveyCardOf([x]))).toBe(sent.findIndex((x) => /closed the chat/.test(x.text ?? '')) + 1);
    const survey = await new DocumentSurveyStore(a.stores.documents).ofConversation('webchat/pg-1');
    expect(survey?.after).toBe('handoff_closed');
    // One click reaches B, the same click retried reaches A: one response.
    expect(words(await b.turn('pg-1', { value: { csat: 4, surveyId: survey?.id } }))).toMatch(/thank you/i);
    expect(words(await a.turn('pg-1', { value: { csat: 4, surveyId: survey?.id } }))).toMatch(/already have your rating/i);
    expect((await a.csat()).responses).toBe(1);
    // A third instance started later sees the same survey, answered.
    const c = await startDesk(await postgresStores(database));
    expect(words(await c.turn('pg-1', { value: { csat: 1, surveyId: survey?.id } }))).toMatch(/already have your rating/i);
  });
});
