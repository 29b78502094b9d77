import { randomBytes } from 'node:crypto';
import { EVENT_RETENTION_MS, MAX_REPLAY, type BusEvent, type BusListener, type EventBus } from '../ports/EventBus.js';
import { KeyedListeners } from './KeyedListeners.js';

export interface InMemoryEventBusOptions {
  /** Events kept for `since` at most this long. */
  retentionMs?: number;
  /** And at most this many (a replay further back gets null: the client takes a snapshot). */
  maxKept?: number;
  /** And at most this much JSON in all: a handoff event carries the whole handoff, transcript included. */
  maxBytes?: number;
  /** Told when a listener threw. */
  onError?: (err: unknown, context: string) => void;
  now?: () => number;
}

/**
 * The event bus of one process (the embedded store, tests): subscribers are called before
 * `publish` resolves, in id order. A restart starts a new epoch, so a client holding an id of the
 * previous process gets a snapshot rather than a wrong replay.
 */
export class InMemoryEventBus implements EventBus {
  readonly epoch = `m${randomBytes(6).toString('base64url')}`;
  private readonly listeners = new KeyedListeners<BusListener>();
  private readonly kept: Array<{ event: BusEvent; bytes: number }> = [];
  private keptBytes = 0;
  /** Events published while listeners were running: delivered after, so order holds. */
  private readonly queue: BusEvent[] = [];
  private delivering = false;
  private last = 0;
  /** Every id up to this one has been pruned. */
  private prunedThrough = 0;
  private readonly retentionMs: number;
  private readonly maxKept: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(private readonly options: InMemoryEventBusOptions = {}) {
    this.retentionMs = options.retentionMs ?? EVENT_RETENTION_MS;
    this.maxKept = options.maxKept ?? 10_000;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  async publish<T>(topic: string, payload: T): Promise<BusEvent<T>> {
    this.last += 1;
    // A copy through JSON, as a database would store it: a listener cannot change what others get.
    const json = JSON.stringify(payload ?? null);
    const event: BusEvent<T> = { id: this.last, topic, payload: JSON.parse(json) as T, at: new Date(this.now()).toISOString() };
    this.kept.push({ event, bytes: json.length });
    this.keptBytes += json.length;
    this.prune();
    this.queue.push(event);
    this.deliver();
    return event;
  }

  subscribe(topic: string, listener: BusListener): () => void {
    return this.listeners.add(topic, listener);
  }

  async since(topic: string, afterId: number): Promise<BusEvent[] | null> {
    this.prune();
    if (afterId < this.prunedThrough || afterId > this.last) return null;
    const events = this.kept.map((k) => k.event).filter((e) => e.id > afterId && e.topic === topic);
    return events.length > MAX_REPLAY ? null : events;
  }

  async head(): Promise<number> {
    return this.last;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let event = this.queue.shift(); event; event = this.queue.shift()) {
        for (const listener of this.listeners.of(event.topic)) {
          try {
            listener(event);
          } catch (err) {
            this.options.onError?.(err, `InMemoryEventBus: listener of ${event.topic} #${event.id}`);
          }
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  private prune(): void {
    const oldest = this.now() - this.retentionMs;
    while (this.kept.length > 0) {
      const first = this.kept[0] as { event: BusEvent; bytes: number };
      if (this.kept.length <= this.maxKept && this.keptBytes <= this.maxBytes && Date.parse(first.event.at) >= oldest) break;
      this.kept.shift();
      this.keptBytes -= first.bytes;
      this.prunedThrough = first.event.id;
    }
  }
}
