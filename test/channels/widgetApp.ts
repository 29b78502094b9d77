import { DirectLineChannel } from '../../src/channels/directline/DirectLineChannel.js';
import { webChatPlugin } from '../../src/channels/directline/webChat.js';
import type { ClientLimits } from '../../src/http/ClientLimits.js';
import { DirectLineTokens } from '../../src/channels/directline/DirectLineTokens.js';
import { createApp } from '../../src/http/app.js';
import { staffApiPlugin } from '../../src/http/staffApi.js';
import { listen } from '../../src/server.js';
import type { SupportStores } from '../../src/storage/SupportStores.js';
import { relaxedLimits, silentLogger, testDesk } from '../helpers/testBot.js';

/** The Direct Line token key of every widget app a test starts, unless it passes its own: instances agree on it. */
export const TEST_TOKEN_SECRET = 'test-secret-test-secret-test-secret!';

/**
 * The app as `npm start` assembles it (anonymous, in-memory store, staff 24x7), with the website
 * widget and the self-hosted Direct Line, listening on a free loopback port. With `stores` (lowdb,
 * PostgreSQL) it runs on those: two apps on one database are two instances; `port` lets a restarted
 * app take the place of a stopped one.
 */
export async function startWidgetApp(
  options: { tokenLifetimeSeconds?: number; limits?: ClientLimits; appId?: string; stores?: SupportStores; tokenSecret?: string; port?: number } = {},
) {
  const now = () => new Date();
  const desk = await testDesk(now, { ...(options.appId ? { appId: options.appId } : {}), ...(options.stores ? { stores: options.stores } : {}) });
  const { tickets, handoffs, runner } = desk;
  const dlTokens = new DirectLineTokens(options.tokenSecret ?? TEST_TOKEN_SECRET, options.tokenLifetimeSeconds ?? 1800);
  const app = createApp({
    logger: silentLogger,
    readiness: { checks: async () => ({ ok: true }) },
    limits: options.limits ?? relaxedLimits(),
    plugins: [
      desk.botFramework,
      new DirectLineChannel({ tokens: dlTokens, adapter: desk.directLine, runner: () => runner }),
      webChatPlugin({ look: { title: 'Acme Cameras', color: '#b1005e', welcome: 'Hello from Acme support.' }, tokens: dlTokens, logger: silentLogger }),
      staffApiPlugin(desk.staffApi),
    ],
  });
  const base = `http://127.0.0.1:${await listen(app, options.port ?? 0, '127.0.0.1')}`;
  return {
    base,
    tickets,
    handoffs,
    desk,
    staffToken: await desk.staffTokens.create('dana'),
    close: () => new Promise<void>((r) => app.close(() => r())),
  };
}
