import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { KnowledgeError } from '../../src/knowledge/KnowledgeBase.js';
import { loadWarrantyPolicies } from '../../src/knowledge/warrantyPolicies.js';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../knowledge/warranty');
const temps: string[] = [];
async function copyOfPolicies(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warranty-'));
  temps.push(dir);
  await cp(POLICY_DIR, dir, { recursive: true });
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function edit(dir: string, name: string, change: (json: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(dir, name);
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  change(json);
  await writeFile(file, JSON.stringify(json));
}

test('the shipped policies parse: poe-sec with every exclusion of its section III, service-promise with none', async () => {
  const policies = await loadWarrantyPolicies(POLICY_DIR);
  expect(policies.map((p) => p.id)).toEqual(['poe-sec', 'service-promise']);
  const [poe, sp] = policies;
  expect(poe?.period.months).toEqual({ camera: 24, recorder: 24, accessory: 'manufacturer' });
  expect(poe?.exclusions.map((e) => e.code)).toHaveLength(10);
  expect(poe?.grants.chargedRepair?.partsPricing).toBe('market_price');
  expect(sp?.period.months).toEqual({ camera: 12, recorder: 12, accessory: 12 });
  expect(sp?.exclusions).toEqual([]);
  expect(sp?.grants).toMatchObject({ hotline: { phoneResponseHours: 2 }, inspection: { everyMonths: 6 }, maintenanceFeeCap: { percentOfPrice: 5 }, softwareUpgrades: { until: 'lifetime' } });
});

test('a bad field names the file and the field', async () => {
  const dir = await copyOfPolicies();
  await edit(dir, 'poe-sec.json', (j) => {
    (j.exclusions as Array<Record<string, unknown>>)[2]!.code = 'coffee_spill';
  });
  await expect(loadWarrantyPolicies(dir)).rejects.toThrow(KnowledgeError);
  await expect(loadWarrantyPolicies(dir)).rejects.toThrow(/poe-sec\.json: exclusions\.2\.code: /);
});

test('a missing period, an unknown key, a duplicate exclusion are all refused', async () => {
  const dir = await copyOfPolicies();
  await edit(dir, 'service-promise.json', (j) => {
    (j.period as Record<string, unknown>).months = { camera: 12, recorder: 12 };
  });
  await expect(loadWarrantyPolicies(dir)).rejects.toThrow(/service-promise\.json: period\.months\.accessory: /);

  await edit(dir, 'service-promise.json', (j) => {
    (j.period as Record<string, unknown>).months = { camera: 12, recorder: 12, accessory: 12 };
    (j.grants as Record<string, unknown>).freeCoffee = { policyText: 'x' };
  });
  await expect(loadWarrantyPolicies(dir)).rejects.toThrow(/service-promise\.json: grants: .*freeCoffee/);

  const dir2 = await copyOfPolicies();
  await edit(dir2, 'poe-sec.json', (j) => {
    const ex = j.exclusions as unknown[];
    ex.push(ex[0]);
  });
  await expect(loadWarrantyPolicies(dir2)).rejects.toThrow(/poe-sec\.json: exclusions\.10\.code: duplicate exclusion "card_lost"/);
});

test('the id must match the file name, and the file must be JSON', async () => {
  const dir = await copyOfPolicies();
  await edit(dir, 'poe-sec.json', (j) => {
    j.id = 'poe-sec-2';
  });
  await expect(loadWarrantyPolicies(dir)).rejects.toThrow(/poe-sec\.json: id: "poe-sec-2" does not match the file name/);

  const dir2 = await copyOfPolicies();
  await writeFile(path.join(dir2, 'broken.json'), '{ nope');
  await expect(loadWarrantyPolicies(dir2)).rejects.toThrow(/broken\.json: /);
});

test('a third policy is just a new file', async () => {
  const dir = await copyOfPolicies();
  const sp = JSON.parse(await readFile(path.join(dir, 'service-promise.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(dir, 'extended-care.json'), JSON.stringify({ ...sp, id: 'extended-care', title: 'Extended care' }));
  expect((await loadWarrantyPolicies(dir)).map((p) => p.id)).toEqual(['extended-care', 'poe-sec', 'service-promise']);
});

test('a missing or empty directory is an error', async () => {
  await expect(loadWarrantyPolicies('/nonexistent-dir')).rejects.toThrow(/nonexistent-dir: directory is missing/);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warranty-empty-'));
  temps.push(dir);
  await expect(loadWarrantyPolicies(dir)).rejects.toThrow(/no warranty policies/);
});
