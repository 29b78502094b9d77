import { ActivityTypes, TestAdapter, type Activity, type ResourceResponse, type TurnContext } from 'botbuilder';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { TypingIndicator } from '../../src/bot/TypingIndicator.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A TestAdapter that tells the test when "typing…" goes out. */
class WatchedAdapter extends TestAdapter {
  typings = 0;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  /** Resolves once `count` typing activities have been sent. */
  typingsSent(count: number): Promise<void> {
    if (this.typings >= count) return Promise.resolve();
    const d = deferred();
    this.waiters.push({ count, resolve: d.resolve });
    return d.promise;
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses = await super.sendActivities(context, activities);
    this.typings += activities.filter((a) => a.type === ActivityTypes.Typing).length;
    for (const w of this.waiters.filter((w) => this.typings >= w.count)) w.resolve();
    return responses;
  }
}

const sentTypes = (adapter: TestAdapter) => adapter.activeQueue.map((a) => a.type);

interface Reported {
  error: Error;
  afterTurnEnded: boolean;
}

function indicator(options: { delayMs?: number; periodMs?: number } = {}) {
  const reported: Reported[] = [];
  const middleware = new TypingIndicator({ ...options, onError: (error, info) => reported.push({ error, ...info }) });
  return { middleware, reported };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TypingIndicator', () => {
  test('a slow turn gets typing activities before its answer', async () => {
    const adapter = new WatchedAdapter();
    const { middleware, reported } = indicator({ delayMs: 5, periodMs: 10 });
    adapter.use(middleware);
    await adapter.processActivity('my DVR stopped recording', async (context) => {
      await adapter.typingsSent(2);
      await context.sendActivity('Here is what to check.');
    });
    expect(sentTypes(adapter)).toEqual(['typing', 'typing', 'message']);
    const typing = adapter.activeQueue[0];
    expect(typing?.conversation?.id).toBe(adapter.conversation.conversation.id);
    expect(typing?.recipient?.id).toBe(adapter.conversation.user?.id);
    expect(reported).toEqual([]);
  });

  test('after the delay and every period while the turn runs, and never after it ended', async () => {
    vi.useFakeTimers();
    const adapter = new WatchedAdapter();
    adapter.use(indicator({ delayMs: 500, periodMs: 2000 }).middleware);
    await adapter.processActivity('hello', async (context) => {
      await vi.advanceTimersByTimeAsync(499);
      expect(adapter.typings).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(adapter.typings).toBe(1);
      await vi.advanceTimersByTimeAsync(4000);
      expect(adapter.typings).toBe(3);
      await context.sendActivity('done');
    });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(adapter.typings).toBe(3);
  });

  test('a quick turn, an activity that is not a message, and a bot-authored message get none', async () => {
    vi.useFakeTimers();
    const adapter = new WatchedAdapter();
    adapter.use(indicator({ delayMs: 500, periodMs: 2000 }).middleware);
    await adapter.processActivity('hi', async (context) => {
      await context.sendActivity('hello');
    });
    await adapter.processActivity({ type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: 'user', name: 'user' }] }, async () => {
      await vi.advanceTimersByTimeAsync(5000);
    });
    // TestAdapter replaces a bot `from` on what it processes, except from its template.
    const fromBot = new WatchedAdapter(undefined, { from: { id: 'another-bot', name: 'bot', role: 'bot' } });
    fromBot.use(indicator({ delayMs: 500, periodMs: 2000 }).middleware);
    await fromBot.processActivity('echo', async (context) => {
      expect(context.activity.from.role).toBe('bot');
      await vi.advanceTimersByTimeAsync(5000);
    });
    expect(adapter.typings).toBe(0);
    expect(fromBot.typings).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('a send that fails during the turn is reported, and the turn goes on', async () => {
    class FailingAdapter extends WatchedAdapter {
      override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
        if (activities.some((a) => a.type === ActivityTypes.Typing)) throw new Error('connector said 502');
        return super.sendActivities(context, activities);
      }
    }
    const adapter = new FailingAdapter();
    const twoFailures = deferred();
    const reported: Reported[] = [];
    adapter.use(
      new TypingIndicator({
        delayMs: 1,
        periodMs: 1,
        onError: (error, info) => {
          reported.push({ error, ...info });
          if (reported.length === 2) twoFailures.resolve();
        },
      }),
    );
    await adapter.processActivity('hello', async (context) => {
      await twoFailures.promise;
      await context.sendActivity('answer');
    });
    expect(sentTypes(adapter)).toEqual(['message']);
    expect(reported.slice(0, 2).map((r) => [r.error.message, r.afterTurnEnded])).toEqual([
      ['connector said 502', false],
      ['connector said 502', false],
    ]);
  });

  test('a send still under way when the turn ends (its context revoked) fails without an unhandled rejection', async () => {
    // Like CloudAdapter posting "typing…" to a slow connector: the send outlives the turn, then fails.
    class SlowConnectorAdapter extends TestAdapter {
      readonly typingStarted = deferred();
      readonly release = deferred();
      readonly failed = deferred();
      override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
        if (!activities.some((a) => a.type === ActivityTypes.Typing)) return super.sendActivities(context, activities);
        this.typingStarted.resolve();
        await this.release.promise;
        this.failed.resolve();
        throw new Error('connector timed out');
      }
    }
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const adapter = new SlowConnectorAdapter();
      const { middleware, reported } = indicator({ delayMs: 0, periodMs: 10 });
      adapter.use(middleware);
      let revokedContext: TurnContext | undefined;
      await adapter.processActivity('hello', async (context) => {
        revokedContext = context;
        await adapter.typingStarted.promise;
      });
      // The turn is over: its context is revoked, as in the crash.
      expect(() => revokedContext?.adapter).toThrow(/revoked/);
      adapter.release.resolve();
      await adapter.failed.promise;
      // Unhandled rejections are reported after the microtask queue drains: let that happen first.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(unhandled).not.toHaveBeenCalled();
      expect(reported.map((r) => [r.error.message, r.afterTurnEnded])).toEqual([['connector timed out', true]]);
      expect(adapter.activeQueue).toEqual([]);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  test('a throwing error callback does not escape either', async () => {
    class FailingAdapter extends TestAdapter {
      readonly failed = deferred();
      override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
        if (activities.some((a) => a.type === ActivityTypes.Typing)) {
          this.failed.resolve();
          throw new Error('nope');
        }
        return super.sendActivities(context, activities);
      }
    }
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const adapter = new FailingAdapter();
      adapter.use(
        new TypingIndicator({
          delayMs: 0,
          onError: () => {
            throw new Error('logger broke');
          },
        }),
      );
      await adapter.processActivity('hello', async () => {
        await adapter.failed.promise;
        await new Promise((r) => setImmediate(r));
      });
      await new Promise((r) => setImmediate(r));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
