import type { ConversationOutcomes, ConversationWatch, OutcomeEvent, WatchedConversation } from '../domain/insights/ConversationOutcomes.js';
import { daysOf, emptyTally, figuresOf, mergeTally, tallyEvent, type InsightsFigures, type InsightsQuery, type InsightsRange, type OutcomeTally } from '../domain/insights/InsightsFigures.js';
import type { DocumentStore } from '../domain/ports/DocumentStore.js';
import { KeyedLock } from './KeyedLock.js';

/** Per-day rollups: what a range query reads (one document per day). */
export const OUTCOME_DAYS_COLLECTION = 'outcome-days';
/** The events themselves, append-only, in segments of at most SEGMENT_EVENTS per day. */
export const OUTCOME_EVENTS_COLLECTION = 'outcome-events';
/** Conversations with a support request that has not ended: the abandoned-conversation job's work. */
export const OUTCOME_WATCH_COLLECTION = 'outcome-watch';

/** Events per segment document: bounds what one append rewrites (~100 KiB). */
export const SEGMENT_EVENTS = 500;

/**
 * A channel's tally as stored: its per-conversation and per-request parts packed as JSON text of
 * flat arrays. The store copies what it reads (structuredClone), and a copy of one string is a
 * memcpy where a copy of 100,000 keys was most of a 30-day query (issue 11); a range decodes them
 * with JSON.parse straight into the Maps it merges.
 */
export interface PackedTally extends Omit<OutcomeTally, 'conversations' | 'requests'> {
  /** JSON of [conversation, flags, conversation, flags, …]. */
  packedConversations: string;
  /** JSON of [request key, topic, clause, request key, topic, clause, …]. */
  packedRequests: string;
}

/** A rollup written before packing holds a plain OutcomeTally; it is packed when its day is next appended to. */
export type StoredTally = OutcomeTally | PackedTally;

/** One day's rollup: a tally per channel, and where that day's event segments stand. */
export interface OutcomeDay {
  day: string;
  /** Number of the segment being filled (1, 2, …) and how many events it holds. */
  segment: number;
  segmentEvents: number;
  channels: Record<string, StoredTally>;
}

const isPacked = (tally: StoredTally): tally is PackedTally => 'packedConversations' in tally;

export function packTally({ conversations, requests, ...rest }: OutcomeTally): PackedTally {
  const flat: Array<string | number> = [];
  for (const c in conversations) flat.push(c, conversations[c]!);
  const decisions: Array<string | null> = [];
  for (const r in requests) decisions.push(r, ...requests[r]!);
  return { ...rest, packedConversations: JSON.stringify(flat), packedRequests: JSON.stringify(decisions) };
}

export function unpackTally(tally: StoredTally): OutcomeTally {
  if (!isPacked(tally)) return tally;
  const { packedConversations, packedRequests, ...rest } = tally;
  const conversations: Record<string, number> = {};
  const requests: Record<string, [string | null, string | null]> = {};
  eachConversation(tally, (c, flags) => (conversations[c] = flags));
  eachRequest(tally, (r, decision) => (requests[r] = decision));
  return { ...rest, conversations, requests };
}

function eachConversation(tally: StoredTally, visit: (conversation: string, flags: number) => void): void {
  if (!isPacked(tally)) {
    for (const c in tally.conversations) visit(c, tally.conversations[c]!);
    return;
  }
  const flat = JSON.parse(tally.packedConversations) as Array<string | number>;
  for (let i = 0; i < flat.length; i += 2) visit(flat[i] as string, flat[i + 1] as number);
}

function eachRequest(tally: StoredTally, visit: (request: string, decision: [string | null, string | null]) => void): void {
  if (!isPacked(tally)) {
    for (const r in tally.requests) visit(r, tally.requests[r]!);
    return;
  }
  const flat = JSON.parse(tally.packedRequests) as Array<string | null>;
  for (let i = 0; i < flat.length; i += 3) visit(flat[i]!, [flat[i + 1] ?? null, flat[i + 2] ?? null]);
}

export interface OutcomeSegment {
  day: string;
  events: OutcomeEvent[];
}

interface WatchDocument {
  channel: string;
  lastMessageAt: string;
}

