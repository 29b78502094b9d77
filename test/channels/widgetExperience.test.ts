import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { BotAdapter } from 'botbuilder';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DirectLineChannel } from '../../src/channels/directline/DirectLineChannel.js';
import { DirectLineTokens } from '../../src/channels/directline/DirectLineTokens.js';
import { pickEncoding, webChatBundlePath, webChatPlugin, webChatVersion } from '../../src/channels/directline/webChat.js';
import { agentConsolePlugin } from '../../src/http/agentConsole.js';
import { createApp } from '../../src/http/app.js';
import { staffApiPlugin, type StaffApiDeps } from '../../src/http/staffApi.js';
import { listen } from '../../src/server.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { relaxedLimits, silentLogger, testDesk } from '../helpers/testBot.js';
import { call, poll, say, startConversation, type FeedActivity } from './clients.js';
import { TEST_TOKEN_SECRET } from './widgetApp.js';

const hasChromium = chromiumAvailable('widgetExperience.test');

/** Web Chat's own markup (4.18). */
const SEND_BOX = '[data-id="webchat-sendbox-input"]';
const BOT_BUBBLES = '.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content';
const TYPING = '.webchat__typing-indicator';

type AgentActivity = FeedActivity & { from: { id: string; role?: string; name?: string }; channelData?: { agent?: { name?: string } } };

/**
 * The widget app as npm start assembles it (the desk's real wiring), with the agent console, and
 * `typing` overriding the staff API's typing options (a test clock). `hold(text)` keeps a widget
 * turn with that text waiting until the returned function is called: the bot "works" that long.
 */
async function startApp(typing?: Partial<NonNullable<StaffApiDeps['typing']>>) {
  const desk = await testDesk();
  const tokens = new DirectLineTokens(TEST_TOKEN_SECRET, 1800);
  const app = createApp({
    logger: silentLogger,
    readiness: { checks: async () => ({ ok: true }) },
    limits: relaxedLimits(),
    plugins: [
      desk.botFramework,
      new DirectLineChannel({ tokens, adapter: desk.directLine, runner: () => desk.runner }),
      webChatPlugin({ look: { title: 'Acme Cameras', color: '#b1005e', welcome: 'Hello from Acme support.' }, tokens, logger: silentLogger }),
      staffApiPlugin({ ...desk.staffApi, ...(typing ? { typing: { ...desk.staffApi.typing!, ...typing } } : {}) }),
      agentConsolePlugin,
    ],
  });
  const base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  const staffToken = await desk.staffTokens.create('dana');
  const staff = (method: string, path: string, body?: unknown) => call(base, method, path, staffToken, body);
  return { base, desk, staffToken, staff, hold: (text: string) => holdTurns(desk.directLine, text), close: () => new Promise<void>((r) => app.close(() => r())) };
}

/** Runs after the bot's middleware (typing indicator first): a turn with `text` waits for the release. */
function holdTurns(adapter: BotAdapter, text: string): () => void {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  adapter.use(async (context, next) => {
    if (context.activity.type === 'message' && context.activity.text === text) await released;
    await next();
  });
  return release;
}

