import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AuditLog } from '../../src/domain/staff/AuditLog.js';
import { StaffTokens } from '../../src/domain/staff/StaffTokens.js';
import { DocumentAuditStore } from '../../src/storage/DocumentAuditStore.js';
import { DocumentStaffTokenStore } from '../../src/storage/DocumentStaffTokenStore.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { runCli } from '../helpers/runCli.js';

let dataDir: string;
const env = () => ({ DATA_DIR: dataDir, STORE: 'lowdb', DATABASE_URL: '' });
const staff = (...args: string[]) => runCli('staff.ts', args, { env: env() });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'staff-cli-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Opens the CLI's data directory in this process (the CLI has exited, so the lock is free). */
async function withStore<T>(fn: (tokens: StaffTokens, audit: AuditLog) => Promise<T>): Promise<T> {
  const store = await LowdbDocumentStore.open(dataDir);
  try {
    return await fn(new StaffTokens(new DocumentStaffTokenStore(store)), new AuditLog(new DocumentAuditStore(store)));
  } finally {
    await store.close();
  }
}

test('create-token prints only the token, which then verifies; revoke-token disables it; both are audited', async () => {
  const created = await staff('create-token', '--name', 'dana');
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  expect(created.stdout).toMatch(/^cst_[A-Za-z0-9_-]{43}\n$/);
  const token = created.stdout.trim();
  expect(await withStore((tokens) => tokens.verify(token))).toEqual({ name: 'dana' });

  const listed = await staff('list-tokens');
  expect(listed.code).toBe(0);
  expect(listed.stdout).not.toContain(token);
  expect(JSON.parse(listed.stdout.trim())).toMatchObject({ name: 'dana' });

  const revoked = await staff('revoke-token', '--name=dana');
  expect(revoked.code).toBe(0);
  expect(JSON.parse(revoked.stdout)).toEqual({ name: 'dana', revoked: 1 });
  expect(await withStore((tokens) => tokens.verify(token))).toBeNull();

  const again = await staff('revoke-token', '--name', 'dana');
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/no live token named "dana"/);

  const entries = await withStore((_tokens, audit) => audit.recent(10));
  expect(entries.map((e) => [e.actor, e.action, e.target])).toEqual([
    ['cli', 'token.revoke', 'dana'],
    ['cli', 'token.create', 'dana'],
  ]);
});

test('usage errors are one line on stderr and exit 2', async () => {
  const cases = [[], ['make-token'], ['create-token'], ['create-token', '--name'], ['create-token', '--name', 'a b'], ['create-token', '--name', 'dana', '--admin', 'yes'], ['list-tokens', 'extra']];
  const results = await Promise.all(cases.map((args) => staff(...args)));
  for (const [i, res] of results.entries()) {
    const label = cases[i]?.join(' ') ?? '';
    expect(res.code, label).toBe(2);
    expect(res.stdout, label).toBe('');
    expect(res.stderr.trim().split('\n'), label).toHaveLength(1);
    expect(res.stderr, label).toMatch(/usage: npm run --silent staff/);
  }
  expect(results[2]?.stderr).toMatch(/name: is required/);
  expect(results[4]?.stderr).toMatch(/name: must be 2–40 characters/);
  expect(results[5]?.stderr).toMatch(/unknown option: "admin"/);
}, 90_000); // seven CLI processes at once: slow on a busy 2-core machine