const segmentId = (day: string, n: number) => `${day}.${String(n).padStart(5, '0')}`;

/**
 * Outcome events on the DocumentStore (lowdb, the tests' memory store). Each event is appended to
 * its day's current segment (create-only once full, never rewritten after) and folded into the day's
 * rollup (a tally per channel: per-conversation flags, counts, waits; packed, see PackedTally), so a range query reads one
 * document per day instead of every event: a year is 366 reads whatever the traffic. Appends of one
 * day are serialised in this process (the store has one process: its DATA_DIR lock) and grouped
 * (events arriving during a write share the next one); both writes are acknowledged only once durable.
 */
export class DocumentConversationOutcomes implements ConversationOutcomes, InsightsQuery, ConversationWatch {
  private readonly locks = new KeyedLock();
  /** Per day, the events waiting for the write after the current one (see appendGrouped). */
  private readonly waiting = new Map<string, { events: OutcomeEvent[]; written: Promise<void> }>();

  constructor(private readonly store: DocumentStore) {}

  async record(event: OutcomeEvent): Promise<void> {
    await this.recordBatch([event]);
  }

  /** Bulk append (imports, the bench): one segment and rollup write per day and segment, not per event. */
  async recordBatch(events: readonly OutcomeEvent[]): Promise<void> {
    const byDay = new Map<string, OutcomeEvent[]>();
    for (const event of events) {
      const day = event.at.slice(0, 10);
      const list = byDay.get(day) ?? [];
      list.push(event);
      byDay.set(day, list);
    }
    await Promise.all([...byDay].map(([day, dayEvents]) => this.appendGrouped(day, dayEvents)));
  }

  /**
   * Group commit: a day's appends are serialised, and each rewrites the day's rollup (it grows with
   * the day's conversations), so one write per event would cap every turn of the day behind one
   * queue. Events that arrive while the day's write is under way wait together and go out in the
   * next write; each caller is answered once the write holding its events is durable.
   */
  private appendGrouped(day: string, events: readonly OutcomeEvent[]): Promise<void> {
    const open = this.waiting.get(day);
    if (open) {
      open.events.push(...events);
      return open.written;
    }
    const batch: { events: OutcomeEvent[]; written: Promise<void> } = { events: [...events], written: Promise.resolve() };
    this.waiting.set(day, batch);
    batch.written = this.locks.run(day, () => {
      // From here on, new events form the next batch.
      this.waiting.delete(day);
      return this.appendToDay(day, batch.events);
    });
    return batch.written;
  }

  private async appendToDay(day: string, events: readonly OutcomeEvent[]): Promise<void> {
    const rollup = (await this.store.read<OutcomeDay>(OUTCOME_DAYS_COLLECTION, [day])).get(day)?.value ?? { day, segment: 1, segmentEvents: 0, channels: {} };
    let offset = 0;
    while (offset < events.length) {
      if (rollup.segmentEvents >= SEGMENT_EVENTS) {
        rollup.segment += 1;
        rollup.segmentEvents = 0;
      }
      const id = segmentId(day, rollup.segment);
      const chunk = events.slice(offset, offset + (SEGMENT_EVENTS - rollup.segmentEvents));
      const segment = rollup.segmentEvents === 0 ? { day, events: [] } : (await this.store.read<OutcomeSegment>(OUTCOME_EVENTS_COLLECTION, [id])).get(id)?.value ?? { day, events: [] };
      segment.events.push(...chunk);
      // The event is durable in its segment before the rollup counts it.
      await this.store.write(OUTCOME_EVENTS_COLLECTION, id, segment);
      rollup.segmentEvents += chunk.length;
      offset += chunk.length;
    }
    const touched = new Map<string, OutcomeTally>();
    for (const event of events) {
      let tally = touched.get(event.channel);
      if (!tally) {
        const stored = rollup.channels[event.channel];
        tally = stored ? unpackTally(stored) : emptyTally();
        touched.set(event.channel, tally);
      }
      tallyEvent(tally, event);
    }
    for (const [channel, tally] of touched) rollup.channels[channel] = packTally(tally);
    await this.store.write(OUTCOME_DAYS_COLLECTION, day, rollup);
  }

