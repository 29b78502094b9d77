import { expect, test } from 'vitest';
import { AuditLog } from '../../src/domain/staff/AuditLog.js';
import { hashStaffToken, StaffTokens } from '../../src/domain/staff/StaffTokens.js';
import { DocumentAuditStore } from '../../src/storage/DocumentAuditStore.js';
import { DocumentStaffTokenStore, STAFF_TOKENS_COLLECTION } from '../../src/storage/DocumentStaffTokenStore.js';
import { fixedClock } from '../helpers/testBot.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';

function setup() {
  const store = new MemoryDocumentStore();
  return { store, tokens: new StaffTokens(new DocumentStaffTokenStore(store), fixedClock()) };
}

test('create returns a prefixed 32-byte token; only its SHA-256 is stored, never the plaintext', async () => {
  const { store, tokens } = setup();
  const token = await tokens.create('dana');
  expect(token).toMatch(/^cst_[A-Za-z0-9_-]{43}$/);
  const docs = await store.list(STAFF_TOKENS_COLLECTION);
  expect(docs).toHaveLength(1);
  expect(docs[0]?.id).toBe(hashStaffToken(token));
  expect(docs[0]?.id).toMatch(/^[0-9a-f]{64}$/);
  expect(docs[0]?.value).toEqual({ name: 'dana', createdAt: '2026-03-02T10:00:00.000Z' });
  expect(JSON.stringify(docs)).not.toContain(token.slice(4));
});

test('verify: the right token names its owner; a wrong, malformed or missing one is null', async () => {
  const { tokens } = setup();
  const token = await tokens.create('dana');
  expect(await tokens.verify(token)).toEqual({ name: 'dana' });
  expect(await tokens.verify(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
  expect(await tokens.verify('cst_short')).toBeNull();
  expect(await tokens.verify('')).toBeNull();
  expect(await tokens.verify(undefined)).toBeNull();
});

test('two tokens for one name are distinct; revoke disables all of them and only them', async () => {
  const { tokens } = setup();
  const a = await tokens.create('dana');
  const b = await tokens.create('dana');
  const other = await tokens.create('lee.k');
  expect(a).not.toBe(b);
  expect(await tokens.revoke('dana')).toBe(2);
  expect(await tokens.verify(a)).toBeNull();
  expect(await tokens.verify(b)).toBeNull();
  expect(await tokens.verify(other)).toEqual({ name: 'lee.k' });
  expect(await tokens.revoke('dana')).toBe(0);
  const listed = await tokens.list();
  expect(listed).toHaveLength(3);
  expect(listed.filter((t) => t.revokedAt).map((t) => t.name)).toEqual(['dana', 'dana']);
  expect(Object.keys(listed[0] ?? {}).sort()).toEqual(['createdAt', 'name', 'revokedAt']);
});

test('names are validated: too short, spaces, a leading dot or over 40 characters are refused', async () => {
  const { tokens, store } = setup();
  for (const bad of ['a', 'dana smith', '.dana', 'x'.repeat(41), '', 'dana/../x']) {
    await expect(tokens.create(bad)).rejects.toThrow(/StaffTokens\.create\(\): name/);
  }
  expect(await store.list(STAFF_TOKENS_COLLECTION)).toHaveLength(0);
  await expect(tokens.create('Dana_1-x.y')).resolves.toMatch(/^cst_/);
});

test('the audit log numbers entries and returns the most recent first', async () => {
  const audit = new AuditLog(new DocumentAuditStore(new MemoryDocumentStore()), fixedClock());
  await audit.record({ actor: 'cli', action: 'token.create', target: 'dana' });
  await audit.record({ actor: 'staff:dana', action: 'ticket.update', target: 'T-000001', detail: { status: 'resolved' } });
  await audit.record({ at: '2026-03-02T11:00:00.000Z', actor: 'staff:dana', action: 'handoff.accept', target: 'H-000001' });
  const recent = await audit.recent(2);
  expect(recent.map((e) => e.action)).toEqual(['handoff.accept', 'ticket.update']);
  expect(recent[1]).toEqual({ seq: 2, at: '2026-03-02T10:00:00.000Z', actor: 'staff:dana', action: 'ticket.update', target: 'T-000001', detail: { status: 'resolved' } });
  expect(recent[0]?.at).toBe('2026-03-02T11:00:00.000Z');
  expect(await audit.recent(0)).toEqual([]);
});
