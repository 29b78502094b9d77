import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { BotParts } from './buildBot.js';
import type { InFlightTurns } from './InFlightTurns.js';
import { createTurnErrorHandler } from './onTurnError.js';
import { SupportAdapter } from './SupportAdapter.js';
import { TurnRunner } from './TurnRunner.js';

/** The Bot Framework adapter, with authentication from config (no app id = anonymous, local only). */
export function createAdapter(botAuth: Config['botAuth']): SupportAdapter {
  return new SupportAdapter(new ConfigurationBotFrameworkAuthentication(botAuth));
}

/** The bot's pipeline: typing indicator, inbound normalising, transcript, the bot, one turn-error handler. */
export function createTurnRunner(parts: BotParts, logger: Logger, inFlight?: InFlightTurns): TurnRunner {
  return new TurnRunner(
    {
      // Before the transcript: the transcript and the dialogs see the text without the bot's @mention.
      middleware: [parts.typing, parts.inbound, parts.transcript],
      logic: (context) => parts.bot.run(context),
      onTurnError: createTurnErrorHandler(logger, parts.conversationState),
    },
    inFlight,
  );
}
