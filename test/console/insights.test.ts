import { EventEmitter } from 'node:events';
import http from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InsightsFiguresSchema, type InsightsFigures } from '../../src/domain/insights/InsightsFigures.js';
import { agentConsolePlugin, CONSOLE_CSP } from '../../src/http/agentConsole.js';
import { createApp } from '../../src/http/app.js';
import { insightsApiPlugin } from '../../src/http/insightsApi.js';
import { staffApiPlugin } from '../../src/http/staffApi.js';
import { listen } from '../../src/server.js';
import { documentStores } from '../../src/storage/SupportStores.js';
import { supportJobs } from '../../src/supportJobs.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { relaxedLimits, SAMPLE_REGISTRY_DAY, silentLogger, testDesk, trainedTriage } from '../helpers/testBot.js';

const hasChromium = chromiumAvailable('insights.test');

/** The README shows this one (written with CONSOLE_SCREENSHOT=1, like the console's). */
const SCREENSHOT = path.join(import.meta.dirname, '__screenshots__', 'insights.png');
/** The day everything is recorded on; the browser's clock says the same, so nothing depends on today. */
const START = new Date(SAMPLE_REGISTRY_DAY);

/**
 * The app as main.ts builds it (the bot over /api/messages, the staff API, the Insights API, the
 * console) on an in-memory store, with a clock the test moves, and a fake channel connector that
 * takes the bot's proactive messages (an agent's, the survey after a handoff).
 */
async function startServer() {
  let now = START;
  const received: string[] = [];
  const arrivals = new EventEmitter();
  const connector = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(body);
      arrivals.emit('activity');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"x"}');
    });
  });
  /** Resolves when the connector has received an activity whose JSON matches (a signal, not a sleep). */
  const delivered = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no activity matching ${pattern} reached the channel`)), 10_000);
      const check = () => {
        if (!received.some((b) => pattern.test(b))) return;
        clearTimeout(timer);
        arrivals.off('activity', check);
        resolve();
      };
      arrivals.on('activity', check);
      check();
    });
  await new Promise<void>((resolve) => connector.listen(0, '127.0.0.1', resolve));
  const stores = documentStores(new MemoryDocumentStore());
  const desk = await testDesk(() => now, { stores });
  // The first-response check is a scheduled job in main.ts; the test runs it when it moves the clock.
  const jobs = supportJobs({ desk, stores, conversationTtlMs: 30 * 86_400_000, logger: silentLogger, now: () => now });
  const app = createApp({
    logger: silentLogger,
    readiness: { checks: async () => ({ ok: true }) },
    limits: relaxedLimits(),
    plugins: [desk.botFramework, staffApiPlugin(desk.staffApi), insightsApiPlugin({ tokens: desk.staffTokens, insights: desk.insights, comments: desk.surveyComments, guideTitles: await guideTitles(), logger: silentLogger }), agentConsolePlugin],
  });
  const url = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  const token = await desk.staffTokens.create('dana');
  return {
    url,
    token,
    desk,
    connectorUrl: `http://127.0.0.1:${(connector.address() as AddressInfo).port}`,
    delivered,
    jobs,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    close: async () => {
      await new Promise<void>((resolve) => app.close(() => resolve()));
      await new Promise<void>((resolve) => connector.close(() => resolve()));
    },
  };
}

type Server = Awaited<ReturnType<typeof startServer>>;

