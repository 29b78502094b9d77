import { afterAll, describe, expect, test } from 'vitest';
import { syntheticEvents } from '../../bench/insights.js';
import type { OutcomeEvent } from '../../src/domain/insights/ConversationOutcomes.js';
import { emptyTally, figuresOf, tallyEvent, type InsightsFigures, type InsightsQuery, type InsightsRange } from '../../src/domain/insights/InsightsFigures.js';
import { DocumentConversationOutcomes, OUTCOME_DAYS_COLLECTION, type OutcomeDay } from '../../src/storage/DocumentConversationOutcomes.js';
import { MIGRATIONS } from '../../src/storage/postgres/migrations/index.js';
import { PgConversationOutcomes } from '../../src/storage/postgres/PgConversationOutcomes.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';

/**
 * The stores answer the Insights query from rollups (lowdb: packed day tallies; PostgreSQL: tables
 * kept by triggers, migration 070). These tests hold them to the plain fold of the events
 * (tallyEvent over the events of the range, then figuresOf): the definition, with nothing rolled up.
 */

const at = (day: string, time: string) => `2026-01-${day}T${time}Z`;

/** The cases a per-day rollup could get wrong, beside the bench's mix (over days 01–30). */
const TRICKY: OutcomeEvent[] = [
  // Support on the 1st, fixed on the 2nd: one conversation, resolved only in ranges with the 2nd.
  { conversation: 'span', channel: 'webchat', at: at('01', '23:59:00'), fact: { kind: 'triaged', scope: 'in_scope', clause: null, intent: 'troubleshoot', guide: 'hdd-error', request: 1 } },
  { conversation: 'span', channel: 'webchat', at: at('02', '00:01:00'), fact: { kind: 'resolved_by_bot', guide: 'hdd-error' } },
  // Request 1 triaged out of scope on the 1st, clarified in scope on the 2nd: the later decision counts.
  { conversation: 'retriaged', channel: 'slack', at: at('01', '10:00:00'), fact: { kind: 'triaged', scope: 'out_of_scope', clause: 'customer_network', intent: 'troubleshoot', request: 1 } },
  { conversation: 'retriaged', channel: 'slack', at: at('02', '10:00:00'), fact: { kind: 'triaged', scope: 'needs_diagnosis', clause: null, intent: 'troubleshoot', request: 1 } },
  // Off-topic only (not a support conversation), then a handoff on another channel the next day.
  { conversation: 'chatty', channel: 'webchat', at: at('03', '08:00:00'), fact: { kind: 'triaged', scope: 'off_topic', clause: null, intent: 'chitchat', request: 1 } },
  { conversation: 'chatty', channel: 'msteams', at: at('04', '08:00:00'), fact: { kind: 'handoff', trigger: 'asked', handoffId: 'H-x' } },
  // Out of scope without a clause; a triage without a request number; an even number of waits.
  { conversation: 'unclaused', channel: 'webchat', at: at('03', '09:00:00'), fact: { kind: 'triaged', scope: 'out_of_scope', clause: null, intent: 'troubleshoot' } },
  { conversation: 'unclaused', channel: 'webchat', at: at('03', '09:01:00'), fact: { kind: 'triaged', scope: 'out_of_scope', clause: 'applications', intent: 'troubleshoot' } },
  { conversation: 'waits', channel: 'webchat', at: at('05', '09:00:00'), fact: { kind: 'handoff_accepted', handoffId: 'H-y', waitSeconds: 7 } },
  { conversation: 'waits', channel: 'webchat', at: at('05', '09:01:00'), fact: { kind: 'warranty_checked', status: 'conditional' } },
];

const RANGES: InsightsRange[] = [
  { from: '2026-01-01', to: '2026-01-01' },
  { from: '2026-01-02', to: '2026-01-02' },
  { from: '2026-01-01', to: '2026-01-05' },
  { from: '2026-01-01', to: '2026-01-05', channel: 'webchat' },
  { from: '2026-01-02', to: '2026-01-04', channel: 'msteams' },
  { from: '2026-01-01', to: '2026-01-30' },
  { from: '2026-01-01', to: '2026-01-30', channel: 'slack' },
  { from: '2026-02-01', to: '2026-02-03' },
];

/** The figures by definition: the events of the range, folded in recording order. */
function reference(events: readonly OutcomeEvent[], range: InsightsRange): InsightsFigures {
  const tally = emptyTally();
  for (const e of events) {
    const day = e.at.slice(0, 10);
    if (day >= range.from && day <= range.to && (range.channel === undefined || e.channel === range.channel)) tallyEvent(tally, e);
  }
  return figuresOf(tally);
}

async function expectReference(query: InsightsQuery, events: readonly OutcomeEvent[]) {
  for (const range of RANGES) expect(await query.figures(range), JSON.stringify(range)).toEqual(reference(events, range));
}

const EVENTS = [...syntheticEvents(1_500), ...TRICKY];

