import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { reportDelivery, type CustomerDeliveries, type Delivery, type DeliveryEvent, type DeliveryListener, type DeliverySubject } from '../../domain/delivery/CustomerDeliveries.js';
import {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MAX_PENDING,
  DEFAULT_RETRY_DELAYS_MS,
  describeFailure,
} from '../../domain/delivery/InMemoryCustomerDeliveries.js';
import { DeliveryError, type CustomerMessenger, type MessageSender } from '../../domain/ports/CustomerMessenger.js';
import type { ConversationAddress } from '../../domain/tickets/Ticket.js';
import type { PgDatabase } from './PgDatabase.js';

/** Held while a batch is counted and inserted, so the bound on waiting messages holds across instances. */
const ENQUEUE_LOCK = 727_031;

export interface PgDeliveryOptions {
  /** One attempt may take this long before it counts as failed. Default 10 000. */
  attemptTimeoutMs?: number;
  /** Pause before each retry; its length + 1 is the number of attempts. Default [1 000, 5 000]. */
  retryDelaysMs?: readonly number[];
  /** Attempts this instance runs at once (each instance has its own). Default 16. */
  maxConcurrent?: number;
  /** Unfinished messages in the table (all instances); past it a message is reported failed at once. Default 5 000. */
  maxPending?: number;
  /**
   * How long a claimed message is this instance's: past it (the instance died mid-attempt) another
   * instance takes it again. Must exceed the attempt timeout. Default attempt timeout + 20 s.
   */
  leaseMs?: number;
  /**
   * How often the table is looked at for work this instance was not woken for: messages enqueued
   * on another instance that it could not take at once, retries due, leases run out. Default 1 000.
   */
  pollIntervalMs?: number;
  /** Delivered and failed rows are kept this long, then pruned. Default a day. */
  retentionMs?: number;
  /** Names this instance in `leased_by` (default host:pid:random). */
  instance?: string;
  /** A listener that threw, or a database error of the worker. Default: ignored. */
  onError?: (err: unknown, context: string) => void;
}

interface ClaimedRow {
  seq: string;
  /** `sending`: make an attempt; `reporting`: its holder died while reporting `outcome`, report it again. */
  state: 'sending' | 'reporting';
  outcome: 'delivered' | 'failed' | null;
  last_reason: string | null;
  id: string;
  conversation_key: string;
  address: ConversationAddress;
  text: string;
  subject: DeliverySubject;
  sender: MessageSender | null;
  attempts: number;
  lease_token: string;
}

/**
 * CustomerDeliveries on PostgreSQL (table `deliveries`, migration 031), shared by every instance:
 * a message enqueued on one instance survives its restart and may be sent by any instance.
 *
 * - `enqueue` buffers the message and returns; the buffer is inserted in one statement per batch,
 *   in enqueue order (one batch at a time per instance), under an advisory lock that keeps the
 *   number of unfinished rows under `maxPending`.
 * - Every instance runs up to `maxConcurrent` attempts. It claims due rows with `FOR UPDATE SKIP
 *   LOCKED`; a row is due only when no earlier row of its conversation is unfinished, so one
 *   conversation gets one message at a time, in order, across all instances. A claim is a lease:
 *   a row whose holder died is claimed again once the lease runs out.
 * - A failed attempt goes back to `pending` with `next_attempt_at` (retries do not hold a slot and
 *   keep the conversation's later messages waiting). The final outcome is stored first (`reporting`:
 *   no longer counted against the bound), then given to the listeners of the instance that made the
 *   attempt, then the row is finished: the conversation's next message waits until the outcome is
 *   recorded (the listeners write to the shared store), and an instance that dies while reporting
 *   has the outcome reported again elsewhere, not the message sent again.
 * - Wake-up: the enqueuing instance claims as soon as its insert commits, and an instance claims
 *   again as soon as one of its attempts ends; other instances notice work within `pollIntervalMs`
 *   (1 s: an indexed query per second per instance), which is all a second instance needs to do
 *   (retries due, an instance gone, one instance's slots all taken), so no LISTEN connection.
 *
 * At-least-once, as in memory: an attempt that timed out, or whose instance died after the channel
 * took it, is sent again.
 */
