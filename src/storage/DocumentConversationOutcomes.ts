import type { ConversationOutcomes, ConversationWatch, OutcomeEvent, WatchedConversation } from '../domain/insights/ConversationOutcomes.js';
import { daysOf, emptyTally, figuresOfTallies, tallyEvent, type InsightsFigures, type InsightsQuery, type InsightsRange, type OutcomeTally } from '../domain/insights/InsightsFigures.js';
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

/** One day's rollup: a tally per channel, and where that day's event segments stand. */
export interface OutcomeDay {
  day: string;
  /** Number of the segment being filled (1, 2, …) and how many events it holds. */
  segment: number;
  segmentEvents: number;
  channels: Record<string, OutcomeTally>;
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
 * rollup (a tally per channel: per-conversation flags, counts, waits), so a range query reads one
 * document per day instead of every event: a year is 366 reads whatever the traffic. Appends of one
 * day are serialised in this process (the store has one process: its DATA_DIR lock); both writes
 * are acknowledged only once durable.
 */
export class DocumentConversationOutcomes implements ConversationOutcomes, InsightsQuery, ConversationWatch {
  private readonly locks = new KeyedLock();

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
    for (const [day, dayEvents] of byDay) await this.locks.run(day, () => this.appendToDay(day, dayEvents));
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
    for (const event of events) {
      const tally = (rollup.channels[event.channel] ??= emptyTally());
      tallyEvent(tally, event);
    }
    await this.store.write(OUTCOME_DAYS_COLLECTION, day, rollup);
  }

  async figures(range: InsightsRange): Promise<InsightsFigures> {
    const days = await this.store.read<OutcomeDay>(OUTCOME_DAYS_COLLECTION, daysOf(range));
    const tallies: OutcomeTally[] = [];
    for (const { value } of days.values()) {
      for (const [channel, tally] of Object.entries(value.channels)) {
        if (range.channel === undefined || range.channel === channel) tallies.push(tally);
      }
    }
    return figuresOfTallies(tallies);
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
    await this.locks.run(`watch:${conversation}`, () => this.store.write<WatchDocument>(OUTCOME_WATCH_COLLECTION, conversation, { channel, lastMessageAt: at }));
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
