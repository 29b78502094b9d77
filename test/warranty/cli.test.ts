import { expect, test } from 'vitest';
import { runCli } from '../helpers/runCli.js';



test('warranty: one JSON line out per case in, in order; bad lines get {"error": "line N: ..."} and the rest still run', async () => {
  const input = [
    { policy: 'poe-sec', category: 'camera', deliveredOn: '2024-01-31', checkedOn: '2025-06-01', facts: { sealIntact: false, damage: ['water', 'rodents'] } },
    'not json',
    { policy: 'service-promise', category: 'recorder', deliveredOn: '2023-03-01', checkedOn: '2024-03-01', price: 2400 },
    { policy: 'gold-plan', category: 'camera', deliveredOn: '2024-01-01', checkedOn: '2024-02-01' },
    { policy: 'poe-sec', category: 'camera', deliveredOn: '2023-02-29', checkedOn: '2024-02-01' },
    { policy: 'poe-sec', category: 'camera', deliveredOn: '2024-02-01', checkedOn: '2024-01-01' },
    { policy: 'poe-sec', category: 'accessory', deliveredOn: '2024-01-01', checkedOn: '2024-02-01' },
    { policy: 'poe-sec', category: 'accessory', deliveredOn: '2024-01-01', checkedOn: '2024-02-01', manufacturerWarrantyMonths: 12 },
  ]
    .map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))
    .join('\n');
  const { code, stdout, stderr } = await runCli('warranty.ts', [], { stdin: `${input}\n` });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(8);
  expect(lines[0]).toMatchObject({ status: 'not_covered', reasons: ['seal_broken', 'physical_damage', 'pest_damage'], coveredUntil: '2026-01-30', chargeable: true });
  expect(lines[1]).toEqual({ error: expect.stringMatching(/^line 2: not JSON/) as unknown });
  expect(lines[2]).toMatchObject({ status: 'expired', reasons: ['expired'], coveredUntil: '2024-02-29', maintenanceFeeCap: 120, freeSoftwareUpgrades: true });
  expect(lines[3]).toEqual({ error: 'line 4: policy: unknown policy "gold-plan" (known: poe-sec, service-promise)' });
  expect(lines[4]).toEqual({ error: 'line 5: deliveredOn: 2023-02-29 is not a calendar date (February 2023 has 28 days)' });
  expect(lines[5]).toEqual({ error: 'line 6: checkedOn: 2024-01-01 is before deliveredOn 2024-02-01' });
  expect(lines[6]).toEqual({ error: expect.stringMatching(/^line 7: manufacturerWarrantyMonths: is required for an accessory under poe-sec/) as unknown });
  expect(lines[7]).toMatchObject({ status: 'covered', coveredUntil: '2024-12-31', periodMonths: 12 });
});

test('warranty: "unknown" facts give a conditional decision with the points to verify; a bad one says what is accepted', async () => {
  const input = [
    { policy: 'poe-sec', category: 'camera', deliveredOn: '2025-06-01', checkedOn: '2026-06-01', facts: { sealIntact: true, phoneOnProduct: 'unknown' } },
    { policy: 'poe-sec', category: 'camera', deliveredOn: '2025-06-01', checkedOn: '2026-06-01', facts: { sealIntact: 'no idea' } },
  ]
    .map((l) => JSON.stringify(l))
    .join('\n');
  const { code, stdout } = await runCli('warranty.ts', [], { stdin: input });
  expect(code).toBe(0);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines[0]).toMatchObject({ status: 'conditional', reasons: [], chargeable: false, toVerify: ['phone_mismatch'], freeRepair: true });
  expect(lines[1]).toEqual({ error: 'line 2: facts.sealIntact: must be true, false or "unknown"' });
});

test('warranty: blank lines are skipped but still counted in line numbers; no trailing newline needed', async () => {
  const { code, stdout } = await runCli('warranty.ts', [], { stdin: '\n\n{"policy":"poe-sec"}' });
  expect(code).toBe(0);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(1);
  expect(String(lines[0]?.error)).toMatch(/^line 3: category: /);
});

test('warranty: empty input, empty output', async () => {
  const { code, stdout } = await runCli('warranty.ts', [], { stdin: '' });
  expect(code).toBe(0);
  expect(stdout).toBe('');
});

test('warranty: unreadable policies are one clear error on stderr and a non-zero exit', async () => {
  const { code, stdout, stderr } = await runCli('warranty.ts', [], { stdin: '{}\n', env: { KNOWLEDGE_DIR: '/nonexistent-knowledge' } });
  expect(code).not.toBe(0);
  expect(stdout).toBe('');
  expect(stderr).toMatch(/\/nonexistent-knowledge\/warranty: directory is missing/);
});
