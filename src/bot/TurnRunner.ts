import type { BotAdapter, Middleware, TurnContext } from 'botbuilder';
import { InFlightTurns } from './InFlightTurns.js';

export type TurnLogic = (context: TurnContext) => Promise<void>;

export interface TurnPipeline {
  /** Runs in this order around every turn, on every channel (typing, inbound normalising, transcript). */
  middleware: Middleware[];
  /** The bot: one activity in, replies through the context. */
  logic: TurnLogic;
  /** The one place a failed turn ends. */
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
}

/**
 * The bot's own turn runner: one pipeline (middleware, bot, error handler) shared by every channel
 * adapter. Channels depend on it; it depends on no channel, so moving off the archived Bot Framework
 * SDK means one adapter, not a rewrite.
 */
export class TurnRunner {
  constructor(
    private readonly pipeline: TurnPipeline,
    /** Shutdown waits for these before the stores close. */
    readonly inFlight: InFlightTurns = new InFlightTurns(),
  ) {}

  /** Gives a channel's adapter the bot's middleware and error handler; returns the adapter. */
  attach<A extends BotAdapter>(adapter: A): A {
    for (const middleware of this.pipeline.middleware) adapter.use(middleware);
    adapter.onTurnError = this.pipeline.onTurnError;
    return adapter;
  }

  /** The bot's logic, for an adapter's processActivity. */
  readonly logic: TurnLogic = (context) => this.pipeline.logic(context);

  /** Runs `work` (one turn through an adapter) counted as in flight, so shutdown lets it finish. */
  track<T>(work: () => Promise<T>): Promise<T> {
    return this.inFlight.track(work);
  }
}
