import { ActivityTypes, RoleTypes, TurnContext, type Activity, type Middleware } from 'botbuilder';

export interface TypingIndicatorOptions {
  /** Wait before the first "typing…" (a quick answer needs none). Default 500 ms. */
  delayMs?: number;
  /** Then repeat at this interval until the turn's handler finishes. Default 2000 ms. */
  periodMs?: number;
  /**
   * Told about every failed send; never throws into the turn. `afterTurnEnded` marks a send that was
   * under way when the turn finished (the expected race; worth a debug line, not an alert).
   */
  onError: (error: Error, info: { afterTurnEnded: boolean }) => void;
}

/**
 * Sends "typing…" while a user's message is being answered, like botbuilder's ShowTypingMiddleware,
 * without its crash: that middleware handles a failed send by reading `context.adapter`, which
 * throws once the turn has ended (the context is a revoked proxy), and the rejection of its timer
 * callback is unhandled — which exits Node. Here every send is checked against the end of the turn,
 * the adapter is captured while the context is live, and every error goes to `onError`.
 * (Unlike ShowTypingMiddleware it does not look for skill claims: this bot is not a skill.)
 */
export class TypingIndicator implements Middleware {
  private readonly delayMs: number;
  private readonly periodMs: number;

  constructor(private readonly options: TypingIndicatorOptions) {
    this.delayMs = options.delayMs ?? 500;
    this.periodMs = options.periodMs ?? 2000;
    if (!(this.delayMs >= 0)) throw new Error('TypingIndicator: delayMs must be zero or more');
    if (!(this.periodMs > 0)) throw new Error('TypingIndicator: periodMs must be more than zero');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const incoming = context.activity;
    if (incoming.type !== ActivityTypes.Message || incoming.from?.role === RoleTypes.Bot) return next();

    // Everything the sends need is read now, while the context is still live.
    const adapter = context.adapter;
    const typing: Partial<Activity> = TurnContext.applyConversationReference(
      { type: ActivityTypes.Typing, ...(incoming.relatesTo ? { relatesTo: incoming.relatesTo } : {}) },
      TurnContext.getConversationReference(incoming),
    );
    let finished = false;
    let timer: NodeJS.Timeout | undefined;

    const sendOnce = async () => {
      timer = undefined;
      if (finished) return;
      try {
        // A copy each time: adapters write ids and timestamps into what they send.
        await adapter.sendActivities(context, [{ ...typing }]);
      } catch (err) {
        this.report(err, finished);
      }
      if (!finished) timer = setTimeout(fire, this.periodMs);
    };
    const fire = () => {
      sendOnce().catch((err: unknown) => this.report(err, finished));
    };

    timer = setTimeout(fire, this.delayMs);
    try {
      await next();
    } finally {
      finished = true;
      if (timer) clearTimeout(timer);
    }
  }

  private report(err: unknown, afterTurnEnded: boolean): void {
    try {
      this.options.onError(err instanceof Error ? err : new Error(String(err)), { afterTurnEnded });
    } catch {
      // A failing logger must not turn into an unhandled rejection either.
    }
  }
}
