import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/runCli.js';
import { parseCsv } from '../../src/devices/csv.js';
import { DeviceCsvError, importDevicesCsv, parseDevicesCsv } from '../../src/devices/importDevicesCsv.js';
import { seedRegistryIfEmpty } from '../../src/devices/seedSampleRegistry.js';
import { DEVICE_CATEGORIES } from '../../src/domain/devices/Device.js';
import { openRegistry, tempDir } from './helpers.js';

const SAMPLE = path.join(ROOT, 'knowledge', 'devices', 'sample-registry.csv');
const HEADER =
  'serial,model,category,policy_id,delivered_on,price,currency,paid_in_full,manufacturer_warranty_months,phone_on_card,card_has_serial,card_has_purchase_date,customer_ref';

test('parseCsv: quoted commas, doubled quotes, line breaks inside quotes, CRLF, BOM and blank lines', () => {
  const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""",""\r\n\r\n"two\nlines",2,3\n1,,\r4,5,6';
  expect(parseCsv(text)).toEqual([
    { line: 1, ok: true, fields: ['a', 'b', 'c'] },
    { line: 2, ok: true, fields: ['x, y', 'say "hi"', ''] },
    { line: 4, ok: true, fields: ['two\nlines', '2', '3'] },
    { line: 6, ok: true, fields: ['1', '', ''] },
    { line: 7, ok: true, fields: ['4', '5', '6'] },
  ]);
});

test('parseCsv: a malformed record is reported by line and the next line is read', () => {
  expect(parseCsv('a,b\n"x"y,1\nab"c,2\nok,3\n"open,4\nlost,5')).toEqual([
    { line: 1, ok: true, fields: ['a', 'b'] },
    { line: 2, ok: false, error: expect.stringMatching(/field 1: unexpected "y" after a closing quote/) },
    { line: 3, ok: false, error: expect.stringMatching(/field 1: a quote inside an unquoted field/) },
    { line: 4, ok: true, fields: ['ok', '3'] },
    { line: 5, ok: false, error: expect.stringMatching(/field 1: quoted field is never closed/) },
  ]);
});

const rows = [
  HEADER,
  'E1C2-0043-8812,"E1C2 Dome Camera 2MP, 2.8mm",camera,poe-sec,2025-06-02,59.00,USD,yes,,+84 28 3822 7781,yes,yes,CUST-1',
  'SL-DVR8-240117-0042,"DVR ""Pro"" 8ch",Recorder,POE-SEC,2024-01-17,189,usd,Y,,,TRUE,false,CUST-2',
  'PSU-12V5A-0099812,12V 5A Power Supply,accessory,poe-sec,2025-11-29,15.00,USD,no,12,,yes,yes,CUST-3',
];

test('importDevicesCsv: quoted fields and loose spellings are read into devices', async () => {
  const { registry } = await openRegistry();
  expect(await importDevicesCsv(registry, rows.join('\r\n'))).toEqual({ imported: 3, updated: 0, unchanged: 0, errors: [] });
  expect(await registry.get('E1C2-0043-8812')).toMatchObject({ model: 'E1C2 Dome Camera 2MP, 2.8mm', price: 59, phoneOnCard: '+84 28 3822 7781' });
  expect(await registry.get('SL-DVR8-240117-0042')).toMatchObject({
    model: 'DVR "Pro" 8ch',
    category: 'recorder',
    policyId: 'poe-sec',
    currency: 'USD',
    paidInFull: true,
    card: { hasSerial: true, hasPurchaseDate: false },
  });
  expect((await registry.get('PSU-12V5A-0099812'))?.manufacturerWarrantyMonths).toBe(12);
});

test('importDevicesCsv: bad rows are reported by line number and the rest are imported', async () => {
  const { registry } = await openRegistry();
  const csv = [
    ...rows,
    'CAM-B4MP-2402-00291,Bullet Camera,camera,poe-sec,2023-02-29,89,USD,yes,,,yes,yes,CUST-4',
    'BRKT-WM-300-8841,Wall Mount Bracket,accessory,poe-sec,2026-03-03,,,yes,,,yes,yes,CUST-5',
    'IPC-T5-8MP-000411,Turret,camera,poe-sec,2024-12-01,12.5.0,USD,maybe,,,yes,yes,CUST-6',
    'ANPR-4K-0000061,ANPR Camera 4K,camera,poe-sec,2024-11-30,549,USD,yes,,,yes,yes',
    '',
    'e1c2 0043 8812,Duplicate,camera,poe-sec,2025-06-02,59,USD,yes,,,yes,yes,CUST-7',
    'PTZ-X25-0000147,PTZ,router,poe-sec,2026-01-31,899,USD,yes,,,yes,yes,CUST-8',
    'DB-V2-000731,"Video Doorbell V2,camera,poe-sec,2026-02-14,75,USD,yes,,,yes,yes,CUST-9',
  ].join('\n');
  const summary = await importDevicesCsv(registry, csv);
  expect(summary).toMatchObject({ imported: 3, updated: 0, unchanged: 0 });
  expect(summary.errors.map((e) => e.line)).toEqual([5, 6, 7, 8, 10, 11, 12]);
  const byLine = new Map(summary.errors.map((e) => [e.line, e.message]));
  expect(byLine.get(5)).toMatch(/^line 5: delivered_on: not a calendar date/);
  expect(byLine.get(6)).toBe('line 6: manufacturer_warranty_months: is required for an accessory');
  expect(byLine.get(7)).toMatch(/^line 7: price: expected a plain number.*; paid_in_full: expected yes or no, got "maybe"$/);
  expect(byLine.get(8)).toBe('line 8: expected 13 fields, got 12');
  expect(byLine.get(10)).toBe('line 10: serial: E1C2 0043 8812 is already on line 2');
  expect(byLine.get(11)).toMatch(/^line 11: category: must be one of camera, recorder, accessory/);
  expect(byLine.get(12)).toMatch(/^line 12: field 2: quoted field is never closed/);
  for (const message of byLine.values()) expect(message).not.toContain('\n');
});

test('importDevicesCsv: re-importing the same file changes nothing; an edited row is an update', async () => {
  const { store, registry } = await openRegistry();
  const csv = rows.join('\n');
  await importDevicesCsv(registry, csv);
  const before = await store.list('devices');
  expect(await importDevicesCsv(registry, csv)).toEqual({ imported: 0, updated: 0, unchanged: 3, errors: [] });
  // Same eTags: nothing was rewritten.
  expect(await store.list('devices')).toEqual(expect.arrayContaining(before));
  const edited = csv.replace('PSU-12V5A-0099812,12V 5A Power Supply,accessory,poe-sec,2025-11-29,15.00,USD,no', 'PSU-12V5A-0099812,12V 5A Power Supply,accessory,poe-sec,2025-11-29,15.00,USD,yes');
  expect(await importDevicesCsv(registry, edited)).toEqual({ imported: 0, updated: 1, unchanged: 2, errors: [] });
});

test('parseDevicesCsv: a wrong or missing header rejects the whole file', () => {
  expect(() => parseDevicesCsv('')).toThrow(DeviceCsvError);
  expect(() => parseDevicesCsv('serial,model\nX,Y')).toThrow(/line 1: header: missing column\(s\) category, policy_id/);
  expect(() => parseDevicesCsv(`${HEADER},colour\n`)).toThrow(/unknown column\(s\) "colour"/);
  expect(() => parseDevicesCsv(`${HEADER},serial\n`)).toThrow(/repeated column\(s\) serial/);
  // Column names are matched loosely and in any order; optional columns may be left out.
  const loose = 'Customer Ref,Serial,Model,Category,Policy-ID,Delivered On,Paid In Full,Card Has Serial,Card Has Purchase Date\nCUST-1,E1C2-0043-8812,Dome,camera,poe-sec,2025-06-02,yes,yes,yes';
  expect(parseDevicesCsv(loose)).toMatchObject({ errors: [], devices: [{ line: 2, device: { serial: 'E1C2-0043-8812', customerRef: 'CUST-1' } }] });
});

test('parseDevicesCsv: unknown policies and future deliveries are bad rows when the caller says what is known', () => {
  const csv = [HEADER, rows[1], rows[2]?.replace('POE-SEC', 'gold-plus'), rows[3]?.replace('2025-11-29', '2026-11-29')].join('\n');
  const { devices, errors } = parseDevicesCsv(csv, { policyIds: new Set(['poe-sec', 'service-promise']), today: '2026-11-28' });
  expect(devices).toHaveLength(1);
  expect(errors).toEqual([
    { line: 3, message: 'line 3: policy_id: unknown policy "gold-plus" (known: poe-sec, service-promise)' },
    { line: 4, message: 'line 4: delivered_on: 2026-11-29 is after today (2026-11-28)' },
  ]);
});

test('the shipped sample imports with zero errors and covers both policies, every category and the 12/24-month edges', async () => {
  const csv = await readFile(SAMPLE, 'utf8');
  const { devices, errors } = parseDevicesCsv(csv, { policyIds: new Set(['poe-sec', 'service-promise']), today: '2026-11-28' });
  expect(errors).toEqual([]);
  expect(devices.length).toBeGreaterThanOrEqual(30);
  const all = devices.map((d) => d.device);
  expect(new Set(all.map((d) => d.policyId))).toEqual(new Set(['poe-sec', 'service-promise']));
  expect(new Set(all.map((d) => d.category))).toEqual(new Set(DEVICE_CATEGORIES));
  const delivered = new Set(all.map((d) => d.deliveredOn));
  // Today is 2026-11-28: the last covered day and the first expired day of each period.
  for (const day of ['2025-11-29', '2025-11-28', '2024-11-29', '2024-11-28']) expect(delivered, day).toContain(day);
  expect(all.some((d) => d.deliveredOn < '2023-01-01')).toBe(true);
  expect(all.some((d) => d.deliveredOn >= '2026-11-01')).toBe(true);
  expect(all.some((d) => !d.paidInFull)).toBe(true);
  expect(all.some((d) => !d.card.hasSerial || !d.card.hasPurchaseDate)).toBe(true);

  const { registry } = await openRegistry();
  expect(await importDevicesCsv(registry, csv)).toEqual({ imported: devices.length, updated: 0, unchanged: 0, errors: [] });
  expect(await registry.count()).toBe(devices.length);
});

test('seedRegistryIfEmpty: imports the sample into an empty registry only', async () => {
  const { registry } = await openRegistry();
  const first = await seedRegistryIfEmpty(registry, SAMPLE);
  expect(first).toMatchObject({ seeded: true, updated: 0, unchanged: 0, errors: [] });
  expect(await seedRegistryIfEmpty(registry, SAMPLE)).toEqual({ seeded: false });

  const broken = path.join(await tempDir(), 'broken.csv');
  await writeFile(broken, `${HEADER}\nX1,Bad,camera,poe-sec,2023-02-29,,,yes,,,yes,yes,C\n`);
  const { registry: empty } = await openRegistry();
  await expect(seedRegistryIfEmpty(empty, broken)).rejects.toThrow(/broken\.csv: line 2: serial: not a serial number/);
  expect(await empty.count()).toBe(0);
});


test('registry:import CLI: a summary line and one line per bad row; exit 1 only when the file is unusable', async () => {
  const dataDir = await tempDir();
  const file = path.join(await tempDir(), 'export.csv');
  await writeFile(file, [...rows, 'BAD-ROW,x,camera,poe-sec,2025-02-30,,,yes,,,yes,yes,C'].join('\n'));
  const first = await runCli('registryImport.ts', [file], { env: { STORE: 'lowdb', DATA_DIR: dataDir } });
  expect(first.code).toBe(0);
  const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines[0]).toEqual({ file, imported: 3, updated: 0, unchanged: 0, rejected: 1 });
  expect(lines[1]).toEqual({ line: 5, error: expect.stringMatching(/^line 5: delivered_on: not a calendar date/) });

  const again = await runCli('registryImport.ts', [file], { env: { STORE: 'lowdb', DATA_DIR: dataDir } });
  expect(JSON.parse(again.stdout.split('\n')[0] ?? '')).toMatchObject({ imported: 0, updated: 0, unchanged: 3, rejected: 1 });

  const missing = await runCli('registryImport.ts', ['/nonexistent/export.csv'], { env: { STORE: 'lowdb', DATA_DIR: dataDir } });
  expect(missing.code).toBe(1);
  expect(missing.stderr.trim()).toBe('registry import: cannot read /nonexistent/export.csv: ENOENT');

  await writeFile(file, 'serial;model\n');
  const header = await runCli('registryImport.ts', [file], { env: { STORE: 'lowdb', DATA_DIR: dataDir } });
  expect(header.code).toBe(1);
  expect(header.stderr).toMatch(/^registry import: line 1: header: missing column/);
});