/** Polls the conversation's feed until `match` finds an activity; returns it. */
async function waitForActivity(base: string, conversation: { id: string; token: string }, match: (a: AgentActivity) => boolean): Promise<AgentActivity> {
  let found: AgentActivity | undefined;
  await expect
    .poll(
      async () => {
        found = ((await poll(base, conversation)).activities as AgentActivity[]).find(match);
        return found !== undefined;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  return found!;
}

describe('the Web Chat bundle: compressed by Accept-Encoding, cacheable', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  const raw = readFileSync(webChatBundlePath());
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  /** node's fetch decompresses by itself: http.get shows the bytes as sent. */
  function get(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      http
        .get(`${app.base}${path}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        })
        .on('error', reject);
    });
  }

  test('the page asks for the versioned URL, which may be kept for a year', async () => {
    const version = webChatVersion();
    expect(version).toMatch(/^4\.18\./);
    const page = await (await fetch(`${app.base}/`)).text();
    expect(page).toContain(`<script src="/webchat/webchat.js?v=${version}"></script>`);
    const res = await get(`/webchat/webchat.js?v=${version}`, { 'accept-encoding': 'br, gzip' });
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // Another version (an old page after an upgrade) is not kept: it is revalidated.
    expect((await get('/webchat/webchat.js?v=1.0.0', { 'accept-encoding': 'br' })).headers['cache-control']).toBe('public, no-cache');
    expect((await get('/webchat/webchat.js', { 'accept-encoding': 'br' })).headers['cache-control']).toBe('public, no-cache');
  });

  test('brotli when accepted: a fraction of the size, the same bytes once decoded, a strong ETag', async () => {
    const res = await get('/webchat/webchat.js', { 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(raw.length / 4);
    expect(brotliDecompressSync(res.body).equals(raw)).toBe(true);
    expect(res.headers.etag).toMatch(/^"wc-[A-Za-z0-9_-]{22}-br"$/);
  });

  test('gzip when brotli is not accepted; the file as it is when neither is', async () => {
    const gz = await get('/webchat/webchat.js', { 'accept-encoding': 'gzip, deflate' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.length).toBeLessThan(raw.length / 3);
    expect(gunzipSync(gz.body).equals(raw)).toBe(true);
    const refused = await get('/webchat/webchat.js', { 'accept-encoding': 'br;q=0, gzip' });
    expect(refused.headers['content-encoding']).toBe('gzip');
    const plain = await get('/webchat/webchat.js', {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(raw)).toBe(true);
    // One ETag per representation.
    expect(new Set([gz.headers.etag, plain.headers.etag]).size).toBe(2);
  });

  test('If-None-Match with the ETag: 304 with no body', async () => {
    const first = await get('/webchat/webchat.js', { 'accept-encoding': 'br, gzip' });
    const etag = first.headers.etag ?? '';
    const again = await get('/webchat/webchat.js', { 'accept-encoding': 'br, gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect((await get('/webchat/webchat.js', { 'accept-encoding': 'br', 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
    // The br ETag does not stand for the gzip representation.
    expect((await get('/webchat/webchat.js', { 'accept-encoding': 'gzip', 'if-none-match': etag })).status).toBe(200);
  });

  test('Accept-Encoding is read with its weights', () => {
    expect(pickEncoding(undefined)).toBe('identity');
    expect(pickEncoding('')).toBe('identity');
    expect(pickEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('gzip;q=0, br;q=0')).toBe('identity');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('*, br;q=0')).toBe('gzip');
    expect(pickEncoding('identity')).toBe('identity');
  });
});

describe('typing and agent lines in the widget conversation (Direct Line over HTTP)', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let clock = 1_000_000;
  beforeAll(async () => {
    app = await startApp({ now: () => clock });
  });
  afterAll(async () => {
    await app?.close();
  });

  test('while the bot works on an answer, "typing" activities reach the feed, before the answer', async () => {
    const release = app.hold('my dvr stopped recording');
    const conversation = await startConversation(app.base);
    // The POST returns once the turn is over: it is awaited after the release.
    const posted = say(app.base, conversation, 'my dvr stopped recording');
    let typing: AgentActivity;
    try {
      typing = await waitForActivity(app.base, conversation, (a) => a.type === 'typing');
    } finally {
      release();
      await posted;
    }
    expect(typing.from.role).toBe('bot');
    const answer = await waitForActivity(app.base, conversation, (a) => a.type === 'message' && /covered by our support/.test(a.text ?? ''));
    expect(answer.id > typing.id).toBe(true);
  });

  test("an agent's typing and lines: under the agent's name, at most one typing signal per handoff every 3 s", async () => {
    const conversation = await startConversation(app.base);
    await say(app.base, conversation, 'talk to a person');
    await waitForActivity(app.base, conversation, (a) => /in the queue/.test(a.text ?? ''));
    const handoffId = ((await app.staff('GET', '/api/handoffs?status=waiting')).body.items as Array<{ id: string }>)[0]?.id ?? '';

    // Not before the agent has taken the customer.
    expect((await app.staff('POST', `/api/handoffs/${handoffId}/typing`, {})).status).toBe(409);
    expect((await app.staff('POST', '/api/handoffs/H-999999/typing', {})).status).toBe(404);
    expect((await call(app.base, 'POST', `/api/handoffs/${handoffId}/typing`, 'cst_wrong', {})).status).toBe(401);
    expect((await app.staff('POST', `/api/handoffs/${handoffId}/accept`)).status).toBe(200);

    expect((await app.staff('POST', `/api/handoffs/${handoffId}/typing`, {})).body).toEqual({ sent: true });
    clock += 2_999;
    expect((await app.staff('POST', `/api/handoffs/${handoffId}/typing`, {})).body).toEqual({ sent: false });
    clock += 1;
    expect((await app.staff('POST', `/api/handoffs/${handoffId}/typing`, {})).body).toEqual({ sent: true });
    const { activities } = await poll(app.base, conversation);
    const typing = (activities as AgentActivity[]).filter((a) => a.type === 'typing' && a.channelData?.agent);
    expect(typing).toHaveLength(2);
    expect(typing[0]?.from).toMatchObject({ role: 'bot', name: 'dana' });

    expect((await app.staff('POST', `/api/handoffs/${handoffId}/messages`, { text: 'Please reseat the SATA cable.' })).status).toBe(201);
    const line = await waitForActivity(app.base, conversation, (a) => a.text === 'Please reseat the SATA cable.');
    const joined = await waitForActivity(app.base, conversation, (a) => /has joined/.test(a.text ?? ''));
    // The bot's account (channels accept no other), the agent's name; the bot's own lines stay the bot's.
    expect(line.from).toMatchObject({ id: joined.from.id, role: 'bot', name: 'dana' });
    expect(line.channelData?.agent).toEqual({ name: 'dana' });
    expect(joined.from.name).not.toBe('dana');
    expect(joined.channelData?.agent).toBeUndefined();
  });
});

describe('the typing route without a channel to send through', () => {
  test('answers sent: false (the console keeps working)', async () => {
    const desk = await testDesk();
    const { typing: _typing, ...withoutTyping } = desk.staffApi;
    const app = createApp({ logger: silentLogger, readiness: { checks: async () => ({}) }, limits: relaxedLimits(), plugins: [staffApiPlugin(withoutTyping)] });
    const base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
    try {
      const token = await desk.staffTokens.create('dana');
      const queued = await desk.handoffs.request({
        reason: 'asked',
        customer: { name: 'Alex', channelId: 'webchat', userId: 'u1' },
        conversationKey: 'webchat/c1',
        address: { channelId: 'webchat', conversation: { id: 'c1' }, serviceUrl: 'urn:nowhere' },
        transcript: [],
      });
      expect(queued.kind).toBe('queued');
      if (queued.kind !== 'queued') return;
      await desk.handoffs.accept(queued.handoff.id, 'dana');
      expect((await call(base, 'POST', `/api/handoffs/${queued.handoff.id}/typing`, token, {})).body).toEqual({ sent: false });
    } finally {
      await new Promise<void>((r) => app.close(() => r()));
      await desk.deliveries.drain(0);
    }
  });
});

describe.skipIf(!hasChromium)('the widget as customers expect it, in headless Chromium', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  const pageErrors: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
  };

  beforeAll(async () => {
    app = await startApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  test('the embed: an SVG launcher (no emoji), a panel that minimises and opens again with the same chat', async () => {
    const host = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>Vendor site</title><h1>Our cameras</h1><script src="${app.base}/widget.js" data-title="Acme Help" data-color="#2a7d2e" async></script>`);
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
      watch(page);
      await page.goto(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`);
      const launcher = page.getByRole('button', { name: 'Chat with Acme Help' });
      await launcher.waitFor();
      expect(await launcher.locator('svg[data-icon="chat"] path').count()).toBe(1);
      expect((await launcher.textContent())?.trim()).toBe('');
      expect(await launcher.getAttribute('aria-expanded')).toBe('false');

      await launcher.click();
      const panel = page.getByRole('dialog', { name: 'Acme Help' });
      await panel.waitFor();
      expect(await launcher.getAttribute('aria-expanded')).toBe('true');
      expect(await launcher.locator('svg[data-icon="down"]').count()).toBe(1);
      const frame = page.frameLocator('iframe[title="Acme Help"]');
      await expect.poll(async () => frame.locator(BOT_BUBBLES).count(), { timeout: 15_000 }).toBeGreaterThan(0);
      const before = await frame.locator(BOT_BUBBLES).count();

      // The panel's own control minimises it; focus goes back to the launcher.
      const minimise = panel.getByRole('button', { name: 'Minimise chat' });
      expect(await minimise.locator('svg[data-icon="minimise"]').count()).toBe(1);
      await minimise.click();
      await panel.waitFor({ state: 'hidden' });
      expect(await launcher.getAttribute('aria-expanded')).toBe('false');
      expect(await launcher.evaluate((el) => el === document.activeElement)).toBe(true);

      // Opened again: the same frame and conversation, not a new one.
      await launcher.click();
      await panel.waitFor();
      expect(await page.locator('iframe').count()).toBe(1);
      expect(await frame.locator(BOT_BUBBLES).count()).toBe(before);
      // The launcher closes it too.
      await launcher.click();
      await panel.waitFor({ state: 'hidden' });
      await page.close();
    } finally {
      await new Promise<void>((r) => host.close(() => r()));
    }
    expect(pageErrors).toEqual([]);
  });

  test('typing while the bot works and while the agent writes in the console; agent lines under their name; the transcript downloads', async () => {
    const context = await browser.newContext({ viewport: { width: 520, height: 980 } });
    const customer = await context.newPage();
    watch(customer);
    await customer.goto(`${app.base}/`);
    await expect.poll(async () => customer.locator(BOT_BUBBLES).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const botTexts = async () => (await customer.locator(BOT_BUBBLES).allInnerTexts()).join('\n');

    // The bot is held on this message: Web Chat shows "typing…" until the answer comes.
    const release = app.hold('my dvr stopped recording');
    await customer.locator(SEND_BOX).fill('my dvr stopped recording');
    await customer.locator(SEND_BOX).press('Enter');
    await customer.locator(TYPING).waitFor({ timeout: 10_000 });
    release();
    await expect.poll(botTexts, { timeout: 10_000 }).toMatch(/covered by our support/);
    // The answer ends the bot's "typing…" (Web Chat drops it on a message from the same sender).
    await customer.locator(TYPING).waitFor({ state: 'detached', timeout: 10_000 });

    await customer.locator(SEND_BOX).fill('talk to a person');
    await customer.locator(SEND_BOX).press('Enter');
    await expect.poll(botTexts, { timeout: 10_000 }).toMatch(/number 1 in the queue/);
    await customer.locator(TYPING).waitFor({ state: 'detached', timeout: 10_000 });

    // The agent takes the customer in the console and starts writing.
    const console = await context.newPage();
    watch(console);
    await console.goto(`${app.base}/agent`);
    await console.getByLabel('Staff token').fill(app.staffToken);
    await console.getByRole('button', { name: 'Sign in' }).click();
    await console.locator('#waiting-list').getByRole('button').first().click();
    await console.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(botTexts, { timeout: 10_000 }).toMatch(/dana from our support team has joined/);
    await customer.locator(TYPING).waitFor({ state: 'detached', timeout: 10_000 });
    const message = console.getByLabel('Message to the customer');
    await message.pressSequentially('Please reseat');
    await customer.locator(TYPING).waitFor({ timeout: 10_000 });
    await message.pressSequentially(' the SATA cable.');
    await console.getByRole('button', { name: 'Send' }).click();
    await expect.poll(botTexts, { timeout: 10_000 }).toContain('Please reseat the SATA cable.');

    // Under the agent's name, with the agent's avatar; the bot's lines keep the bot's.
    await expect.poll(() => customer.locator('.agent-name').allInnerTexts(), { timeout: 10_000 }).toEqual(['dana (support)']);
    expect(await customer.locator('.agent-avatar').allInnerTexts()).toEqual(['DA']);
    expect(await customer.locator('.agent-avatar').getAttribute('title')).toBe('dana (support)');
    expect((await customer.locator('.webchat__initialsAvatar').allInnerTexts()).every((t) => t.trim() === 'AC')).toBe(true);

    // The transcript, saved as a text file.
    const [download] = await Promise.all([customer.waitForEvent('download'), customer.getByRole('button', { name: 'Download transcript' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^acme-cameras-chat-\d{4}-\d{2}-\d{2}-\d{4}\.txt$/);
    const text = readFileSync(await download.path(), 'utf8');
    expect(text.split('\n')[0]).toBe('Acme Cameras: chat transcript');
    expect(text).toMatch(/\] You: my dvr stopped recording\n/);
    expect(text).toMatch(/\] Acme Cameras: [^\n]*covered by our support/);
    expect(text).toMatch(/\] dana \(support\): Please reseat the SATA cable\.\n/);
    expect(text).not.toContain('[object Object]');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
