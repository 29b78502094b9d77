import { z } from 'zod';
import { HANDOFF_TRIGGERS, type OutcomeEvent, type OutcomeFact } from './ConversationOutcomes.js';

/**
 * The Insights figures (GET /api/insights): what the console's Insights page draws and the CSV
 * export lists. Definitions (README "Insights"):
 * - `conversations`: conversations with a support request in the range — at least one of: a triage
 *   that is not off-topic, a guide shown, a warranty check, resolved by the bot, a ticket opened, a
 *   handoff (any trigger). Greetings alone do not count.
 * - `resolvedByBot`: of those, conversations in which the customer confirmed a fix ("Yes, fixed").
 * - `containmentRate`: conversations that never reached a person or a ticket (no handoff of any
 *   trigger, no ticket opened) ÷ `conversations`, 0..1 with 4 decimals; null with no conversations.
 * - counts of events (`handoffs`, `tickets`, `firstResponseSla`, `csat`, `warrantyChecks`,
 *   `outOfScopeByClause`) count each event in the range; `firstResponseSla` counts tickets settled
 *   in the range (`due` = `kept` + `breached`).
 * - `topTopics`: per request, the guide shown, or the intent (warranty, ticket_status, human), or
 *   needs_diagnosis / advice_only; the 10 largest, largest first.
 */
const Count = z.number().int().nonnegative();

export const InsightsFiguresSchema = z.object({
  conversations: Count,
  resolvedByBot: Count,
  containmentRate: z.number().min(0).max(1).nullable(),
  handoffs: z.object({
    total: Count,
    byTrigger: z.object({ asked: Count, not_helping: Count, negative_sentiment: Count, after_hours: Count }),
  }),
  tickets: z.object({ opened: Count, resolved: Count }),
  firstResponseSla: z.object({ due: Count, kept: Count, breached: Count }),
  /** Median seconds from a handoff's request to an agent accepting it; null when none was accepted. */
  queueWaitMedianSeconds: z.number().nonnegative().nullable(),
  csat: z.object({
    responses: Count,
    /** Mean rating, 2 decimals; null without responses. */
    average: z.number().min(1).max(5).nullable(),
    distribution: z.object({ '1': Count, '2': Count, '3': Count, '4': Count, '5': Count }),
  }),
  /** `title`: the topic as staff read it (a guide's title), when the server knows it. */
  topTopics: z.array(z.object({ topic: z.string(), count: Count, title: z.string().optional() })),
  outOfScopeByClause: z.record(z.string(), Count),
  warrantyChecks: z.object({ covered: Count, not_covered: Count, expired: Count }),
});

/** The response of GET /api/insights. */
export type InsightsFigures = z.infer<typeof InsightsFiguresSchema>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const IsoDay = z
  .string()
  .regex(DAY, 'expected a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date');

/** Longest range one query may ask for (the document store reads one rollup per day). */
export const MAX_RANGE_DAYS = 366 * 2;

/** The query: UTC days, both included; `channel` empty or absent = every channel. */
export const InsightsRangeSchema = z
  .object({
    from: IsoDay,
    to: IsoDay,
    channel: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^[a-z0-9_.-]{1,40}$/i, 'a channel id like webchat, msteams or slack').optional()),
  })
  .refine((r) => r.from <= r.to, { message: '"from" is after "to"', path: ['from'] })
  .refine((r) => daysBetween(r.from, r.to) <= MAX_RANGE_DAYS, { message: `at most ${MAX_RANGE_DAYS} days`, path: ['to'] });

export type InsightsRange = z.infer<typeof InsightsRangeSchema>;

