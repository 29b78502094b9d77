import { DeliveryError, type CustomerMessenger } from '../ports/CustomerMessenger.js';
import { reportDelivery, type CustomerDeliveries, type Delivery, type DeliveryEvent, type DeliveryListener } from './CustomerDeliveries.js';

/** Schedules a callback and returns its cancel function. Injected so tests move time by hand. */
export interface DeliveryTimer {
  set(callback: () => void, ms: number): () => void;
}

/** Node's timers. Not unref'd: at shutdown `drain()` must keep the process alive until retries end. */
export const systemTimer: DeliveryTimer = {
  set(callback, ms) {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
};

export interface InMemoryDeliveryOptions {
  /** One attempt may take this long before it counts as failed ("timed out after 10 s"). Default 10 000. */
  attemptTimeoutMs?: number;
  /** Pause before each retry; its length + 1 is the number of attempts. Default [1 000, 5 000]: 3 attempts. */
  retryDelaysMs?: readonly number[];
  /** Conversations being sent to at once. Default 16. */
  maxConcurrent?: number;
  /** Messages accepted and not yet finished; past it a message is reported failed at once. Default 5 000. */
  maxPending?: number;
  timer?: DeliveryTimer;
  /** A listener that threw or rejected. Default: ignored. */
  onError?: (err: unknown, context: string) => void;
}

export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 5_000];
export const DEFAULT_MAX_CONCURRENT = 16;
export const DEFAULT_MAX_PENDING = 5_000;

/** The messages of one conversation; only its head is ever being worked on (that keeps them in order). */
interface Lane {
  key: string;
  items: Delivery[];
  /** Attempts made on the head so far. */
  attempts: number;
  lastReason?: string;
  /** ready: waiting for a slot · sending: an attempt runs · waiting: for a retry · reporting: listeners of the head's outcome run. */
  state: 'ready' | 'sending' | 'waiting' | 'reporting';
  cancelRetry?: () => void;
}

/**
 * CustomerDeliveries in this process's memory: per-conversation lanes served round-robin by at most
 * `maxConcurrent` attempts at a time, so a customer whose channel hangs delays only their own later
 * messages. A slot is held only while an attempt runs, not during the pause before a retry.
 *
 * At-least-once: an attempt that timed out may still reach the customer after all (the channel
 * call cannot be cancelled), and the retry then sends it again. Lost on a crash or restart (a
 * database-backed queue would keep them).
 */
export class InMemoryCustomerDeliveries implements CustomerDeliveries {
  private readonly lanes = new Map<string, Lane>();
  private readonly ready: Lane[] = [];
  private readonly listeners = new Set<DeliveryListener>();
  private idleWaiters: Array<() => void> = [];
  /** Accepted into a lane and not yet reported. */
  private accepted = 0;
  /** Accepted or dropped, and not yet reported (what idle() waits for). */
  private unfinished = 0;
  private sending = 0;
  private closed = false;
  private abandoning = false;
  private readonly attemptTimeoutMs: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly maxConcurrent: number;
  private readonly maxPending: number;
  private readonly timer: DeliveryTimer;

