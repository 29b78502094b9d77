import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import { embeddedTokenSecret, TOKEN_SECRET_FILE } from '../../src/channels/directline/tokenSecret.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { documentStores } from '../../src/storage/SupportStores.js';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.js';
import { botMessages, call, openStream, poll, say, startConversation } from './clients.js';
import { startWidgetApp } from './widgetApp.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The bot on the embedded store, as `npm start` runs it: lowdb under DATA_DIR, the token key kept there. */
async function startOn(dataDir: string, port?: number) {
  const kept = await embeddedTokenSecret(dataDir);
  const store = await LowdbDocumentStore.open(dataDir);
  const app = await startWidgetApp({ stores: documentStores(store), tokenSecret: kept.secret, ...(port !== undefined ? { port } : {}) });
  return {
    ...app,
    kept,
    /** What a SIGTERM does: stop serving (streams closed with 1001), let deliveries finish, close the store. */
    stop: async () => {
      await app.close();
      await app.desk.deliveries.drain(1_000);
      await store.close();
    },
  };
}

test('lowdb: a widget conversation carries on after a restart — same token, old activities, a new reply, and the stream reconnects', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'widget-restart-'));
  dirs.push(dataDir);

  const first = await startOn(dataDir);
  expect(first.kept.created).toBe(true);
  expect((await stat(path.join(dataDir, TOKEN_SECRET_FILE))).mode & 0o777).toBe(0o600);
  const conversation = await startConversation(first.base);
  const stream = await openStream(conversation.streamUrl);
  const asked = await say(first.base, conversation, 'my dvr stopped recording, hdd error on screen');
  await stream.until((all) => all.some((a) => a.replyToId === asked && a.from.role === 'bot'));
  const before = await poll(first.base, conversation);
  // Web Chat remembers the last watermark its stream delivered.
  const watermark = JSON.parse(stream.frames.at(-1) ?? '{}').watermark as string;
  expect(watermark).toBe(before.watermark);

  await first.stop();
  // Shutting down closes the stream with "going away", which makes Web Chat reconnect.
  expect(await stream.closed).toBe(1001);

  const second = await startOn(dataDir);
  try {
    expect(second.kept).toMatchObject({ created: false, secret: first.kept.secret });
    expect(second.base).not.toBe(first.base);
    // Web Chat's reconnect: GET the conversation with its watermark, the token it had.
    const reconnect = await call(second.base, 'GET', `/v3/directline/conversations/${conversation.id}?watermark=${watermark}`, conversation.token);
    expect(reconnect.status).toBe(200);
    const resumed = await openStream(reconnect.body.streamUrl as string);
    try {
      // Everything from before the restart is still in the feed.
      expect(await poll(second.base, conversation)).toEqual(before);
      const id = await say(second.base, { id: conversation.id, token: reconnect.body.token as string }, 'talk to a person');
      const fresh = await resumed.until((all) => all.some((a) => a.replyToId === id && a.from.role === 'bot'));
      // The resumed stream starts after the watermark: the new echo first, nothing old again.
      expect(fresh[0]).toMatchObject({ id, from: { id: conversation.userId, role: 'user' } });
      expect(fresh.some((a) => before.activities.some((old) => old.id === a.id))).toBe(false);
      expect(Number(id.split('|')[1])).toBe(Number(before.watermark) + 1);
      expect(botMessages(fresh).map((a) => a.text).join('\n')).toMatch(/queue|person|staff/i);
    } finally {
      await resumed.close();
    }
  } finally {
    await second.stop();
  }
});

test('the kept token key is reused, and made private again if its mode was loosened', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'token-key-'));
  dirs.push(dataDir);
  const made = await embeddedTokenSecret(dataDir);
  expect(made.created).toBe(true);
  expect(made.secret.length).toBeGreaterThanOrEqual(32);
  await chmod(made.file, 0o644);
  const again = await embeddedTokenSecret(dataDir);
  expect(again).toMatchObject({ created: false, tightened: true, secret: made.secret });
  expect((await stat(made.file)).mode & 0o777).toBe(0o600);
});

const hasChromium = chromiumAvailable('widgetRestart.test');
const SEND_BOX = '[data-id="webchat-sendbox-input"]';
const BOT_BUBBLES = '.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content';

describe.skipIf(!hasChromium)('Web Chat in headless Chromium across a restart of the bot (lowdb)', () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  test('the open widget reconnects by itself and the chat goes on: no "Send failed", nothing lost', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'widget-restart-browser-'));
    dirs.push(dataDir);
    let app = await startOn(dataDir);
    const port = Number(new URL(app.base).port);
    browser = await launchChromium();
    const page = await browser.newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const botTexts = () => page.locator(BOT_BUBBLES).allInnerTexts();
    const type = async (text: string, expected: RegExp) => {
      const before = (await botTexts()).length;
      await page.locator(SEND_BOX).fill(text);
      await page.locator(SEND_BOX).press('Enter');
      await expect.poll(async () => (await botTexts()).slice(before).join('\n'), { timeout: 15_000 }).toMatch(expected);
    };
    try {
      await page.goto(`${app.base}/`);
      await expect.poll(async () => (await botTexts()).length, { timeout: 15_000 }).toBeGreaterThan(0);
      await type('my dvr stopped recording', /covered by our support/);
      expect(sockets).toHaveLength(1);

      // The restart: the stream closes with 1001; a new process on the same DATA_DIR and port.
      await app.stop();
      app = await startOn(dataDir, port);
      // Web Chat waits 3–15 s, GETs the conversation with its watermark and opens the new streamUrl.
      await expect.poll(() => sockets.length, { timeout: 30_000 }).toBe(2);
      await type('talk to a person', /queue/);
      expect(await page.locator('text=Send failed').count()).toBe(0);
      expect((await botTexts()).join('\n')).toMatch(/covered by our support/);
    } finally {
      await page.close();
      await app.stop();
    }
  }, 90_000);
});
