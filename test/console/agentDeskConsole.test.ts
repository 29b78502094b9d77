import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { composeSupportDesk, type SupportDesk } from '../../src/composeSupportDesk.js';
import { agentConsolePlugin } from '../../src/http/agentConsole.js';
import { createApp } from '../../src/http/app.js';
import { staffApiPlugin } from '../../src/http/staffApi.js';
import { listen } from '../../src/server.js';
import { documentStores } from '../../src/storage/SupportStores.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { modelsAndKnowledge, relaxedLimits, sampleRegistry, silentLogger } from '../helpers/testBot.js';

/**
 * The agent console's issue-11 parts in headless Chromium, against the desk as main.ts wires it:
 * presence toggle, canned-reply picker (button and "/"), the display name, and the live
 * first-response warning.
 */
const hasChromium = chromiumAvailable('agentDeskConsole.test');
const SCREENSHOT = path.join(import.meta.dirname, '__screenshots__', 'agent-desk.png');

describe.skipIf(!hasChromium)('agent console in Chromium: presence, canned replies, service level', () => {
  let t = Date.now();
  const now = () => new Date(t);
  let desk: SupportDesk;
  let base = '';
  let close: () => Promise<void>;
  let token = '';
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    desk = composeSupportDesk({
      stores: documentStores(new MemoryDocumentStore()),
      ...(await modelsAndKnowledge()),
      registry: await sampleRegistry(),
      botAuth: { MicrosoftAppType: 'MultiTenant' },
      handoff: { staffedHours: '24x7', timeZone: 'UTC', averageMinutes: 6 },
      logger: silentLogger,
      now,
    });
    token = await desk.staffTokens.create('dana', 'Dana Lee');
    const app = createApp({ logger: silentLogger, readiness: { checks: async () => ({}) }, limits: relaxedLimits(), plugins: [staffApiPlugin({ ...desk.staffApi, heartbeatMs: 500 }), agentConsolePlugin] });
    base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
    close = () => new Promise<void>((r) => app.close(() => r()));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await close?.();
    await desk?.deliveries.drain(1_000);
  });

  test('sign in as Dana Lee, go away and back, answer with a canned reply, and see a ticket about to breach', async () => {
    await page.goto(`${base}/agent`);
    await page.getByLabel('Staff token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#whoami').waitFor();
    expect(await page.locator('#agent-name').textContent()).toBe('Dana Lee (dana)');

    // Opening the console is a heartbeat: dana is available, and customers can be offered a person.
    const status = page.locator('#presence-status');
    await expect.poll(() => status.inputValue()).toBe('available');
    await expect.poll(() => page.locator('#presence-summary').textContent()).toBe('Available: dana');
    await status.selectOption('away');
    await expect.poll(async () => (await desk.presence.of('dana'))?.status).toBe('away');
    await expect.poll(() => page.locator('#presence-summary').textContent()).toMatch(/Nobody is available: customers are offered a ticket/);
    expect(await desk.presence.anyoneAvailable()).toBe(false);
    await status.selectOption('available');
    await expect.poll(async () => (await desk.presence.of('dana'))?.status).toBe('available');

    // A customer waits; dana accepts and answers with canned replies.
    const queued = await desk.handoffs.request({
      reason: 'asked',
      customer: { channelId: 'webchat', userId: 'u-1', name: 'Alex Doe' },
      conversationKey: 'webchat/c-1',
      address: { channelId: 'webchat', serviceUrl: 'http://localhost:9', conversation: { id: 'c-1' }, bot: { id: 'bot' }, user: { id: 'u-1' } },
      transcript: [{ at: now().toISOString(), from: 'customer', text: 'my NVR is offline' }],
    });
    expect(queued.kind).toBe('queued');
    await page.locator('#waiting-list').getByRole('button', { name: /Alex Doe/ }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    const box = page.getByLabel('Message to the customer');
    await box.waitFor();

    await page.getByRole('button', { name: 'Canned replies' }).click();
    await page.getByLabel('Filter canned replies').fill('serial');
    await page.getByRole('button', { name: /Ask for the serial number/ }).click();
    expect(await box.inputValue()).toMatch(/^Could you send me the serial number from the label/);

    // "/" in an empty box opens the picker; Enter takes the first match; {agent} is the display name.
    await box.fill('');
    await box.press('/');
    await expect.poll(() => page.getByLabel('Filter canned replies').isVisible()).toBe(true);
    await page.keyboard.type('greeting');
    await page.keyboard.press('Enter');
    expect(await box.inputValue()).toBe("Hello, this is Dana Lee from the support team. I've read your conversation with the bot, so no need to repeat anything.");
    expect(await page.locator('#canned-picker').isHidden()).toBe(true);

    // A ticket opened 91 minutes ago, unanswered: the warning job runs, and the console hears it live.
    const ticket = await desk.tickets.open({ customer: { channelId: 'webchat', userId: 'u-2', name: 'Kim' }, summary: 'Camera 3 has no picture' }, 'bot');
    t += 91 * 60_000;
    await desk.staffApi.presence?.heartbeat('dana'); // the console's clock moved with the server's
    expect(await desk.serviceLevel.warn()).toEqual([ticket.id]);
    await expect.poll(() => page.locator('#notice').textContent()).toContain(`Ticket ${ticket.id} is due for a first response`);
    await expect.poll(() => page.locator('#sla-at-risk').textContent()).toBe('1 due soon');
    expect(await page.locator('#sla-breached').textContent()).toBe('0 breached');
    await page.locator('#sla-details summary').click();
    expect(await page.locator('#sla-at-risk-list').textContent()).toContain(`${ticket.id} · due`);
    expect(await page.locator('#sla-at-risk-list').textContent()).toContain('Kim · Camera 3 has no picture');

    if (process.env.CONSOLE_SCREENSHOT) {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, type: 'png' });
    }

    // Clicking it opens the ticket.
    await page.locator('#sla-at-risk-list').getByRole('button', { name: `Open ticket ${ticket.id}` }).click();
    await expect.poll(() => page.locator('#ticket-title').textContent()).toContain(ticket.id);
    expect(problems).toEqual([]);
  });
});