describe('Insights rollups on the document store', () => {
  test('the packed day rollups give the figures of the events, appended one by one or in bulk', async () => {
    const one = new DocumentConversationOutcomes(new MemoryDocumentStore());
    for (const e of TRICKY) await one.record(e);
    await expectReference(one, TRICKY);
    const bulk = new DocumentConversationOutcomes(new MemoryDocumentStore());
    await bulk.recordBatch(EVENTS);
    await expectReference(bulk, EVENTS);
  });

  test('events recorded at once (many turns in flight) share rollup writes, and every one is counted, in order', async () => {
    const store = new MemoryDocumentStore();
    let rollupWrites = 0;
    const write = store.write.bind(store);
    store.write = ((collection, id, value, options) => {
      if (collection === OUTCOME_DAYS_COLLECTION) rollupWrites += 1;
      return write(collection, id, value, options);
    }) as typeof store.write;
    const outcomes = new DocumentConversationOutcomes(store);
    const events = syntheticEvents(300).filter((e) => e.at.startsWith('2026-01-01'));
    await Promise.all(events.map((e) => outcomes.record(e)));
    expect(await outcomes.eventsOf('2026-01-01')).toEqual(events);
    await expectReference(outcomes, events);
    // One write per event would be events.length: the day's writes are grouped.
    expect(rollupWrites).toBeLessThan(events.length / 4);
  });

  test('a day rolled up before packing (a plain tally) is still read, and packed on its next event', async () => {
    const store = new MemoryDocumentStore();
    const outcomes = new DocumentConversationOutcomes(store);
    const [first, second] = TRICKY;
    // What the previous version wrote for `first`: the tally unpacked.
    const tally = emptyTally();
    tallyEvent(tally, first!);
    const legacy: OutcomeDay = { day: '2026-01-01', segment: 1, segmentEvents: 0, channels: { webchat: tally } };
    await store.write(OUTCOME_DAYS_COLLECTION, '2026-01-01', legacy);
    expect(await outcomes.figures({ from: '2026-01-01', to: '2026-01-02' })).toEqual(reference([first!], { from: '2026-01-01', to: '2026-01-02' }));
    await outcomes.record({ ...second!, at: at('01', '23:59:30') });
    const day = (await store.read<OutcomeDay>(OUTCOME_DAYS_COLLECTION, ['2026-01-01'])).get('2026-01-01')!.value;
    expect(Object.keys(day.channels.webchat!)).toContain('packedConversations');
    expect((await outcomes.figures({ from: '2026-01-01', to: '2026-01-01' })).resolvedByBot).toBe(1);
  });
});

describe('Insights rollups on PostgreSQL', async () => {
  const available = await postgresAvailable('Insights rollups on PostgreSQL');
  const open: PgDatabase[] = [];
  afterAll(async () => {
    await Promise.all(open.map((d) => d.close()));
  });
  const database = async (schema: string, migrations = MIGRATIONS) => {
    const db = await PgDatabase.open(pgUrl, { schema, migrations });
    open.push(db);
    return db;
  };

  test.skipIf(!available)('two instances recording the same conversations at once give the figures of one', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([database(schema), database(schema)]);
    const instances = [new PgConversationOutcomes(a), new PgConversationOutcomes(b)];
    // Every event on its own INSERT, alternately on each instance, 16 in flight: the events of one
    // conversation (and one day row, one counter row) land from both at once.
    const events = syntheticEvents(400);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < events.length) {
          const i = next++;
          await instances[i % 2]!.record(events[i]!);
        }
      }),
    );
    // The tricky ones in order (a retriage replaces a triage only when it comes later).
    for (const [i, e] of TRICKY.entries()) await instances[i % 2]!.record(e);
    await expectReference(instances[0]!, [...events, ...TRICKY]);
    await expectReference(instances[1]!, [...events, ...TRICKY]);
  });

  test.skipIf(!available)('events stored before migration 070 are folded in by it', async () => {
    const schema = freshSchema();
    const before = await database(schema, MIGRATIONS.filter((m) => m.version < 70));
    await new PgConversationOutcomes(before).recordBatch(EVENTS);
    const after = await database(schema);
    await expectReference(new PgConversationOutcomes(after), EVENTS);
  });

  test.skipIf(!available)('deleting events (a retention job) takes them out of the figures', async () => {
    const db = await database(freshSchema());
    const outcomes = new PgConversationOutcomes(db);
    await outcomes.recordBatch(EVENTS);
    await expectReference(outcomes, EVENTS);
    // The 1st of January goes, and the fix of `span` on the 2nd.
    await db.pool.query(`DELETE FROM conversation_outcomes WHERE at < '2026-01-02T00:00:00Z' OR (conversation = 'span' AND kind = 'resolved_by_bot')`);
    const kept = EVENTS.filter((e) => e.at >= '2026-01-02' && !(e.conversation === 'span' && e.fact.kind === 'resolved_by_bot'));
    await expectReference(outcomes, kept);
    const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM conversation_outcome_days WHERE day = '2026-01-01'`);
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
