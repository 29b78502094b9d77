import { expect, test } from 'vitest';
import { AuditLog, type AuditStore } from '../../src/domain/staff/AuditLog.js';

/** Two handles on one fresh, empty store: two instances of the bot sharing it. */
export type AuditStorePair = () => Promise<{ a: AuditStore; b: AuditStore }>;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const clock = () => new Date('2026-03-02T10:00:00.000Z');

/** The behaviour every AuditStore must have; run once per engine (memory, lowdb, PostgreSQL). */
export function auditStoreContract(open: AuditStorePair): void {
  test('entries are numbered in recording order; recent(n) gives the n newest, newest first, as recorded', async () => {
    const { a, b } = await open();
    const log = new AuditLog(a, clock);
    expect(await log.recent(5)).toEqual([]);
    expect(await log.record({ actor: 'cli', action: 'token.create', target: 'dana' })).toBe(1);
    await log.record({ actor: 'staff:dana', action: 'ticket.update', target: 'T-000001', detail: { status: 'resolved', nested: { n: 1 } } });
    await new AuditLog(b, clock).record({ at: '2026-03-02T11:00:00.000Z', actor: 'staff:lee', action: 'handoff.accept', target: 'H-000001' });
    const recent = await new AuditLog(b).recent(2);
    expect(recent).toEqual([
      { seq: 3, at: '2026-03-02T11:00:00.000Z', actor: 'staff:lee', action: 'handoff.accept', target: 'H-000001' },
      { seq: 2, at: '2026-03-02T10:00:00.000Z', actor: 'staff:dana', action: 'ticket.update', target: 'T-000001', detail: { status: 'resolved', nested: { n: 1 } } },
    ]);
    expect((await log.recent(10)).map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(await log.recent(0)).toEqual([]);
    expect(await log.recent(-1)).toEqual([]);
  });

  test('concurrent appends on two handles: every entry kept, each with its own number', async () => {
    const { a, b } = await open();
    const seqs = await Promise.all(range(40).map((i) => (i % 2 ? a : b).append({ at: '2026-03-02T10:00:00.000Z', actor: 'cli', action: 'x', target: `t${i}` })));
    expect(new Set(seqs).size).toBe(40);
    const recent = await a.recent(100);
    expect(recent).toHaveLength(40);
    expect(recent.map((e) => e.seq)).toEqual([...seqs].sort((x, y) => y - x));
    expect(new Set(recent.map((e) => e.target)).size).toBe(40);
    expect((await b.recent(3)).map((e) => e.seq)).toEqual([...seqs].sort((x, y) => y - x).slice(0, 3));
  });
}