export class PgCustomerDeliveries implements CustomerDeliveries {
  private readonly listeners = new Set<DeliveryListener>();
  private readonly attemptTimeoutMs: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly maxConcurrent: number;
  private readonly maxPending: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly retentionMs: number;
  private readonly instance: string;
  /** Enqueued and not yet in an insert. */
  private buffer: Array<{ delivery: Delivery; json: string }> = [];
  private inserting: Promise<void> = Promise.resolve();
  private insertQueued = false;
  /** Messages this instance holds outside the table: buffered, being inserted, being dropped; and its attempts. */
  private local = 0;
  private inFlight = 0;
  private readonly work = new Set<Promise<void>>();
  /** Seqs of the rows this instance is working on. */
  private readonly held = new Set<string>();
  private claiming = false;
  private claimAgain = false;
  private idleWaiters: Array<() => void> = [];
  private checkingIdle = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private lastPrune = 0;
  /** drain() began: no more claims. */
  private closed = false;
  /** drain() ended: no more inserts either. */
  private stopped = false;

  constructor(
    private readonly database: PgDatabase,
    private readonly messenger: CustomerMessenger,
    private readonly options: PgDeliveryOptions = {},
  ) {
    this.attemptTimeoutMs = check('attemptTimeoutMs', options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS, (v) => v > 0, 'a positive number');
    this.retryDelaysMs = (options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS).map((ms) => check('retryDelaysMs', ms, (v) => v >= 0, 'numbers >= 0'));
    this.maxConcurrent = check('maxConcurrent', options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, (v) => Number.isSafeInteger(v) && v > 0, 'a positive integer');
    this.maxPending = check('maxPending', options.maxPending ?? DEFAULT_MAX_PENDING, (v) => Number.isSafeInteger(v) && v > 0, 'a positive integer');
    this.leaseMs = check('leaseMs', options.leaseMs ?? this.attemptTimeoutMs + 20_000, (v) => v > this.attemptTimeoutMs, 'longer than attemptTimeoutMs');
    this.pollIntervalMs = check('pollIntervalMs', options.pollIntervalMs ?? 1_000, (v) => v > 0, 'a positive number');
    this.retentionMs = check('retentionMs', options.retentionMs ?? 24 * 60 * 60 * 1000, (v) => v >= 0, 'a number >= 0');
    this.instance = options.instance ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.poll();
  }

  enqueue(delivery: Delivery): void {
    if (this.stopped) {
      this.drop(delivery, 'not sent: shutting down');
      return;
    }
    let json: string;
    try {
      json = JSON.stringify({ id: delivery.id, conversationKey: delivery.conversationKey, address: delivery.address, text: delivery.text, subject: delivery.subject, from: delivery.from ?? null });
    } catch {
      this.drop(delivery, 'not sent: the message could not be stored');
      return;
    }
    this.local += 1;
    this.buffer.push({ delivery, json });
    if (this.insertQueued) return;
    this.insertQueued = true;
    // One batch at a time: a later batch's rows get later seqs, so enqueue order is kept.
    this.inserting = this.inserting.then(() => {
      this.insertQueued = false;
      const batch = this.buffer;
      this.buffer = [];
      return this.insert(batch);
    });
  }

