import { afterAll, describe, expect, test } from 'vitest';
import { PgDocumentStore } from '../../src/storage/PgDocumentStore.js';
import { PgAuditStore } from '../../src/storage/postgres/PgAuditStore.js';
import { migrate, PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { PgHandoffStore } from '../../src/storage/postgres/PgHandoffStore.js';
import { PgTicketStore } from '../../src/storage/postgres/PgTicketStore.js';
import { documents } from '../../src/storage/postgres/migrations/001_documents.js';
import { MIGRATIONS } from '../../src/storage/postgres/migrations/index.js';
import { handoff } from '../handoff/handoffStoreContract.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';
import { ticket } from '../tickets/ticketStoreContract.js';

const available = await postgresAvailable('moving documents into the handoffs, tickets and audit tables');

const opened: PgDatabase[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

describe.skipIf(!available)('a deployment that kept tickets, handoffs and audit as documents', () => {
  test('migrations 010–012 move them into their tables, numbers carry on, and duplicate open handoffs are settled', async () => {
    // The schema as the previous version left it: only the documents table.
    const db = await PgDatabase.open(pgUrl, { schema: freshSchema(), migrations: [documents] });
    opened.push(db);
    const old = new PgDocumentStore(db);
    // The race this release ends left conversation c1 with two open handoffs; the index names the second.
    await old.write('handoffs', 'H-000001', handoff('H-000001', { requestedAt: '2024-03-04T09:00:00.000Z' }));
    await old.write('handoffs', 'H-000002', handoff('H-000002', { requestedAt: '2024-03-04T09:00:00.001Z' }));
    await old.write('open-handoffs', 'webchat/c1', { id: 'H-000002' });
    await old.write('handoffs', 'H-000003', handoff('H-000003', { conversationKey: 'webchat/c2', status: 'closed' }));
    await old.write('handoffs', 'H-000004', handoff('H-000004', { conversationKey: 'webchat/c2', status: 'active', agent: 'dana' }));
    await old.write('open-handoffs', 'webchat/c2', { id: 'H-000004' });
    await old.write('tickets', 'T-000001', ticket(1));
    await old.write('tickets', 'T-000005', ticket(5, { assignee: 'lee', createdAt: '2025-03-02T09:00:00.000Z' }));
    for (const seq of [1, 2, 3]) {
      await old.write('audit', `A-${String(seq).padStart(10, '0')}`, { seq, at: `2026-03-02T10:00:0${seq}.000Z`, actor: 'cli', action: 'token.create', target: `user${seq}` });
    }
    await old.write('sequences', 'handoffs', { value: 7 });
    await old.write('sequences', 'tickets', { value: 12 });
    await old.write('sequences', 'audit', { value: 3 });
    await old.write('staff-tokens', 'abc', { name: 'dana' });

    expect(await migrate(db.pool, MIGRATIONS)).toEqual(expect.arrayContaining([10, 11, 12]));

    const handoffs = new PgHandoffStore(db);
    expect((await handoffs.findOpen('webchat/c1'))?.id).toBe('H-000002');
    expect(await handoffs.get('H-000001')).toMatchObject({ status: 'closed', closedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    expect((await handoffs.findOpen('webchat/c2'))).toMatchObject({ id: 'H-000004', agent: 'dana' });
    expect((await handoffs.list()).map((h) => h.id).sort()).toEqual(['H-000001', 'H-000002', 'H-000003', 'H-000004']);
    expect(await handoffs.nextNumber()).toBe(8);

    const tickets = new PgTicketStore(db);
    expect(await tickets.get('T-000005')).toEqual(ticket(5, { assignee: 'lee', createdAt: '2025-03-02T09:00:00.000Z' }));
    expect((await tickets.query({ limit: 10, assignee: 'LEE' })).tickets.map((t) => t.id)).toEqual(['T-000005']);
    expect(await tickets.nextNumber()).toBe(13);

    const audit = new PgAuditStore(db);
    expect((await audit.recent(10)).map((e) => [e.seq, e.target, e.at])).toEqual([
      [3, 'user3', '2026-03-02T10:00:03.000Z'],
      [2, 'user2', '2026-03-02T10:00:02.000Z'],
      [1, 'user1', '2026-03-02T10:00:01.000Z'],
    ]);
    expect(await audit.append({ at: '2026-03-02T11:00:00.000Z', actor: 'cli', action: 'x', target: 'y' })).toBe(4);

    // Moved, not copied; other documents stay.
    for (const collection of ['handoffs', 'open-handoffs', 'tickets', 'audit']) expect(await old.list(collection), collection).toEqual([]);
    expect(await old.list('staff-tokens')).toHaveLength(1);
  });
});