/** The port each store implements: SQL aggregates on PostgreSQL, day rollups on the document store. */
export interface InsightsQuery {
  figures(range: InsightsRange): Promise<InsightsFigures>;
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The range as instants: [from 00:00Z, the day after `to` 00:00Z). */
export function rangeInstants(range: Pick<InsightsRange, 'from' | 'to'>): { start: string; end: string } {
  const end = new Date(Date.parse(`${range.to}T00:00:00Z`) + 86_400_000).toISOString();
  return { start: `${range.from}T00:00:00.000Z`, end };
}

/** Every UTC day of the range, in order. */
export function daysOf(range: Pick<InsightsRange, 'from' | 'to'>): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${range.from}T00:00:00Z`), end = Date.parse(`${range.to}T00:00:00Z`); t <= end; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

// ---- the fold the document store keeps per day (and the tests' reference) ---------------------

/** Per-conversation flags. */
export const SUPPORT = 1;
export const ESCALATED = 2;
export const RESOLVED = 4;

/** The facts that make a conversation a support conversation. */
export function isSupportFact(fact: OutcomeFact): boolean {
  switch (fact.kind) {
    case 'triaged':
      return fact.scope !== 'off_topic';
    case 'guide_shown':
    case 'warranty_checked':
    case 'resolved_by_bot':
    case 'ticket_opened':
    case 'handoff':
      return true;
    default:
      return false;
  }
}

/** The facts that end a support request: the bot fixed it, or it reached a ticket or a person. */
export function isEndingFact(fact: OutcomeFact): boolean {
  return fact.kind === 'resolved_by_bot' || fact.kind === 'ticket_opened' || fact.kind === 'handoff';
}

/** The topic a triage decision counts under (null: counted elsewhere, or not a request). */
export function triageTopic(fact: Extract<OutcomeFact, { kind: 'triaged' }>): string | null {
  if (fact.scope === 'needs_diagnosis' || fact.scope === 'advice_only') return fact.scope;
  if (fact.scope !== 'in_scope') return null;
  // Troubleshooting counts under the guide shown (guide_shown), which the triage does not know yet.
  if (fact.intent === 'troubleshoot') return fact.guide ?? null;
  return fact.intent;
}

/**
 * Everything the figures need of a set of events, mergeable: the document store keeps one per day
 * and channel and merges the days of a range (a conversation spanning days is counted once).
 */
export interface OutcomeTally {
  conversations: Record<string, number>;
  /** "conversation#request" → [topic, out-of-scope clause] of the last triage of that request. */
  requests: Record<string, [string | null, string | null]>;
  guides: Record<string, number>;
  handoffs: Record<string, number>;
  ticketsOpened: number;
  ticketsResolved: number;
  firstResponseKept: number;
  firstResponseBreached: number;
  waits: number[];
  /** Ratings 1..5 at index 0..4. */
  csat: number[];
  warranty: Record<string, number>;
  abandoned: number;
}

export function emptyTally(): OutcomeTally {
  return {
    conversations: {},
    requests: {},
    guides: {},
    handoffs: {},
    ticketsOpened: 0,
    ticketsResolved: 0,
    firstResponseKept: 0,
    firstResponseBreached: 0,
    waits: [],
    csat: [0, 0, 0, 0, 0],
    warranty: {},
    abandoned: 0,
  };
}

const bump = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

/** Adds one event to the tally (in recording order: a later triage of a request replaces the earlier). */
export function tallyEvent(tally: OutcomeTally, event: OutcomeEvent): void {
  const { fact, conversation } = event;
  let flags = tally.conversations[conversation] ?? 0;
  if (isSupportFact(fact)) flags |= SUPPORT;
  if (fact.kind === 'ticket_opened' || fact.kind === 'handoff') flags |= ESCALATED;
  if (fact.kind === 'resolved_by_bot') flags |= RESOLVED;
  if (flags !== 0 || conversation in tally.conversations) tally.conversations[conversation] = flags;
  switch (fact.kind) {
    case 'triaged':
      tally.requests[`${conversation}#${fact.request ?? event.at}`] = [triageTopic(fact), fact.scope === 'out_of_scope' ? fact.clause ?? 'unspecified' : null];
      break;
    case 'guide_shown':
      bump(tally.guides, fact.guide);
      break;
    case 'handoff':
      bump(tally.handoffs, fact.trigger);
      break;
    case 'ticket_opened':
      tally.ticketsOpened += 1;
      break;
    case 'ticket_resolved':
      tally.ticketsResolved += 1;
      break;
    case 'first_response':
      if (fact.kept) tally.firstResponseKept += 1;
      else tally.firstResponseBreached += 1;
      break;
    case 'handoff_accepted':
      tally.waits.push(fact.waitSeconds);
      break;
    case 'csat':
      tally.csat[fact.rating - 1] = (tally.csat[fact.rating - 1] ?? 0) + 1;
      break;
    case 'warranty_checked':
      bump(tally.warranty, fact.status);
      break;
    case 'abandoned':
      tally.abandoned += 1;
      break;
    default:
      break;
  }
}

/** `into` += `more` (the days of a range). */
export function mergeTally(into: OutcomeTally, more: OutcomeTally): void {
  for (const [c, f] of Object.entries(more.conversations)) into.conversations[c] = (into.conversations[c] ?? 0) | f;
  Object.assign(into.requests, more.requests);
  for (const [k, n] of Object.entries(more.guides)) bump(into.guides, k, n);
  for (const [k, n] of Object.entries(more.handoffs)) bump(into.handoffs, k, n);
  for (const [k, n] of Object.entries(more.warranty)) bump(into.warranty, k, n);
  into.ticketsOpened += more.ticketsOpened;
  into.ticketsResolved += more.ticketsResolved;
  into.firstResponseKept += more.firstResponseKept;
  into.firstResponseBreached += more.firstResponseBreached;
  for (const w of more.waits) into.waits.push(w);
  more.csat.forEach((n, i) => (into.csat[i] = (into.csat[i] ?? 0) + n));
  into.abandoned += more.abandoned;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const TOP_TOPICS = 10;

/** Largest first, then by name; the first TOP_TOPICS. */
export function topTopicsOf(counts: Record<string, number>): InsightsFigures['topTopics'] {
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, TOP_TOPICS)
    .map(([topic, count]) => ({ topic, count }));
}

/** What the topics that are no guide are, in words. */
const TOPIC_NAMES: Readonly<Record<string, string>> = {
  warranty: 'Warranty questions',
  ticket_status: 'Ticket status',
  human: 'Asked for a person',
  needs_diagnosis: 'Network checks (does our device route TCP/IP?)',
  advice_only: 'Firewall and SPI advice',
  other: 'Other requests',
};