let messageSeq = 0;
/** One customer turn over /api/messages; the bot's replies come back in the response (expectReplies). */
async function customerSays(server: Server, channelId: string, conversation: string, text: string): Promise<string> {
  messageSeq += 1;
  const res = await fetch(`${server.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', id: `m${messageSeq}`, text, channelId, serviceUrl: server.connectorUrl, deliveryMode: 'expectReplies',
      from: { id: `customer-${conversation}`, name: 'Customer' }, recipient: { id: 'bot' }, conversation: { id: conversation },
    }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { activities?: Array<{ type: string; text?: string }> };
  return (body.activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '').join('\n');
}

async function staffCall(server: Server, method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(res.status, `${method} ${route}`).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

/**
 * Five conversations, driven as customers and staff would, whose figures are counted by hand in the test:
 * - webchat w-fixed: a guide, "Yes, fixed", rated 5 with a comment → resolved by the bot, CSAT 5;
 * - webchat w-person: a guide, "talk to a person" → handoff (asked), accepted 4 minutes later, closed, rated 4 with a comment;
 * - webchat w-warranty: a serial whose warranty ended → warranty check "expired";
 * - slack s-router: another maker's router → out of scope, third_party_equipment;
 * - slack s-ticket: a guide that did not help → a ticket, which staff resolve within the 2 hours.
 */
async function seedConversations(server: Server): Promise<{ handoffId: string }> {
  const say = (channel: string, conversation: string, text: string) => customerSays(server, channel, conversation, text);

  expect(await say('webchat', 'w-fixed', 'my dvr stopped recording, hdd error on screen')).toMatch(/Did that fix it/);
  expect(await say('webchat', 'w-fixed', 'Yes, fixed')).toMatch(/glad/);
  expect(await say('webchat', 'w-fixed', '5 - clear steps, thanks')).toMatch(/Thank you for your rating/);

  expect(await say('webchat', 'w-person', 'no video on channel 2, black screen')).toMatch(/Did that fix it/);
  expect(await say('webchat', 'w-person', 'talk to a person')).toMatch(/number 1 in the queue/);
  const waiting = (await staffCall(server, 'GET', '/api/handoffs?status=waiting')) as { items: Array<{ id: string }> };
  const handoffId = waiting.items[0]!.id;
  server.advance(4 * 60_000);
  await staffCall(server, 'POST', `/api/handoffs/${handoffId}/accept`);
  await staffCall(server, 'POST', `/api/handoffs/${handoffId}/close`, { note: 'Camera replaced.' });
  // The survey follows the closing message through the outbox to the channel; a typed rating answers it.
  await server.delivered(/surveyId/);
  expect(await say('webchat', 'w-person', '4 - the agent was quick')).toMatch(/Thank you for your rating/);

  expect(await say('webchat', 'w-warranty', 'warranty status for SL-DVR8-241128-0106 please')).toMatch(/Found it/);

  expect(await say('slack', 's-router', 'how do i configure the vlan and port forwarding on my cisco switch and netgear router')).toMatch(/Other manufacturers' equipment/);

  await say('slack', 's-ticket', 'forgot the admin password of my NVR, locked out');
  expect(await say('slack', 's-ticket', 'No, still broken')).toMatch(/Open a ticket/);
  await say('slack', 's-ticket', 'Open a ticket');
  await say('slack', 's-ticket', 'Dana Tran, 0903 112 458');
  await say('slack', 's-ticket', 'SL-NVR32');
  const opened = await say('slack', 's-ticket', 'Open the ticket');
  const ticketId = /T-\d+/.exec(opened)?.[0];
  expect(ticketId, opened).toBeDefined();
  await staffCall(server, 'PATCH', `/api/tickets/${ticketId}`, { status: 'resolved' });
  // Past the 2-hour due time the check settles the ticket: staff answered (resolved it) in time.
  server.advance(2 * 3_600_000 + 60_000);
  expect(await server.jobs.firstResponse.check()).toEqual({ breached: [], met: 1 });
  return { handoffId };
}

/** Only the console's static files: what the browser is served, before any data. */
async function startStaticServer() {
  const app = createApp({ logger: silentLogger, readiness: { checks: async () => ({}) }, limits: relaxedLimits(), plugins: [agentConsolePlugin] });
  const url = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  return { url, close: () => new Promise<void>((resolve) => app.close(() => resolve())) };
}

describe('insights page: static files', () => {
  let server: Awaited<ReturnType<typeof startStaticServer>>;
  beforeAll(async () => {
    server = await startStaticServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  test.each([
    ['/agent/insights', 'text/html; charset=utf-8', '<title>Insights'],
    ['/agent/insights.js', 'text/javascript; charset=utf-8', '/api/insights?'],
    ['/agent/insights.css', 'text/css; charset=utf-8', '.tiles'],
  ])('GET %s: content type, no-cache and the console CSP', async (route, type, snippet) => {
    const res = await fetch(`${server.url}${route}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(await res.text()).toContain(snippet);
  });

  test('no external resources, no inline script or style, data never parsed as HTML', async () => {
    const html = await (await fetch(`${server.url}/agent/insights`)).text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    const js = await (await fetch(`${server.url}/agent/insights.js`)).text();
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    // SVG namespace aside, the script loads nothing from elsewhere.
    expect(js.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
  });

  test('the console links to the page', () => {
    const console = readFileSync(path.join(import.meta.dirname, '..', '..', 'src', 'http', 'console', 'index.html'), 'utf8');
    expect(console).toContain('href="/agent/insights"');
  });
});