  constructor(
    private readonly messenger: CustomerMessenger,
    private readonly options: InMemoryDeliveryOptions = {},
  ) {
    this.attemptTimeoutMs = positive('attemptTimeoutMs', options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS);
    this.retryDelaysMs = (options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS).map((ms) => nonNegative('retryDelaysMs', ms));
    this.maxConcurrent = positiveInteger('maxConcurrent', options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
    this.maxPending = positiveInteger('maxPending', options.maxPending ?? DEFAULT_MAX_PENDING);
    this.timer = options.timer ?? systemTimer;
  }

  enqueue(delivery: Delivery): void {
    if (this.closed || this.accepted >= this.maxPending) {
      this.drop(delivery, this.closed ? 'not sent: shutting down' : 'not sent: delivery queue full');
      return;
    }
    this.accepted += 1;
    this.unfinished += 1;
    const lane = this.lanes.get(delivery.conversationKey);
    if (lane) {
      // Its current cycle picks the message up after the ones before it.
      lane.items.push(delivery);
      return;
    }
    const created: Lane = { key: delivery.conversationKey, items: [delivery], attempts: 0, state: 'ready' };
    this.lanes.set(created.key, created);
    this.ready.push(created);
    // The first attempt starts here, synchronously, when a slot is free; enqueue still does not wait for it.
    this.pump();
  }

  subscribe(listener: DeliveryListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  idle(): Promise<void> {
    if (this.unfinished === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async drain(deadlineMs?: number): Promise<void> {
    this.closed = true;
    const cancelDeadline = deadlineMs === undefined ? undefined : this.timer.set(() => this.abandon(), deadlineMs);
    try {
      await this.idle();
    } finally {
      cancelDeadline?.();
    }
  }

  private pump(): void {
    while (this.ready.length > 0 && (this.abandoning || this.sending < this.maxConcurrent)) {
      const lane = this.ready.shift();
      if (!lane) break;
      if (this.abandoning) {
        const reason = lane.attempts > 0 ? `${lane.lastReason ?? 'failed'} (not retried: shutting down)` : 'not sent: shutting down';
        void this.finishHead(lane, reason);
        continue;
      }
      lane.state = 'sending';
      this.sending += 1;
      void this.attempt(lane);
    }
  }

  private async attempt(lane: Lane): Promise<void> {
    const delivery = lane.items[0];
    if (!delivery) return;
    lane.attempts += 1;
    let failure: { reason: string; permanent: boolean } | null = null;
    try {
      await this.withTimeout(this.send(delivery));
    } catch (err) {
      failure = describeFailure(err);
    }
    this.sending -= 1;
    const retryDelay = this.retryDelaysMs[lane.attempts - 1];
    if (failure && !failure.permanent && retryDelay !== undefined && !this.abandoning) {
      lane.lastReason = failure.reason;
      lane.state = 'waiting';
      lane.cancelRetry = this.timer.set(() => {
        lane.cancelRetry = undefined;
        this.makeReady(lane);
      }, retryDelay);
      this.pump();
      return;
    }
    this.pump();
    await this.finishHead(lane, failure?.reason);
  }

  /** Reports the head's outcome (failed when `reason` is given), then moves the lane on. */
  private async finishHead(lane: Lane, reason?: string): Promise<void> {
    const delivery = lane.items.shift();
    if (!delivery) return;
    const attempts = lane.attempts;
    lane.state = 'reporting';
    lane.attempts = 0;
    lane.lastReason = undefined;
    this.accepted -= 1;
    const base = { id: delivery.id, conversationKey: delivery.conversationKey, subject: delivery.subject, attempts };
    await this.report(reason === undefined ? { type: 'delivered', ...base } : { type: 'failed', ...base, reason });
    if (lane.items.length > 0) this.makeReady(lane);
    else this.lanes.delete(lane.key);
    this.finished();
  }

  private drop(delivery: Delivery, reason: string): void {
    this.unfinished += 1;
    const event: DeliveryEvent = { type: 'failed', id: delivery.id, conversationKey: delivery.conversationKey, subject: delivery.subject, attempts: 0, reason };
    // Reported after enqueue has returned, as every other outcome is.
    void Promise.resolve()
      .then(() => this.report(event))
      .then(() => this.finished());
  }

  private makeReady(lane: Lane): void {
    lane.state = 'ready';
    this.ready.push(lane);
    this.pump();
  }

  private finished(): void {
    this.unfinished -= 1;
    if (this.unfinished > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Past the drain deadline: retries are not waited for, and nothing new is started. */
  private abandon(): void {
    this.abandoning = true;
    for (const lane of this.lanes.values()) {
      if (lane.state !== 'waiting') continue;
      lane.cancelRetry?.();
      lane.cancelRetry = undefined;
      lane.state = 'ready';
      this.ready.push(lane);
    }
    this.pump();
  }

  private async report(event: DeliveryEvent): Promise<void> {
    await reportDelivery(this.listeners, event, this.options.onError);
  }

  private send(delivery: Delivery): Promise<void> {
    try {
      if (delivery.subject.kind === 'survey') return this.messenger.send(delivery.address, delivery.text, undefined, { surveyId: delivery.subject.surveyId });
      return delivery.from ? this.messenger.send(delivery.address, delivery.text, delivery.from) : this.messenger.send(delivery.address, delivery.text);
    } catch (err) {
      // A messenger that throws instead of rejecting is a failed attempt all the same.
      return Promise.reject(err);
    }
  }

  private withTimeout(sending: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const cancel = this.timer.set(() => reject(new DeliveryError(`timed out after ${this.attemptTimeoutMs / 1000} s`, false)), this.attemptTimeoutMs);
      sending.then(
        () => {
          cancel();
          resolve();
        },
        (err: unknown) => {
          cancel();
          reject(err);
        },
      );
    });
  }
}

/** The reason staff see, and whether another attempt could help. */
export function describeFailure(err: unknown): { reason: string; permanent: boolean } {
  if (err instanceof DeliveryError) return { reason: err.message, permanent: err.permanent };
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
  return { reason: `failed: ${message.length > 80 ? `${message.slice(0, 79)}…` : message || 'unknown error'}`, permanent: false };
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`InMemoryCustomerDeliveries: options.${name} must be a positive number (got ${value})`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new Error(`InMemoryCustomerDeliveries: options.${name} must hold numbers >= 0 (got ${value})`);
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value > 0)) throw new Error(`InMemoryCustomerDeliveries: options.${name} must be a positive integer (got ${value})`);
  return value;
}