/** The figures with each top topic's title: a guide's own title (from the knowledge), else what the topic is. */
export function withTopicTitles(figures: InsightsFigures, guideTitles: ReadonlyMap<string, string>): InsightsFigures {
  return {
    ...figures,
    topTopics: figures.topTopics.map((t) => {
      const title = guideTitles.get(t.topic) ?? TOPIC_NAMES[t.topic];
      return title ? { ...t, title } : t;
    }),
  };
}

export function containment(conversations: number, escalated: number): number | null {
  return conversations === 0 ? null : Math.round(((conversations - escalated) / conversations) * 10_000) / 10_000;
}

export function csatFigures(distribution: readonly number[]): InsightsFigures['csat'] {
  const responses = distribution.reduce((a, b) => a + b, 0);
  const sum = distribution.reduce((a, n, i) => a + n * (i + 1), 0);
  const at = (i: number) => distribution[i] ?? 0;
  return {
    responses,
    average: responses === 0 ? null : Math.round((sum / responses) * 100) / 100,
    distribution: { '1': at(0), '2': at(1), '3': at(2), '4': at(3), '5': at(4) },
  };
}

/** The figures of a tally (or of its parts, when the conversations and requests come from elsewhere). */
export function figuresOf(
  tally: OutcomeTally,
  conversationFlags: Iterable<number> = Object.values(tally.conversations),
  requestDecisions: Iterable<[string | null, string | null]> = Object.values(tally.requests),
): InsightsFigures {
  let conversations = 0;
  let resolvedByBot = 0;
  let escalated = 0;
  for (const flags of conversationFlags) {
    if (!(flags & SUPPORT)) continue;
    conversations += 1;
    if (flags & RESOLVED) resolvedByBot += 1;
    if (flags & ESCALATED) escalated += 1;
  }
  const topics: Record<string, number> = { ...tally.guides };
  const clauses: Record<string, number> = {};
  for (const [topic, clause] of requestDecisions) {
    if (topic) bump(topics, topic);
    if (clause) bump(clauses, clause);
  }
  const byTrigger = { asked: 0, not_helping: 0, negative_sentiment: 0, after_hours: 0 };
  for (const trigger of HANDOFF_TRIGGERS) byTrigger[trigger] = tally.handoffs[trigger] ?? 0;
  return {
    conversations,
    resolvedByBot,
    containmentRate: containment(conversations, escalated),
    handoffs: { total: Object.values(byTrigger).reduce((a, b) => a + b, 0), byTrigger },
    tickets: { opened: tally.ticketsOpened, resolved: tally.ticketsResolved },
    firstResponseSla: { due: tally.firstResponseKept + tally.firstResponseBreached, kept: tally.firstResponseKept, breached: tally.firstResponseBreached },
    queueWaitMedianSeconds: median(tally.waits),
    csat: csatFigures(tally.csat),
    topTopics: topTopicsOf(topics),
    outOfScopeByClause: clauses,
    warrantyChecks: { covered: tally.warranty.covered ?? 0, not_covered: tally.warranty.not_covered ?? 0, expired: tally.warranty.expired ?? 0 },
  };
}

/** The figures as CSV: one `metric,value` row per number (nested keys joined with "."). */
export function figuresCsv(figures: InsightsFigures, range: InsightsRange): string {
  const rows: Array<[string, string | number | null]> = [
    ['from', range.from],
    ['to', range.to],
    ['channel', range.channel ?? 'all'],
    ['conversations', figures.conversations],
    ['resolvedByBot', figures.resolvedByBot],
    ['containmentRate', figures.containmentRate],
    ['handoffs.total', figures.handoffs.total],
    ...Object.entries(figures.handoffs.byTrigger).map(([k, v]): [string, number] => [`handoffs.byTrigger.${k}`, v]),
    ['tickets.opened', figures.tickets.opened],
    ['tickets.resolved', figures.tickets.resolved],
    ['firstResponseSla.due', figures.firstResponseSla.due],
    ['firstResponseSla.kept', figures.firstResponseSla.kept],
    ['firstResponseSla.breached', figures.firstResponseSla.breached],
    ['queueWaitMedianSeconds', figures.queueWaitMedianSeconds],
    ['csat.responses', figures.csat.responses],
    ['csat.average', figures.csat.average],
    ...Object.entries(figures.csat.distribution).map(([k, v]): [string, number] => [`csat.distribution.${k}`, v]),
    ...figures.topTopics.map((t): [string, number] => [`topTopics.${t.topic}`, t.count]),
    ...Object.entries(figures.outOfScopeByClause).map(([k, v]): [string, number] => [`outOfScopeByClause.${k}`, v]),
    ...Object.entries(figures.warrantyChecks).map(([k, v]): [string, number] => [`warrantyChecks.${k}`, v]),
  ];
  return `metric,value\r\n${rows.map(([k, v]) => `${csvCell(k)},${v === null ? '' : csvCell(String(v))}`).join('\r\n')}\r\n`;
}

function csvCell(s: string): string {
  // Formula injection: a cell starting with = + - @ is read as a formula by spreadsheets.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