describe.skipIf(!hasChromium)('insights page in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seeded: { handoffId: string };
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    seeded = await seedConversations(server);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, timezoneId: 'UTC', locale: 'en-US', acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    // The page's "last 30 days" counts back from the day the figures were recorded on; staff look
    // three hours after the first conversation (after the seeded ticket's 2-hour check).
    await page.clock.setFixedTime(new Date(START.getTime() + 3 * 3_600_000));
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('response', (res) => {
      // 400 and 401 are provoked on purpose below.
      if (res.status() >= 400 && ![400, 401].includes(res.status())) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/\b(400|401)\b/.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  /** The figures as the API answers them, to compare with what the page shows. */
  async function figures(query: string): Promise<InsightsFigures> {
    const res = await fetch(`${server.url}/api/insights?${query}`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(res.status).toBe(200);
    return InsightsFiguresSchema.parse(await res.json());
  }

  const tile = (id: string) => page.locator(`#tile-${id} .value`).textContent();
  const tileSub = (id: string) => page.locator(`#tile-${id} .sub`).textContent();
  /** Waits until the figures of exactly this query are on screen (the page marks what it shows). */
  const shown = (query: string) => page.locator(`#insights[data-state="ready"][data-loaded-query="${query}"]`).waitFor();

  test('staff see the last 30 days, filter by channel, download the CSV; a bad range and a revoked token are told', async () => {
    const all = 'from=2026-10-30&to=2026-11-28';
    const slack = `${all}&channel=slack`;

    // Without a token the page asks for one; a wrong one is refused.
    await page.goto(`${server.url}/agent/insights`);
    await page.getByLabel('Staff token').fill('cst_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toContain('That token was not accepted');

    // Signing in on the console is enough: its Insights link opens the page signed in.
    await page.goto(`${server.url}/agent`);
    await page.getByLabel('Staff token').fill(server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Insights' }).click();
    await shown(all);
    expect(await page.locator('#signin').isHidden()).toBe(true);
    expect(await page.locator('#agent-name').textContent()).toBe('dana');
    expect(await page.locator('#from').inputValue()).toBe('2026-10-30');
    expect(await page.locator('#to').inputValue()).toBe('2026-11-28');
    expect(await page.locator('#range-summary').textContent()).toBe('Oct 30, 2026 to Nov 28, 2026, all channels.');

    // The tiles: counted by hand from the conversations seeded below.
    expect(await tile('conversations')).toBe('5');
    expect(await tile('resolved')).toBe('1'); // w-fixed
    expect(await tile('containment')).toBe('60%'); // 3 of 5: w-fixed, w-warranty, s-router
    expect(await tile('handoffs')).toBe('1'); // w-person
    expect(await tile('tickets')).toBe('1'); // s-ticket
    expect(await tileSub('tickets')).toBe('1 resolved');
    expect(await tile('queue-wait')).toBe('4 min'); // accepted 240 s after the request
    expect(await tile('csat')).toBe('4.5 / 5'); // a 5 after the guide, a 4 after the handoff
    expect(await tileSub('csat')).toBe('2 responses');
    expect(await tile('sla')).toBe('1 of 1'); // s-ticket
    expect(await tileSub('sla')).toBe('0 breached');
    // The tiles draw the API's answer (and the hand count is the API's too).
    expect(await figures(all)).toMatchObject({ conversations: 5, resolvedByBot: 1, containmentRate: 0.6, queueWaitMedianSeconds: 240 });

    // Charts: a labelled SVG and a table with the same numbers.
    const handoffChart = page.locator('#chart-handoffs svg[role="img"]');
    expect(await handoffChart.getAttribute('aria-label')).toBe('Handoffs by trigger: Asked for a person 1, Bot failed twice 0, Customer upset (sentiment) 0, After hours (ticket offered) 0.');
    const rowOf = (chart: string, label: string) => page.locator(`#chart-${chart} table tr`, { has: page.locator('th', { hasText: label }) }).locator('td');
    expect(await rowOf('csat', '5 ★★★★★').textContent()).toBe('1');
    expect(await rowOf('csat', '4 ★★★★').textContent()).toBe('1');
    expect(await rowOf('clauses', "Other makers' equipment").textContent()).toBe('1');
    expect(await rowOf('warranty', 'Expired').textContent()).toBe('1');
    // One topic per request: the guide shown, or the intent; the router question is out of scope instead.
    const topicRows = await page.locator('#chart-topics tbody tr').evaluateAll((rows) => rows.map((r) => `${r.querySelector('th')?.textContent} ${r.querySelector('td')?.textContent}`));
    // Read as staff know them: the guides' own titles, the intent in words.
    expect(topicRows).toEqual([
      'Forgotten password or locked out of the recorder 1',
      'No video, video loss, or a black/blue screen on a channel 1',
      'Recorder not recording, HDD error, HDD not detected, or disk full 1',
      'Warranty questions 1',
    ]);
    expect(await page.locator('#chart-clauses svg').getAttribute('aria-label')).toContain("Other makers' equipment 1");

    // What customers wrote: the two survey comments, newest first, with rating, when, channel and what they followed.
    const comments = page.locator('#comment-list > li');
    expect(await comments.count()).toBe(2);
    expect(await page.locator('#comments-empty').isHidden()).toBe(true);
    const person = comments.nth(0);
    expect(await person.locator('blockquote').textContent()).toBe('the agent was quick');
    expect(await person.locator('.stars').textContent()).toBe('★★★★☆ 4/5');
    expect(await person.locator('.stars').getAttribute('aria-label')).toBe('4 out of 5');
    expect(await person.locator('time').textContent()).toBe('3 hours ago');
    expect(await person.locator('time').getAttribute('datetime')).toMatch(/^2026-11-28T09:04:/);
    expect(await person.locator('.channel').textContent()).toBe('webchat');
    expect(await person.locator('.ref').textContent()).toBe(`Handoff ${seeded.handoffId}`);
    expect(await person.textContent()).toContain('after a chat with an agent');
    const fixed = comments.nth(1);
    expect(await fixed.locator('blockquote').textContent()).toBe('clear steps, thanks');
    expect(await fixed.locator('.stars').textContent()).toBe('★★★★★ 5/5');
    expect(await fixed.textContent()).toContain('after a guide fixed it');
    expect(await fixed.locator('.ref').count()).toBe(0);

    if (process.env.CONSOLE_SCREENSHOT) {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, type: 'png', fullPage: true });
    }

    // One channel: Slack had the out-of-scope router question and the ticket.
    await page.getByLabel('Channel', { exact: true }).selectOption('slack');
    await shown(slack);
    expect(await tile('conversations')).toBe('2');
    expect(await tile('resolved')).toBe('0');
    expect(await tile('containment')).toBe('50%');
    expect(await tile('handoffs')).toBe('0');
    expect(await tile('tickets')).toBe('1');
    expect(await tile('sla')).toBe('1 of 1');
    expect(await tile('queue-wait')).toBe('—');
    expect(await tile('csat')).toBe('—');
    // Nobody on Slack left a comment.
    expect(await page.locator('#comment-list > li').count()).toBe(0);
    expect(await page.locator('#comments-empty').isVisible()).toBe(true);
    expect(await page.locator('#range-summary').textContent()).toBe('Oct 30, 2026 to Nov 28, 2026, channel slack.');
    expect(new URL(page.url()).search).toBe(`?${slack}`);

    // The CSV of the same filters, fetched with the token and saved as a file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('insights-2026-10-30-2026-11-28-slack.csv');
    const csv = readFileSync(await download.path(), 'utf8').split(/\r?\n/);
    expect(csv[0]).toBe('metric,value');
    expect(csv).toEqual(expect.arrayContaining(['from,2026-10-30', 'to,2026-11-28', 'channel,slack', 'conversations,2', 'resolvedByBot,0', 'tickets.opened,1', 'outOfScopeByClause.third_party_equipment,1']));

    // A range the server refuses: its reason is shown, nothing else changes.
    await page.getByLabel('From').fill('2026-12-05');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#insights[data-state="error"]').waitFor();
    expect(await page.locator('#notice').textContent()).toMatch(/^Cannot show these figures: query: .*"from" is after "to"/);
    expect(await page.locator('#insights').isVisible()).toBe(true);

    // A revoked token: back to the sign-in form, and the token is forgotten.
    await server.desk.staffTokens.revoke('dana');
    await page.getByLabel('From').fill('2026-11-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#signin').waitFor();
    expect(await page.locator('#notice').textContent()).toContain('no longer accepts your token');
    expect(await page.locator('#insights').isHidden()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('camsupport.staffToken'))).toBeNull();

    expect(problems).toEqual([]);
  });
});

/** The guides' titles by id, as the composition root passes them to the Insights API. */
async function guideTitles(): Promise<Map<string, string>> {
  const { knowledge } = await trainedTriage();
  return new Map(knowledge.guides.map((g) => [g.id, g.title]));
}