  subscribe(listener: DeliveryListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Resolves when this instance holds nothing (buffer, inserts, attempts, outcomes being reported)
   * and the table has no unfinished message (of any instance: queued, being sent or reported, waiting for a retry).
   */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  /**
   * For shutdown: claims nothing more and resolves once this instance's inserts and running
   * attempts (each bounded by the attempt timeout) are done, or at the deadline. Unlike the
   * in-memory queue nothing is given up: messages not started stay in the table for the other
   * instances, or for this one after its restart. Messages enqueued while draining are still
   * stored; after it, they are reported failed ("shutting down").
   */
  async drain(deadlineMs?: number): Promise<void> {
    this.closed = true;
    this.clearTimers();
    let cancel = (): void => undefined;
    const deadline =
      deadlineMs === undefined
        ? null
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, deadlineMs);
            cancel = () => clearTimeout(timer);
          });
    const done = (async () => {
      // Inserts chained while this runs are waited for too.
      for (let inserting = this.inserting; ; inserting = this.inserting) {
        await inserting;
        if (inserting === this.inserting && this.work.size === 0) break;
        await Promise.all([...this.work]);
      }
    })();
    try {
      await (deadline ? Promise.race([done, deadline]) : done);
    } finally {
      cancel();
      this.stopped = true;
    }
  }

  private async insert(batch: Array<{ delivery: Delivery; json: string }>): Promise<void> {
    if (batch.length === 0) return;
    let accepted = new Set<string>();
    let room = batch.length;
    let failure: string | null = null;
    try {
      ({ accepted, room } = await this.database.transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [ENQUEUE_LOCK]);
        const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE state IN ('pending', 'sending')");
        const free = Math.max(0, this.maxPending - (rows[0]?.n ?? 0));
        const taking = batch.slice(0, free);
        if (taking.length === 0) return { accepted: new Set<string>(), room: 0 };
        const inserted = await client.query<{ id: string }>(
          `INSERT INTO deliveries (id, conversation_key, address, text, subject, sender)
           SELECT e.doc->>'id', e.doc->>'conversationKey', e.doc->'address', e.doc->>'text', e.doc->'subject', NULLIF(e.doc->'from', 'null'::jsonb)
           FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(doc, ord)
           ORDER BY e.ord
           ON CONFLICT (id) DO NOTHING
           RETURNING id`,
          [`[${taking.map((t) => t.json).join(',')}]`],
        );
        return { accepted: new Set(inserted.rows.map((r) => r.id)), room: free };
      }));
    } catch (err) {
      failure = `not sent: could not be queued (${shortMessage(err)})`;
    }
    for (const [index, { delivery }] of batch.entries()) {
      // Once per id: the same id twice in one batch is one row.
      if (accepted.delete(delivery.id)) continue;
      const reason = failure ?? (index >= room ? 'not sent: delivery queue full' : 'not sent: a message with this id is already queued');
      // Counted as local until reported (drop adds its own count).
      this.drop(delivery, reason);
    }
    this.local -= batch.length;
    if (accepted.size > 0) this.pump();
    this.checkIdle();
  }

  /** Takes as many due messages as there are free slots, and starts them. */
  private pump(): void {
    if (this.closed) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    const free = this.maxConcurrent - this.inFlight;
    if (free <= 0) return;
    this.claiming = true;
    this.claimAgain = false;
    this.claim(free)
      .then((rows) => {
        for (const row of rows) this.start(row);
        // A full batch: there may be more, once slots free up (each attempt's end pumps again).
      })
      .catch((err: unknown) => this.options.onError?.(err, 'claiming deliveries'))
      .finally(() => {
        this.claiming = false;
        if (this.claimAgain) this.pump();
        this.checkIdle();
      });
  }

  private async claim(limit: number): Promise<ClaimedRow[]> {
    const { rows } = await this.database.pool.query<ClaimedRow>(
      `WITH due AS (
         SELECT d.seq FROM deliveries d
         WHERE d.state IN ('pending', 'sending', 'reporting')
           AND CASE d.state WHEN 'pending' THEN d.next_attempt_at <= now() ELSE d.lease_until <= now() AND d.seq <> ALL ($4::bigint[]) END
           AND NOT EXISTS (
             SELECT 1 FROM deliveries e
             WHERE e.conversation_key = d.conversation_key AND e.state IN ('pending', 'sending', 'reporting') AND e.seq < d.seq)
         ORDER BY d.seq
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE deliveries d SET
         state = CASE d.state WHEN 'reporting' THEN 'reporting' ELSE 'sending' END,
         attempts = CASE d.state WHEN 'reporting' THEN d.attempts ELSE d.attempts + 1 END,
         lease_until = now() + $2 * interval '1 millisecond', lease_token = gen_random_uuid(), leased_by = $3
       FROM due WHERE d.seq = due.seq
       RETURNING d.seq::text AS seq, d.state, d.outcome, d.last_reason, d.id, d.conversation_key, d.address, d.text, d.subject, d.sender, d.attempts,
         d.lease_token::text AS lease_token`,
      // A row whose lease ran out while this instance still works on it (slow listeners) is left to
      // the other instances: this instance's work finishes it unless one of them took it over.
      [limit, this.leaseMs, this.instance, [...this.held]],
    );
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  }

  private start(row: ClaimedRow): void {
    this.inFlight += 1;
    this.held.add(row.seq);
    const running: Promise<void> = this.attempt(row)
      .catch((err: unknown) => this.options.onError?.(err, `delivery ${row.id}`))
      .finally(() => {
        this.inFlight -= 1;
        this.held.delete(row.seq);
        this.work.delete(running);
        this.pump();
        this.checkIdle();
      });
    this.work.add(running);
  }

  private async attempt(row: ClaimedRow): Promise<void> {
    if (row.state === 'reporting') {
      await this.finish(row, row.outcome === 'failed' ? row.last_reason ?? 'failed' : null);
      return;
    }
    let failure: { reason: string; permanent: boolean } | null = null;
    try {
      await this.withTimeout(this.send(row));
    } catch (err) {
      failure = describeFailure(err);
    }
    const retryDelay = this.retryDelaysMs[row.attempts - 1];
    if (failure && !failure.permanent && retryDelay !== undefined) {
      // Back in the queue, due after the pause (database time); the conversation's later messages keep waiting.
      await this.database.pool.query(
        `UPDATE deliveries SET state = 'pending', next_attempt_at = now() + $3 * interval '1 millisecond', last_reason = $4,
           lease_until = NULL, lease_token = NULL, leased_by = NULL
         WHERE seq = $1 AND lease_token = $2`,
        [row.seq, row.lease_token, retryDelay, failure.reason],
      );
      this.later(retryDelay, () => this.pump());
      return;
    }
    // Only while the lease is still ours (every update below checks it): if it ran out, another instance has the row now.
    const { rowCount } = await this.database.pool.query(
      `UPDATE deliveries SET state = 'reporting', outcome = $3, last_reason = $4 WHERE seq = $1 AND lease_token = $2`,
      [row.seq, row.lease_token, failure ? 'failed' : 'delivered', failure?.reason ?? null],
    );
    if (rowCount === 0) {
      this.options.onError?.(new Error(`the lease ran out during the attempt (${this.leaseMs} ms); another instance has it`), `delivery ${row.id}`);
      return;
    }
    await this.finish(row, failure?.reason ?? null);
  }

  /** Reports the outcome (failed when `reason` is given), then marks the row finished. */
  private async finish(row: ClaimedRow, reason: string | null): Promise<void> {
    const base = { id: row.id, conversationKey: row.conversation_key, subject: row.subject, attempts: row.attempts };
    await this.report(reason === null ? { type: 'delivered', ...base } : { type: 'failed', ...base, reason });
    const { rowCount } = await this.database.pool.query(
      `UPDATE deliveries SET state = outcome, finished_at = now(), lease_until = NULL, lease_token = NULL WHERE seq = $1 AND lease_token = $2`,
      [row.seq, row.lease_token],
    );
    if (rowCount === 0) this.options.onError?.(new Error(`the lease ran out while the outcome was reported (${this.leaseMs} ms)`), `delivery ${row.id}`);
  }

  private drop(delivery: Delivery, reason: string): void {
    this.local += 1;
    const event: DeliveryEvent = { type: 'failed', id: delivery.id, conversationKey: delivery.conversationKey, subject: delivery.subject, attempts: 0, reason };
    // Reported after enqueue has returned, as every other outcome is.
    void Promise.resolve()
      .then(() => this.report(event))
      .then(() => {
        this.local -= 1;
        this.checkIdle();
      });
  }

  private async report(event: DeliveryEvent): Promise<void> {
    await reportDelivery(this.listeners, event, this.options.onError);
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.checkingIdle || this.local > 0 || this.inFlight > 0) return;
    this.checkingIdle = true;
    this.database.pool
      .query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE state IN ('pending', 'sending', 'reporting')")
      .then(({ rows }) => {
        if ((rows[0]?.n ?? 0) > 0 || this.local > 0 || this.inFlight > 0) return;
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      })
      .catch((err: unknown) => this.options.onError?.(err, 'checking for unfinished deliveries'))
      .finally(() => {
        this.checkingIdle = false;
      });
  }

  /** The background tick: claims what this instance was not woken for, answers idle() waiters, prunes. */
  private poll(): void {
    this.later(this.pollIntervalMs, () => {
      this.pump();
      this.checkIdle();
      void this.prune();
      this.poll();
    });
  }

  private async prune(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrune < Math.min(10 * 60 * 1000, Math.max(this.retentionMs, this.pollIntervalMs))) return;
    this.lastPrune = now;
    try {
      await this.database.pool.query(
        `DELETE FROM deliveries WHERE state IN ('delivered', 'failed') AND finished_at < now() - $1 * interval '1 millisecond'`,
        [this.retentionMs],
      );
    } catch (err) {
      this.options.onError?.(err, 'pruning finished deliveries');
    }
  }

  private send(row: ClaimedRow): Promise<void> {
    try {
      if (row.subject.kind === 'survey') return this.messenger.send(row.address, row.text, undefined, { surveyId: row.subject.surveyId });
      return row.sender ? this.messenger.send(row.address, row.text, row.sender) : this.messenger.send(row.address, row.text);
    } catch (err) {
      // A messenger that throws instead of rejecting is a failed attempt all the same.
      return Promise.reject(err);
    }
  }

  private withTimeout(sending: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      // Not unref'd: drain() keeps the process up until running attempts end.
      const timer = setTimeout(() => reject(new DeliveryError(`timed out after ${this.attemptTimeoutMs / 1000} s`, false)), this.attemptTimeoutMs);
      sending.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** An unref'd timer: the queue's own ticks never keep the process alive. */
  private later(ms: number, callback: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) callback();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function check(name: string, value: number, ok: (v: number) => boolean, what: string): number {
  if (!(Number.isFinite(value) && ok(value))) throw new Error(`PgCustomerDeliveries: options.${name} must be ${what} (got ${value})`);
  return value;
}

function shortMessage(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
  return message.length > 80 ? `${message.slice(0, 79)}…` : message || 'unknown error';
}
