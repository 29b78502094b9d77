import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { BotRuntime } from '../http/app.js';
import type { BotParts } from './buildBot.js';
import { createTurnErrorHandler } from './onTurnError.js';
import { SupportAdapter } from './SupportAdapter.js';

/** The adapter around the bot: authentication from config, typing indicator, one turn-error handler. */
export function createRuntime(parts: BotParts, botAuth: Config['botAuth'], logger: Logger): BotRuntime {
  const adapter = new SupportAdapter(new ConfigurationBotFrameworkAuthentication(botAuth));
  adapter.use(parts.typing);
  adapter.onTurnError = createTurnErrorHandler(logger, parts.conversationState);
  return { adapter, handleTurn: (ctx) => parts.bot.run(ctx), authenticated: Boolean(botAuth.MicrosoftAppId) };
}
