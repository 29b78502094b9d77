import { DirectLineChannel } from '../../src/channels/directline/DirectLineChannel.js';
import { webChatPlugin } from '../../src/channels/directline/webChat.js';
import type { ClientLimits } from '../../src/http/ClientLimits.js';
import { DirectLineTokens } from '../../src/channels/directline/DirectLineTokens.js';
import { createApp } from '../../src/http/app.js';
import { staffApiPlugin } from '../../src/http/staffApi.js';
import { listen } from '../../src/server.js';
import { relaxedLimits, silentLogger, testDesk } from '../helpers/testBot.js';

/**
 * The app as `npm start` assembles it (anonymous, in-memory store, staff 24x7), with the website
 * widget and the self-hosted Direct Line, listening on a free loopback port.
 */
export async function startWidgetApp(options: { tokenLifetimeSeconds?: number; limits?: ClientLimits; appId?: string } = {}) {
  const now = () => new Date();
  const desk = await testDesk(now, options.appId ? { appId: options.appId } : {});
  const { tickets, handoffs, runner } = desk;
  const dlTokens = new DirectLineTokens('test-secret-test-secret-test-secret!', options.tokenLifetimeSeconds ?? 1800);
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
  const base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  return {
    base,
    tickets,
    handoffs,
    desk,
    staffToken: await desk.staffTokens.create('dana'),
    close: () => new Promise<void>((r) => app.close(() => r())),
  };
}
