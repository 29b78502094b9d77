import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Server } from 'restify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { InMemoryCustomerDeliveries } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import { HandoffService } from '../../src/domain/handoff/HandoffService.js';
import { StaffedHours } from '../../src/domain/handoff/StaffedHours.js';
import { DeliveryError } from '../../src/domain/ports/CustomerMessenger.js';
import { AuditLog } from '../../src/domain/staff/AuditLog.js';
import { StaffTokens } from '../../src/domain/staff/StaffTokens.js';
import { TicketService } from '../../src/domain/tickets/TicketService.js';
import { CONSOLE_CSP, consoleDir } from '../../src/http/agentConsole.js';
import { agentConsolePlugin } from '../../src/http/agentConsole.js';
import { createApp } from '../../src/http/app.js';
import { staffApiPlugin } from '../../src/http/staffApi.js';
import { relaxedLimits } from '../helpers/testBot.js';
import { DocumentAuditStore } from '../../src/storage/DocumentAuditStore.js';
import { DocumentHandoffStore } from '../../src/storage/DocumentHandoffStore.js';
import { DocumentStaffTokenStore } from '../../src/storage/DocumentStaffTokenStore.js';
import { DocumentTicketStore } from '../../src/storage/DocumentTicketStore.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { RecordingMessenger } from '../helpers/testBot.js';
import type { ConversationAddress } from '../../src/domain/tickets/Ticket.js';
import { conversationOf } from '../delivery/fakes.js';

const hasChromium = chromiumAvailable('agentConsole.test');

const SCREENSHOT = path.join(import.meta.dirname, '__screenshots__', 'console.png');
const CONVERSATION = 'webchat/conv-console-1';


/** Records what customers are sent; the conversations in `refusing` answer 403 (a permanent failure: no retry to wait for). */
class RefusingMessenger extends RecordingMessenger {
  readonly refusing = new Set<string>();
  override async send(address: ConversationAddress, text: string): Promise<void> {
    if (this.refusing.has(conversationOf(address))) throw new DeliveryError('channel refused: 403', true);
    await super.send(address, text);
  }
}

/** The real app with the real staff API and services, on an in-memory store. */
async function startApp() {
  const store = new MemoryDocumentStore();
  const clock = () => new Date();
  const messenger = new RefusingMessenger();
  const deliveries = new InMemoryCustomerDeliveries(messenger);
  const tokens = new StaffTokens(new DocumentStaffTokenStore(store), clock);
  const tickets = new TicketService(new DocumentTicketStore(store), deliveries, clock);
  const handoffs = new HandoffService(new DocumentHandoffStore(store), tickets, deliveries, new StaffedHours('24x7'), clock, { averageMinutes: 5 });
  const logger = pino({ level: 'silent' });
  const server = createApp({
    logger,
    readiness: { checks: async () => ({}) },
    limits: relaxedLimits(),
    plugins: [staffApiPlugin({ tokens, audit: new AuditLog(new DocumentAuditStore(store), clock), tickets, handoffs, logger, heartbeatMs: 1000 }), agentConsolePlugin],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, base: `http://127.0.0.1:${port}`, tokens, tickets, handoffs, messenger, deliveries };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // SSE connections stay open; the browser is closed first, so this does not hang.
    server.close(() => resolve());
  });
}

