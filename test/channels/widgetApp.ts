import { ConversationFeeds } from '../../src/channels/directline/ConversationFeeds.js';
import { DirectLineTokens } from '../../src/channels/directline/DirectLineTokens.js';
import { createApp } from '../../src/http/app.js';
import { registerStaffApi } from '../../src/http/staffApi.js';
import { listen } from '../../src/server.js';
import { silentLogger, testDesk } from '../helpers/testBot.js';

/**
 * The app as `npm start` assembles it (anonymous, in-memory store, staff 24x7), with the website
 * widget and the self-hosted Direct Line, listening on a free loopback port.
 */
export async function startWidgetApp(options: { tokenLifetimeSeconds?: number } = {}) {
  const now = () => new Date();
  const desk = await testDesk(now);
  const { tickets, handoffs, runtime } = desk;
  const dlTokens = new DirectLineTokens('test-secret-test-secret-test-secret!', options.tokenLifetimeSeconds ?? 1800);
  const app = createApp({
    logger: silentLogger,
    runtime: () => runtime,
    readiness: { checks: async () => ({ ok: true }) },
    webChat: { look: { title: 'Acme Cameras', color: '#b1005e', welcome: 'Hello from Acme support.' }, tokens: dlTokens, feeds: new ConversationFeeds() },
  });
  registerStaffApi(app, desk.staffApi);
  const base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  return {
    base,
    tickets,
    handoffs,
    staffToken: await desk.staffTokens.create('dana'),
    close: () => new Promise<void>((r) => app.close(() => r())),
  };
}