  async figures(range: InsightsRange): Promise<InsightsFigures> {
    const days = await this.store.read<OutcomeDay>(OUTCOME_DAYS_COLLECTION, daysOf(range));
    // Maps, not objects, for the parts keyed by conversation: they stay fast at 100,000 keys.
    const conversations = new Map<string, number>();
    const requests = new Map<string, [string | null, string | null]>();
    const rest = emptyTally();
    // In day order: a later triage of a request replaces the earlier one (tallyEvent's rule).
    for (const day of daysOf(range)) {
      const value = days.get(day)?.value;
      if (!value) continue;
      for (const [channel, tally] of Object.entries(value.channels)) {
        if (range.channel !== undefined && range.channel !== channel) continue;
        eachConversation(tally, (c, flags) => conversations.set(c, (conversations.get(c) ?? 0) | flags));
        eachRequest(tally, (r, decision) => requests.set(r, decision));
        const counts = isPacked(tally) ? { ...tally, packedConversations: undefined, packedRequests: undefined } : tally;
        mergeTally(rest, { ...counts, conversations: {}, requests: {} });
      }
    }
    return figuresOf(rest, conversations.values(), requests.values());
  }

  /** The stored events of one day, in recording order (tests, exports). */
  async eventsOf(day: string): Promise<OutcomeEvent[]> {
    const rollup = (await this.store.read<OutcomeDay>(OUTCOME_DAYS_COLLECTION, [day])).get(day)?.value;
    if (!rollup) return [];
    const ids = Array.from({ length: rollup.segment }, (_, i) => segmentId(day, i + 1));
    const segments = await this.store.read<OutcomeSegment>(OUTCOME_EVENTS_COLLECTION, ids);
    return ids.flatMap((id) => segments.get(id)?.value.events ?? []);
  }

  // ---- the abandoned-conversation watch ---------------------------------------------------------

  async watch(conversation: string, channel: string, at: string): Promise<void> {
    await this.locks.run(`watch:${conversation}`, async () => {
      // Already watched: every customer message moves its time on (touch), so each support fact of the
      // turn need not rewrite it; a durable write saved on the turn's path.
      if ((await this.store.read<WatchDocument>(OUTCOME_WATCH_COLLECTION, [conversation])).has(conversation)) return;
      await this.store.write<WatchDocument>(OUTCOME_WATCH_COLLECTION, conversation, { channel, lastMessageAt: at });
    });
  }

  async touch(conversation: string, at: string): Promise<void> {
    await this.locks.run(`watch:${conversation}`, async () => {
      const current = (await this.store.read<WatchDocument>(OUTCOME_WATCH_COLLECTION, [conversation])).get(conversation);
      if (current && current.value.lastMessageAt < at) await this.store.write<WatchDocument>(OUTCOME_WATCH_COLLECTION, conversation, { ...current.value, lastMessageAt: at });
    });
  }

  async unwatch(conversation: string): Promise<void> {
    await this.locks.run(`watch:${conversation}`, () => this.store.delete(OUTCOME_WATCH_COLLECTION, [conversation]));
  }

  async abandonIdle(before: string, at: string, limit: number): Promise<WatchedConversation[]> {
    // Only conversations with an open support request are here (each leaves at its ending), so the list stays short.
    const idle = (await this.store.list<WatchDocument>(OUTCOME_WATCH_COLLECTION))
      .filter((d) => d.value.lastMessageAt < before)
      .sort((a, b) => (a.value.lastMessageAt < b.value.lastMessageAt ? -1 : 1))
      .slice(0, limit);
    const taken: WatchedConversation[] = [];
    for (const doc of idle) {
      const still = await this.locks.run(`watch:${doc.id}`, async () => {
        const current = (await this.store.read<WatchDocument>(OUTCOME_WATCH_COLLECTION, [doc.id])).get(doc.id);
        // A message or an ending since the list was read: not abandoned.
        if (!current || current.value.lastMessageAt >= before) return null;
        await this.record({ conversation: doc.id, channel: current.value.channel, at, fact: { kind: 'abandoned' } });
        await this.store.delete(OUTCOME_WATCH_COLLECTION, [doc.id]);
        return { conversation: doc.id, channel: current.value.channel, lastMessageAt: current.value.lastMessageAt };
      });
      if (still) taken.push(still);
    }
    return taken;
  }
}
