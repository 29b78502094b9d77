import { ActivityTypes, type BotState, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';

/**
 * The one place a failed turn ends: log it (ids only, never the customer's words), tell the
 * developer in the Emulator through a trace, apologise to the customer and clear the conversation
 * state so a broken dialog stack cannot fail every following turn.
 */
export function createTurnErrorHandler(logger: Logger, conversationState: BotState) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    const a = context.activity;
    logger.error({ err: { name: error.name, message: error.message, stack: error.stack }, channelId: a.channelId, conversationId: a.conversation?.id, activityType: a.type }, 'turn failed');
    try {
      await context.sendTraceActivity('OnTurnError Trace', error.message, 'https://www.botframework.com/schemas/error', 'TurnError');
      if (a.type === ActivityTypes.Message) {
        await context.sendActivity('Sorry, something went wrong on my side. Please try again, or say "talk to a person".');
      }
      await conversationState.delete(context);
    } catch (inner) {
      logger.error({ err: { message: (inner as Error).message } }, 'turn error handler failed');
    }
  };
}
