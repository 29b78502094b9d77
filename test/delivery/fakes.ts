import type { CustomerDeliveries, Delivery } from '../../src/domain/delivery/CustomerDeliveries.js';
import type { DeliveryTimer } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import type { CustomerMessenger, MessageSender } from '../../src/domain/ports/CustomerMessenger.js';
import type { ConversationAddress } from '../../src/domain/tickets/Ticket.js';

/** A timer that only moves when the test says so. */
export class ManualTimer implements DeliveryTimer {
  private now = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  set(callback: () => void, ms: number): () => void {
    const id = (this.seq += 1);
    this.timers.set(id, { at: this.now + ms, callback });
    return () => {
      this.timers.delete(id);
    };
  }

  /** Milliseconds moved so far. */
  get elapsed(): number {
    return this.now;
  }

  /** How far ahead each scheduled timer is, soonest first. */
  scheduled(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  /** Moves time to the soonest timer and fires every timer due then; false when none is scheduled. */
  fireNext(): boolean {
    if (this.timers.size === 0) return false;
    const at = Math.min(...[...this.timers.values()].map((t) => t.at));
    this.now = at;
    for (const [id, t] of [...this.timers]) {
      if (t.at > at) continue;
      this.timers.delete(id);
      t.callback();
    }
    return true;
  }
}

/** Lets every callback already queued in the event loop (promise reactions, I/O) run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs the queue until it is idle: pending promise work first, then time moved to the next timer
 * (an attempt's timeout, a retry), and so on. Throws when it does not get there.
 */
export async function settle(deliveries: CustomerDeliveries, timer: ManualTimer, maxSteps = 10_000): Promise<void> {
  let idle = false;
  void deliveries.idle().then(() => {
    idle = true;
  });
  for (let step = 0; step < maxSteps; step += 1) {
    await flush();
    if (idle) return;
    timer.fireNext();
  }
  throw new Error(`settle(): the delivery queue was not idle after ${maxSteps} steps`);
}

/** The conversation id of an address ({ conversation: { id } }). */
export function conversationOf(address: ConversationAddress): string {
  return String((address.conversation as { id?: string } | undefined)?.id);
}

/** Resolves once `ready()` holds; re-checked whenever `changed` is signalled. */
export class Signal {
  private waiters: Array<{ ready: () => boolean; resolve: () => void }> = [];

  until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  changed(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (w.ready()) w.resolve();
      else this.waiters.push(w);
    }
  }
}

/** A channel whose every call is held until the test answers it. */
export class ControlledMessenger implements CustomerMessenger {
  readonly calls: Array<{ conversation: string; text: string; from?: MessageSender; resolve: () => void; reject: (err: unknown) => void }> = [];
  private readonly signal = new Signal();
  /** Calls not answered yet, and the most there ever were at once. */
  outstanding = 0;
  maxOutstanding = 0;

  send(address: ConversationAddress, text: string, from?: MessageSender): Promise<void> {
    return new Promise((resolve, reject) => {
      this.outstanding += 1;
      this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
      const answered = <T>(fn: (value: T) => void) => (value: T) => {
        this.outstanding -= 1;
        fn(value);
      };
      let settled = false;
      const once = <T>(fn: (value: T) => void) => (value: T) => {
        if (settled) return;
        settled = true;
        answered(fn)(value);
      };
      const call = { conversation: conversationOf(address), text, ...(from ? { from } : {}), resolve: once(resolve), reject: once(reject) };
      this.calls.push(call);
      if (this.autoResolve) call.resolve();
      this.signal.changed();
    });
  }

  /** Answers every call still open, and every later call at once: for the end of a test. */
  resolveAll(): void {
    this.autoResolve = true;
    for (const call of this.calls) call.resolve();
  }
  private autoResolve = false;

  /** Resolves once `n` calls have been made (for a queue that sends asynchronously, e.g. from a database). */
  waitFor(n: number): Promise<void> {
    return this.signal.until(() => this.calls.length >= n);
  }

  /** The texts sent so far (attempts started, answered or not). */
  texts(): string[] {
    return this.calls.map((c) => c.text);
  }

  /** The one call for `text` (the latest attempt when retried). */
  call(text: string) {
    const found = this.calls.filter((c) => c.text === text).at(-1);
    if (!found) throw new Error(`ControlledMessenger: "${text}" was never sent`);
    return found;
  }
}

/** A channel that never answers (a serviceUrl that accepts the connection and then says nothing). */
export class HangingMessenger implements CustomerMessenger {
  readonly calls: Array<{ conversation: string; text: string }> = [];
  private readonly signal = new Signal();
  send(address: ConversationAddress, text: string): Promise<void> {
    this.calls.push({ conversation: conversationOf(address), text });
    this.signal.changed();
    return new Promise<void>(() => undefined);
  }

  waitFor(n: number): Promise<void> {
    return this.signal.until(() => this.calls.length >= n);
  }
}

let counter = 0;
/** A delivery to conversation `conversation` about handoff H-1 (unless told otherwise). */
export function delivery(conversation: string, text: string, overrides: Partial<Delivery> = {}): Delivery {
  counter += 1;
  return {
    id: `d-${counter}`,
    conversationKey: `webchat/${conversation}`,
    address: { channelId: 'webchat', conversation: { id: conversation }, serviceUrl: 'http://localhost' },
    text,
    subject: { kind: 'handoff', handoffId: 'H-000001' },
    ...overrides,
  };
}
