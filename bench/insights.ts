/**
 * The Insights query with 100,000 recorded conversations, on both stores: `figures()` for a
 * 30-day range (every channel, and one), p50 and max of sequential runs after a warm-up, in process.
 * The events (~3.2 per conversation: triage, guide, fix or ticket or handoff, rating, warranty)
 * are spread over 30 days and 3 channels and bulk-inserted (recordBatch): day segments and rollups
 * on lowdb (a temp DATA_DIR), one INSERT … unnest per 5,000 rows on PostgreSQL (a fresh schema).
 *
 * Part of `npm run bench`; alone: `tsx bench/insights.ts [--conversations=100000]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { OutcomeEvent, OutcomeFact } from '../src/domain/insights/ConversationOutcomes.js';
import type { InsightsQuery, InsightsRange } from '../src/domain/insights/InsightsFigures.js';
import { outcomeConversationId } from '../src/domain/insights/OutcomeRecorder.js';
import { DocumentConversationOutcomes } from '../src/storage/DocumentConversationOutcomes.js';
import { LowdbDocumentStore } from '../src/storage/LowdbDocumentStore.js';
import { PgConversationOutcomes } from '../src/storage/postgres/PgConversationOutcomes.js';
import { PgDatabase } from '../src/storage/postgres/PgDatabase.js';
import { percentile, postgresReachable, timedRuns } from './measure.js';

const PG_URL = process.env.PG_URL ?? `postgres://${os.userInfo().username}@127.0.0.1:5432/test`;
const DAYS = 30;
const FIRST_DAY = Date.parse('2026-01-01T00:00:00Z');
const RANGE: InsightsRange = { from: '2026-01-01', to: '2026-01-30' };
const CHANNELS = ['webchat', 'msteams', 'slack'] as const;
const GUIDES = ['dvr-not-recording', 'no-video-signal', 'hdd-error', 'ptz-control', 'playback', 'motion-alerts'];
const CLAUSES = ['third_party_equipment', 'applications', 'customer_network', 'data_backup'];
const RUNS = 7;

const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms`;

/** A deterministic mix of outcomes for `count` conversations (no randomness: the same seed each run). */
export function syntheticEvents(count: number): OutcomeEvent[] {
  const events: OutcomeEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const conversation = outcomeConversationId(`bench/${i}`);
    const channel = CHANNELS[i % CHANNELS.length]!;
    const start = FIRST_DAY + (i % DAYS) * 86_400_000 + ((i * 7919) % 86_000) * 1000;
    let t = start;
    const add = (fact: OutcomeFact) => {
      t += 40_000;
      events.push({ conversation, channel, at: new Date(t).toISOString(), fact });
    };
    const kind = i % 10;
    if (kind < 2) {
      add({ kind: 'triaged', scope: 'out_of_scope', clause: CLAUSES[i % CLAUSES.length]!, intent: 'troubleshoot', request: 1 });
      continue;
    }
    if (kind === 2) {
      add({ kind: 'triaged', scope: 'in_scope', clause: null, intent: 'warranty', request: 1 });
      add({ kind: 'warranty_checked', status: (['covered', 'not_covered', 'expired'] as const)[i % 3]! });
      continue;
    }
    add({ kind: 'triaged', scope: 'in_scope', clause: null, intent: 'troubleshoot', request: 1 });
    add({ kind: 'guide_shown', guide: GUIDES[i % GUIDES.length]! });
    if (kind < 7) {
      add({ kind: 'resolved_by_bot', guide: GUIDES[i % GUIDES.length]! });
      add({ kind: 'csat', rating: ((i % 5) + 1) as 1 | 2 | 3 | 4 | 5, hasComment: false, after: 'guide_fixed' });
    } else if (kind === 7) {
      add({ kind: 'ticket_opened', ticketId: `T-${i}` });
      add({ kind: 'first_response', ticketId: `T-${i}`, dueAt: new Date(t + 7_200_000).toISOString(), respondedAt: null, kept: i % 3 !== 0 });
    } else if (kind === 8) {
      add({ kind: 'handoff', trigger: 'not_helping', handoffId: `H-${i}` });
      add({ kind: 'handoff_accepted', handoffId: `H-${i}`, waitSeconds: 30 + (i % 600) });
      add({ kind: 'handoff_closed', handoffId: `H-${i}` });
    } else {
      add({ kind: 'abandoned' });
    }
  }
  return events;
}

async function time(query: InsightsQuery, range: InsightsRange): Promise<{ p50: number; max: number; conversations: number }> {
  let conversations = 0;
  const samples = await timedRuns(
    async () => {
      conversations = (await query.figures(range)).conversations;
    },
    { warmUp: 1, runs: RUNS },
  );
  return { p50: percentile(samples, 50), max: percentile(samples, 100), conversations };
}

export async function benchInsights(conversations = 100_000): Promise<string[][]> {
  const events = syntheticEvents(conversations);
  const label = `${conversations.toLocaleString('en')} conversations, ${events.length.toLocaleString('en')} events, 30 days`;
  const rows: string[][] = [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-insights-'));
  try {
    const store = await LowdbDocumentStore.open(dir);
    const outcomes = new DocumentConversationOutcomes(store);
    const t0 = performance.now();
    await outcomes.recordBatch(events);
    const seedS = ((performance.now() - t0) / 1000).toFixed(1);
    const all = await time(outcomes, RANGE);
    const one = await time(outcomes, { ...RANGE, channel: 'slack' });
    rows.push([`insights query, lowdb, ${label} (seeded in ${seedS} s)`, `${ms(all.p50)} (max ${ms(all.max)})`, `one channel: ${ms(one.p50)}; ${all.conversations.toLocaleString('en')} counted`]);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (!(await postgresReachable(PG_URL))) {
    rows.push(['insights query, PostgreSQL', 'skipped', `no PostgreSQL at ${PG_URL}`]);
    return rows;
  }
  const schema = `bench_insights_${process.pid}`;
  const database = await PgDatabase.open(PG_URL, { schema });
  try {
    const outcomes = new PgConversationOutcomes(database);
    const t0 = performance.now();
    await outcomes.recordBatch(events);
    await database.pool.query('ANALYZE conversation_outcomes');
    const seedS = ((performance.now() - t0) / 1000).toFixed(1);
    const all = await time(outcomes, RANGE);
    const one = await time(outcomes, { ...RANGE, channel: 'slack' });
    rows.push([`insights query, PostgreSQL, ${label} (seeded in ${seedS} s)`, `${ms(all.p50)} (max ${ms(all.max)})`, `one channel: ${ms(one.p50)}; ${all.conversations.toLocaleString('en')} counted`]);
  } finally {
    await database.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await database.close();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = process.argv.slice(2).find((a) => a.startsWith('--conversations='));
  const count = arg ? Number(arg.split('=')[1]) : 100_000;
  const rows = await benchInsights(count);
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
}
