import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { BotRuntime } from '../http/app.js';
import type { BotParts } from './buildBot.js';
import { createTurnErrorHandler } from './onTurnError.js';
import { SupportAdapter } from './SupportAdapter.js';

/** The adapter, with authentication from config: made before the bot, since proactive messages need it. */
export function createAdapter(botAuth: Config['botAuth']): SupportAdapter {
  return new SupportAdapter(new ConfigurationBotFrameworkAuthentication(botAuth));
}

/** The adapter around the bot: typing indicator, transcript, one turn-error handler. */
export function createRuntime(parts: BotParts, adapter: SupportAdapter, botAuth: Config['botAuth'], logger: Logger): BotRuntime {
  adapter.use(parts.typing);
  // Before the transcript: the transcript and the dialogs see the text without the bot's @mention.
  adapter.use(parts.inbound);
  adapter.use(parts.transcript);
  adapter.onTurnError = createTurnErrorHandler(logger, parts.conversationState);
  return { adapter, handleTurn: (ctx) => parts.bot.run(ctx), authenticated: Boolean(botAuth.MicrosoftAppId) };
}