describe('agent console: static files', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await closeServer(app.server);
  });

  test.each([
    ['/agent', 'text/html; charset=utf-8', '<title>Agent console'],
    ['/agent/', 'text/html; charset=utf-8', '<title>Agent console'],
    ['/agent/console.js', 'text/javascript; charset=utf-8', 'openStream'],
    ['/agent/staffSession.js', 'text/javascript; charset=utf-8', 'export class StaffSession'],
    ['/agent/console.css', 'text/css; charset=utf-8', ':root'],
  ])('GET %s: content type, no-cache and a strict CSP', async (route, type, snippet) => {
    const res = await fetch(`${app.base}${route}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain(snippet);
  });

  test('only the listed files are served', async () => {
    for (const route of ['/agent/index.html', '/agent/../package.json', '/agent/%2e%2e/package.json', '/agent/other.js']) {
      const res = await fetch(`${app.base}${route}`);
      expect(res.status, route).toBe(404);
    }
  });

  test('the console folder is found from the sources and from the compiled dist/ alike', () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const expected = path.join(root, 'src', 'http', 'console');
    expect(consoleDir(path.join(root, 'src', 'http'))).toBe(expected);
    expect(consoleDir(path.join(root, 'dist', 'src', 'http'))).toBe(expected);
    expect(existsSync(path.join(expected, 'index.html'))).toBe(true);
  });

  test('the page uses no external resources and no inline script or style', async () => {
    const html = await (await fetch(`${app.base}/agent`)).text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    for (const script of ['console.js', 'staffSession.js']) {
      const js = await (await fetch(`${app.base}/agent/${script}`)).text();
      expect(js, script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    }
  });
});

describe.skipIf(!hasChromium)('agent console in headless Chromium', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  const problems: string[] = [];

  /** A new tab (empty session storage) signed in with the staff token; `beforeSignIn` may watch its requests first. */
  async function signedInTab(beforeSignIn: (tab: Page) => void = () => undefined): Promise<Page> {
    const tab = await context.newPage();
    tab.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    beforeSignIn(tab);
    await tab.goto(`${app.base}/agent`);
    await tab.getByLabel('Staff token').fill(token);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.locator('#whoami').waitFor();
    return tab;
  }

  beforeAll(async () => {
    app = await startApp();
    token = await app.tokens.create('dana');
    const at = new Date().toISOString();
    const queued = await app.handoffs.request({
      reason: 'asked',
      customer: { channelId: 'webchat', userId: 'u-console-1', name: 'Alex Doe', contact: 'alex@example.com' },
      conversationKey: CONVERSATION,
      address: { conversation: { id: 'conv-console-1' }, channelId: 'webchat' },
      triage: { scope: 'in_scope', clause: null, intent: 'troubleshoot', confidence: 0.82 },
      warranty: { serial: 'SN-4411', model: 'NVR-8', category: 'nvr', status: 'covered', coveredUntil: '2027-01-31', reasons: ['within the 24-month warranty'], chargeable: false },
      summary: 'Recorder offline after a power cut',
      transcript: [
        { at, from: 'customer', text: 'My recorder is offline since the power cut <b>help</b>' },
        { at, from: 'bot', text: 'Try unplugging it for 30 seconds.' },
        { at, from: 'customer', text: 'That did not fix it, I want a person' },
      ],
    });
    expect(queued.kind).toBe('queued');

    // Playwright gives the browser a new empty profile (user data dir) of its own and removes it on close.
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 400 && res.status() !== 401) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    });
    page.on('console', (msg) => {
      // A wrong token at sign-in is answered 401 on purpose; the browser logs that as a failed resource.
      if (msg.type() === 'error' && !/401/.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (app) await closeServer(app.server);
  });

  test('an agent signs in, takes a handoff, chats live, converts it to a ticket and edits the ticket', async () => {
    const handoffId = (await app.handoffs.list('waiting'))[0]!.id;
    await page.goto(`${app.base}/agent`);

    // A wrong token is refused.
    await page.getByLabel('Staff token').fill('cst_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toContain('That token was not accepted');

    // Sign in: the token is verified with /api/me and kept for this tab only.
    await page.getByLabel('Staff token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#whoami').waitFor();
    expect(await page.locator('#agent-name').textContent()).toBe('dana');
    expect(await page.evaluate(() => sessionStorage.getItem('camsupport.staffToken'))).toBe(token);

    // The waiting queue shows the customer, reason, triage, warranty and position.
    const card = page.locator('#waiting-list').getByRole('button', { name: /Alex Doe/ });
    await card.waitFor();
    const cardText = await card.textContent();
    expect(cardText).toContain('#1 in queue');
    expect(cardText).toContain('Asked for a person');
    // The triage in words, not labels (issue 10, item 10).
    expect(cardText).toContain('Our product — troubleshooting, fairly sure');
    expect(cardText).toContain('covered until 2027-01-31');
    expect(cardText).toContain(handoffId);

    // Selecting it shows the transcript; customer text is shown as text, never as markup.
    await card.click();
    const transcript = page.getByRole('log', { name: 'Transcript' });
    await expect.poll(() => transcript.textContent()).toContain('My recorder is offline since the power cut <b>help</b>');
    expect(await transcript.locator('b').count()).toBe(0);
    expect(await page.locator('#handoff-facts').textContent()).toContain('within the 24-month warranty');

    // Accept.
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByLabel('Message to the customer').waitFor();
    await expect.poll(async () => (await app.handoffs.get(handoffId))?.status).toBe('active');
    expect((await app.handoffs.get(handoffId))?.agent).toBe('dana');
    await expect.poll(() => page.locator('#active-list').textContent()).toContain('Alex Doe');

    // The agent writes: the service relays it to the customer's conversation.
    await page.getByLabel('Message to the customer').fill('Hi Alex, I am looking at your recorder now.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => app.messenger.sent.map((m) => m.text)).toContain('Hi Alex, I am looking at your recorder now.');
    await expect.poll(() => transcript.textContent()).toContain('Hi Alex, I am looking at your recorder now.');

    // The customer answers: the line arrives live over the event stream.
    const relayed = await app.handoffs.customerMessage(CONVERSATION, 'Thanks! The light is blinking red.');
    expect(relayed).not.toBeNull();
    await expect.poll(() => transcript.textContent()).toContain('Thanks! The light is blinking red.');
    expect(await page.locator('#live-state').textContent()).toBe('live');

    // Convert to a ticket.
    await page.getByRole('button', { name: 'Convert to ticket' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/Ticket T-\d+ created/);
    const ticketId = (await app.handoffs.get(handoffId))?.ticketId;
    expect(ticketId).toMatch(/^T-\d+$/);
    const ticket = await app.tickets.get(ticketId!);
    expect(ticket?.transcript.map((l) => l.text)).toContain('Thanks! The light is blinking red.');

    if (process.env.CONSOLE_SCREENSHOT) {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, type: 'png' });
    }

    // The Tickets tab lists it; the editor changes its status.
    await page.getByRole('tab', { name: 'Tickets' }).click();
    await page.getByRole('button', { name: `Open ticket ${ticketId}` }).click();
    await expect.poll(() => page.locator('#ticket-title').textContent()).toContain(ticketId);
    expect(await page.locator('#ticket-summary').textContent()).toBe('Recorder offline after a power cut');
    await page.getByLabel('Status', { exact: true }).and(page.locator('#ticket-status')).selectOption('in_progress');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await app.tickets.get(ticketId!))?.status).toBe('in_progress');
    await expect.poll(() => page.locator('#ticket-history').textContent()).toContain('open → in_progress');
    const updated = await app.tickets.get(ticketId!);
    expect(updated?.history.at(-1)).toMatchObject({ by: 'staff:dana', what: 'status', from: 'open', to: 'in_progress' });

    // A public comment reaches the customer; the list filter finds the ticket by text.
    await page.getByLabel('Comment').fill('A replacement power supply is on its way.');
    await page.getByLabel('Public (sent to the customer)').check();
    await page.getByRole('button', { name: 'Add comment' }).click();
    await expect.poll(() => page.locator('#ticket-comments').textContent()).toContain('A replacement power supply is on its way.');
    expect((await app.tickets.get(ticketId!))?.comments.at(-1)).toMatchObject({ public: true, by: 'staff:dana' });
    await page.getByLabel('Search').fill('alex doe');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('#tickets-caption').textContent()).toBe('1 ticket');
    await page.getByLabel('Search').fill('no-such-ticket');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('#tickets-caption').textContent()).toBe('0 tickets');

    // Back to the queue: close with a note; the customer is returned to the bot.
    await page.getByRole('tab', { name: /Queue/ }).click();
    await page.getByLabel('Note for the customer (optional)').fill('Your ticket has the details.');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await expect.poll(async () => (await app.handoffs.get(handoffId))?.status).toBe('closed');
    await expect.poll(() => page.locator('#handoff-status').textContent()).toBe('closed');
    await app.deliveries.idle();
    expect(app.messenger.sent.at(-1)?.text).toContain('Your ticket has the details.');
    await expect.poll(() => page.locator('#active-empty').isVisible()).toBe(true);

    // Sign out: the token and the customer data leave the page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Staff token').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('camsupport.staffToken'))).toBeNull();
    expect(await page.locator('#handoff-transcript').textContent()).toBe('');
    expect(problems).toEqual([]);
  });

  test('a new customer appears in the queue live, without a reload', async () => {
    // A new tab: its session storage is empty, so it starts signed out whatever the test above left.
    const tab = await signedInTab();
    await expect.poll(() => tab.locator('#live-state').textContent()).toBe('live');
    await app.handoffs.request({
      reason: 'negative_sentiment',
      customer: { channelId: 'webchat', userId: 'u-console-2', name: 'Sam Roe' },
      conversationKey: 'webchat/conv-console-2',
      address: { conversation: { id: 'conv-console-2' } },
      triage: { scope: 'out_of_scope', clause: 'customer_network', intent: 'troubleshoot', confidence: 0.7 },
      transcript: [{ at: new Date().toISOString(), from: 'customer', text: 'This is useless!' }],
    });
    const card = tab.locator('#waiting-list').getByRole('button', { name: /Sam Roe/ });
    await card.waitFor();
    expect(await card.textContent()).toContain("Customer's responsibility: the customer's network — troubleshooting");
    expect(await card.textContent()).toContain('Warranty: not checked');
    expect(await tab.locator('#queue-count').textContent()).toBe('1');
    expect(problems).toEqual([]);
  });

  test('a dropped live stream reconnects with Last-Event-ID, so the server replays what was missed', async () => {
    const streamRequests: Array<Record<string, string>> = [];
    const tab = await signedInTab((page) =>
      page.on('request', (request) => {
        if (new URL(request.url()).pathname === '/api/handoffs/events') streamRequests.push(request.headers());
      }),
    );
    await expect.poll(() => tab.locator('#live-state').textContent()).toBe('live');
    expect(streamRequests[0]?.['last-event-id']).toBeUndefined();

    // The connection drops (a proxy timeout, a restart): the console says so and reconnects.
    app.server.server.closeAllConnections();
    await expect.poll(() => streamRequests.length, { timeout: 10_000 }).toBeGreaterThan(1);
    expect(streamRequests[1]?.['last-event-id']).toMatch(/^[\w-]+\.\d+$/);
    await expect.poll(() => tab.locator('#live-state').textContent(), { timeout: 10_000 }).toBe('live');
    expect(problems).toEqual([]);
    await tab.close();
  });

  test('a customer who cannot be reached is shown as such, live: a badge on the card and in the chat, "Not delivered" on the agent line', async () => {
    const tab = await signedInTab();
    app.messenger.refusing.add('conv-console-3');
    await app.handoffs.request({
      reason: 'asked',
      customer: { channelId: 'webchat', userId: 'u-console-3', name: 'Kim Poe' },
      conversationKey: 'webchat/conv-console-3',
      address: { conversation: { id: 'conv-console-3' }, channelId: 'webchat' },
      transcript: [{ at: new Date().toISOString(), from: 'customer', text: 'Anyone?' }],
    });
    const waitingCard = tab.locator('#waiting-list').getByRole('button', { name: /Kim Poe/ });
    await waitingCard.click();
    await tab.getByRole('button', { name: 'Accept' }).click();
    await tab.getByLabel('Message to the customer').waitFor();

    // "Dana has joined" was refused: the open chat and the active card say so, with the reason.
    const note = tab.locator('#handoff-unreachable');
    await expect.poll(() => note.textContent()).toContain('channel refused: 403');
    expect(await note.locator('.badge.unreachable').textContent()).toBe('unreachable');
    const activeCard = tab.locator('#active-list').getByRole('button', { name: /Kim Poe/ });
    await expect.poll(() => activeCard.locator('.badge.unreachable').count()).toBe(1);
    expect(await activeCard.textContent()).toContain('Not delivered: channel refused: 403');

    // The agent's line is marked not delivered.
    await tab.getByLabel('Message to the customer').fill('Kim, can you see this?');
    await tab.getByRole('button', { name: 'Send' }).click();
    const line = tab.getByRole('log', { name: 'Transcript' }).locator('li', { hasText: 'Kim, can you see this?' });
    await expect.poll(() => line.textContent()).toContain('Not delivered: channel refused: 403');
    expect(await line.getAttribute('class')).toContain('undelivered');

    // Another agent writes (not from this page): the line and its failure arrive over the event stream only.
    const id = (await app.handoffs.list('active')).find((h) => h.customer.name === 'Kim Poe')!.id;
    await app.handoffs.agentMessage(id, 'Sam', 'Sam here. Kim?');
    const fromSam = tab.getByRole('log', { name: 'Transcript' }).locator('li', { hasText: 'Sam here. Kim?' });
    await expect.poll(() => fromSam.textContent()).toContain('Not delivered: channel refused: 403');

    // The customer's channel works again: the next line is delivered and the badges go, live.
    app.messenger.refusing.delete('conv-console-3');
    await app.handoffs.agentMessage(id, 'Sam', 'Kim, are you back?');
    await expect.poll(() => note.isVisible()).toBe(false);
    await expect.poll(() => activeCard.locator('.badge.unreachable').count()).toBe(0);
    const second = tab.getByRole('log', { name: 'Transcript' }).locator('li', { hasText: 'Kim, are you back?' });
    await expect.poll(() => second.textContent()).not.toContain('Sending…');
    expect(await second.textContent()).not.toContain('Not delivered');
    expect(await line.textContent()).toContain('Not delivered');
    expect(app.messenger.sent.map((m) => m.text)).toContain('Kim, are you back?');
    expect(problems).toEqual([]);
  });
});
