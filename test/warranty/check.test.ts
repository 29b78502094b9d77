import path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { WarrantyCheck } from '../../src/domain/warranty/WarrantyCheck.js';
import type { WarrantyPolicy } from '../../src/domain/warranty/WarrantyPolicy.js';
import { loadWarrantyPolicies } from '../../src/knowledge/warrantyPolicies.js';
import { device, openRegistry } from '../devices/helpers.js';

let policies: WarrantyPolicy[];
beforeAll(async () => {
  policies = await loadWarrantyPolicies(path.resolve(import.meta.dirname, '../../knowledge/warranty'));
});

async function checkOf() {
  const { registry } = await openRegistry();
  const nvr = device();
  await registry.upsert(nvr);
  return { check: new WarrantyCheck(registry, policies, () => '2026-01-10'), nvr };
}

test('phoneFact: a number is compared with the card; text without one is unknown, never "missing"', async () => {
  const { check, nvr } = await checkOf();
  expect(check.phoneFact(nvr, '028 3910 4455')).toBe('matches');
  expect(check.phoneFact(nvr, '0912 000 111')).toBe('differs');
  expect(check.phoneFact(nvr, "I don't know, I can't reach it")).toBe('unknown');
  expect(check.phoneFact(nvr, 'none')).toBe('unknown');
});

test('nextQuestion: an unknown answer is not asked again, and the questions after it still are', async () => {
  const { check, nvr } = await checkOf();
  expect(check.nextQuestion(nvr, { warrantyCard: 'present', sealIntact: 'unknown' })).toBe('phoneOnProduct');
  expect(check.nextQuestion(nvr, { warrantyCard: 'present', sealIntact: 'unknown', phoneOnProduct: 'unknown', damage: 'unknown', softwareOnly: false, unauthorizedRepair: 'unknown' })).toBeNull();
  // A known exclusion ends the questions, unknowns or not.
  expect(check.nextQuestion(nvr, { warrantyCard: 'unknown', sealIntact: false })).toBeNull();
});

test('answer and pointsToVerify: each condition with the question it hangs on, and the customer\'s words for staff', async () => {
  const { check, nvr } = await checkOf();
  const answer = check.answer(nvr, { sealIntact: 'unknown', damage: 'unknown' });
  expect(answer.decision.status).toBe('conditional');
  expect(answer.conditions.map((c) => [c.code, c.facts])).toEqual([
    ['seal_broken', ['sealIntact']],
    ['physical_damage', ['damage']],
    ['pest_damage', ['damage']],
    ['improper_use', ['damage']],
  ]);
  const points = check.pointsToVerify(answer, { sealIntact: "it's on the ceiling" });
  expect(points[0]).toBe('the warranty seal is intact: not torn, broken, written over or altered (customer could not tell: "it\'s on the ceiling")');
  expect(points[1]).toMatch(/^the device has not been dropped.* \(customer could not tell\)$/);
  expect(check.pointsToVerify(check.answer(nvr, {}))).toEqual([]);
});
