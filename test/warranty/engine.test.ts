import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { addDays, addMonths, compareDates, daysBetween, daysInMonth, fromDayNumber, isCalendarDate, parseDate, toDayNumber } from '../../src/domain/warranty/calendar.js';
import {
  coveredUntil,
  evaluateWarranty,
  explainConditions,
  explainReasons,
  needsManufacturerPeriod,
  relevantQuestions,
  WarrantyInputError,
  type WarrantyCaseInput,
  type WarrantyFacts,
} from '../../src/domain/warranty/WarrantyEngine.js';
import { EXCLUSION_CODES, REASON_CODES, WarrantyPolicySchema, type WarrantyPolicy } from '../../src/domain/warranty/WarrantyPolicy.js';
import { loadWarrantyPolicies } from '../../src/knowledge/warrantyPolicies.js';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../knowledge/warranty');
let policies: WarrantyPolicy[];
let poeSec: WarrantyPolicy;
let servicePromise: WarrantyPolicy;
beforeAll(async () => {
  policies = await loadWarrantyPolicies(POLICY_DIR);
  poeSec = policies.find((p) => p.id === 'poe-sec')!;
  servicePromise = policies.find((p) => p.id === 'service-promise')!;
});

const camera = (over: Partial<WarrantyCaseInput> = {}): WarrantyCaseInput => ({
  policy: 'poe-sec',
  category: 'camera',
  deliveredOn: '2024-03-10',
  checkedOn: '2024-09-01',
  ...over,
});
const decide = (input: WarrantyCaseInput) => evaluateWarranty(input, policies);
const withFacts = (facts: WarrantyFacts, over: Partial<WarrantyCaseInput> = {}) => decide(camera({ ...over, facts }));

/** Every exclusion-triggering fact at once. */
const ALL_BAD: WarrantyFacts = {
  warrantyCard: 'lost',
  sealIntact: false,
  cardHasSerial: false,
  cardHasPurchaseDate: false,
  phoneOnProduct: 'differs',
  damage: ['drop', 'rodents', 'wrong_voltage'],
  softwareOnly: true,
  unauthorizedRepair: true,
  paidInFull: false,
};

describe('calendar arithmetic', () => {
  test.each([
    ['2024-01-31', 1, '2024-02-29'],
    ['2023-01-31', 1, '2023-02-28'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2024-08-31', 1, '2024-09-30'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2024-12-15', 1, '2025-01-15'],
    ['2024-01-15', -1, '2023-12-15'],
    ['2023-03-31', 24, '2025-03-31'],
    ['2024-05-20', 0, '2024-05-20'],
    ['1900-02-28', 1, '1900-03-28'],
  ])('%s + %i months = %s (same day, clamped to the month end)', (from, months, expected) => {
    expect(addMonths(from, months)).toBe(expected);
  });

  test.each([
    ['2024-01-01', -1, '2023-12-31'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2023-03-01', -1, '2023-02-28'],
    ['2100-03-01', -1, '2100-02-28'],
    ['2000-03-01', -1, '2000-02-29'],
    ['2024-12-31', 1, '2025-01-01'],
  ])('%s %+i day = %s', (from, days, expected) => {
    expect(addDays(from, days)).toBe(expected);
  });

  test('leap years follow the Gregorian rules', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
  });

  test('coveredUntil is the day before the anniversary', () => {
    expect(coveredUntil('2024-01-31', 1)).toBe('2024-02-28');
    expect(coveredUntil('2024-03-10', 24)).toBe('2026-03-09');
    expect(coveredUntil('2024-03-01', 12)).toBe('2025-02-28');
    expect(coveredUntil('2023-03-01', 12)).toBe('2024-02-29');
  });

  test.each(['2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '2024-1-5', '24-01-05', '2024-01-05T00:00', ''])('%j is not a calendar date', (text) => {
    expect(isCalendarDate(text)).toBe(false);
  });
});

describe('period and status', () => {
  test('a poe-sec camera is covered for 24 months from delivery', () => {
    const d = decide(camera({ deliveredOn: '2024-01-31', checkedOn: '2024-06-01' }));
    expect(d).toMatchObject({ status: 'covered', reasons: [], coveredUntil: '2026-01-30', chargeable: false, periodMonths: 24, policy: 'poe-sec' });
  });

  test('a poe-sec recorder has the same 24 months', () => {
    expect(decide(camera({ category: 'recorder' })).coveredUntil).toBe('2026-03-09');
  });

  test("a poe-sec accessory uses the manufacturer's own period", () => {
    const d = decide(camera({ category: 'accessory', manufacturerWarrantyMonths: 6, checkedOn: '2024-09-09' }));
    expect(d).toMatchObject({ status: 'covered', coveredUntil: '2024-09-09', periodMonths: 6 });
    expect(decide(camera({ category: 'accessory', manufacturerWarrantyMonths: 6, checkedOn: '2024-09-10' })).status).toBe('expired');
  });

  test('a manufacturer period on a camera is ignored: the policy says 24 months', () => {
    expect(decide(camera({ manufacturerWarrantyMonths: 3 })).periodMonths).toBe(24);
  });

  test('service-promise is 12 months for every category, accessories included', () => {
    for (const category of ['camera', 'recorder', 'accessory'] as const) {
      const d = decide({ policy: 'service-promise', category, deliveredOn: '2024-03-10', checkedOn: '2024-04-01', manufacturerWarrantyMonths: 36 });
      expect(d).toMatchObject({ status: 'covered', coveredUntil: '2025-03-09', periodMonths: 12 });
    }
  });

  test('the last day before the anniversary is covered; the anniversary itself is expired', () => {
    expect(decide(camera({ checkedOn: '2026-03-09' }))).toMatchObject({ status: 'covered', coveredUntil: '2026-03-09', daysLeft: 0, chargeable: false });
    expect(decide(camera({ checkedOn: '2026-03-10' }))).toMatchObject({ status: 'expired', reasons: ['expired'], chargeable: true, daysLeft: 0 });
  });

  test('the delivery day itself is covered, and daysLeft counts to coveredUntil', () => {
    expect(decide(camera({ checkedOn: '2024-03-10' }))).toMatchObject({ status: 'covered', daysLeft: 729 });
    expect(decide(camera({ checkedOn: '2026-03-08' })).daysLeft).toBe(1);
  });

  test('delivered on a month end: 2024-01-31 + 1 month is 2024-02-29, so coveredUntil is 2024-02-28', () => {
    const oneMonth = { ...poeSec, id: 'one-month', period: { ...poeSec.period, months: { camera: 1, recorder: 1, accessory: 1 } } };
    const d = evaluateWarranty({ policy: 'one-month', category: 'camera', deliveredOn: '2024-01-31', checkedOn: '2024-02-28' }, [oneMonth]);
    expect(d).toMatchObject({ status: 'covered', coveredUntil: '2024-02-28' });
    expect(evaluateWarranty({ policy: 'one-month', category: 'camera', deliveredOn: '2024-01-31', checkedOn: '2024-02-29' }, [oneMonth]).status).toBe('expired');
  });

  test('delivered on a leap day: the anniversary in a common year is 28 February', () => {
    const base = camera({ deliveredOn: '2024-02-29' });
    expect(decide({ ...base, checkedOn: '2026-02-27' })).toMatchObject({ status: 'covered', coveredUntil: '2026-02-27' });
    expect(decide({ ...base, checkedOn: '2026-02-28' }).status).toBe('expired');
    const sp = { policy: 'service-promise', category: 'camera', deliveredOn: '2024-02-29' } as const;
    expect(decide({ ...sp, checkedOn: '2025-02-27' }).status).toBe('covered');
    expect(decide({ ...sp, checkedOn: '2025-02-28' }).status).toBe('expired');
  });

  test('a warranty ending on a leap day covers it', () => {
    const sp = { policy: 'service-promise', category: 'recorder', deliveredOn: '2023-03-01' } as const;
    expect(decide({ ...sp, checkedOn: '2024-02-29' })).toMatchObject({ status: 'covered', coveredUntil: '2024-02-29' });
    expect(decide({ ...sp, checkedOn: '2024-03-01' }).status).toBe('expired');
  });
});

describe('exclusions (poe-sec)', () => {
  test.each<[string, WarrantyFacts, string]>([
    ['warranty card lost', { warrantyCard: 'lost' }, 'card_lost'],
    ['seal broken', { sealIntact: false }, 'seal_broken'],
    ['card without serial', { cardHasSerial: false }, 'card_incomplete'],
    ['card without purchase date', { cardHasPurchaseDate: false }, 'card_incomplete'],
    ['phone on the product differs', { phoneOnProduct: 'differs' }, 'phone_mismatch'],
    ['phone on the product missing', { phoneOnProduct: 'missing' }, 'phone_mismatch'],
    ...(['drop', 'impact', 'scratch', 'dent', 'moisture', 'rust', 'water', 'fire', 'natural_disaster'] as const).map(
      (d): [string, WarrantyFacts, string] => [`damage: ${d}`, { damage: [d] }, 'physical_damage'],
    ),
    ['damage: rodents', { damage: ['rodents'] }, 'pest_damage'],
    ['damage: insects', { damage: ['insects'] }, 'pest_damage'],
    ['damage: improper use', { damage: ['improper_use'] }, 'improper_use'],
    ['damage: wrong voltage', { damage: ['wrong_voltage'] }, 'improper_use'],
    ['only the free software', { softwareOnly: true }, 'free_software'],
    ['unauthorized repair', { unauthorizedRepair: true }, 'unauthorized_repair'],
    ['not paid in full', { paidInFull: false }, 'not_paid'],
  ])('%s alone → not_covered, [%j]', (_name, facts, code) => {
    expect(withFacts(facts)).toMatchObject({ status: 'not_covered', reasons: [code], chargeable: true });
  });

  test('absent facts are not held against the customer', () => {
    expect(withFacts({})).toMatchObject({ status: 'covered', reasons: [], chargeable: false });
    expect(decide(camera())).toMatchObject({ status: 'covered', reasons: [] });
  });

  test('favourable answers are not exclusions', () => {
    const good: WarrantyFacts = {
      warrantyCard: 'present',
      cardHasSerial: true,
      cardHasPurchaseDate: true,
      sealIntact: true,
      phoneOnProduct: 'matches',
      damage: [],
      unauthorizedRepair: false,
      paidInFull: true,
      softwareOnly: false,
    };
    expect(withFacts(good)).toMatchObject({ status: 'covered', reasons: [] });
  });

  test('every exclusion together is reported once each, in the issue order', () => {
    expect(withFacts(ALL_BAD).reasons).toEqual([
      'card_lost',
      'seal_broken',
      'card_incomplete',
      'phone_mismatch',
      'physical_damage',
      'pest_damage',
      'improper_use',
      'free_software',
      'unauthorized_repair',
      'not_paid',
    ]);
  });

  test('the order of the reasons does not depend on the order of the facts or damage kinds', () => {
    const d = withFacts({ paidInFull: false, damage: ['insects', 'water', 'fire', 'rodents'], sealIntact: false });
    expect(d.reasons).toEqual(['seal_broken', 'physical_damage', 'pest_damage', 'not_paid']);
  });

  test('several damage kinds of one group give the reason once', () => {
    expect(withFacts({ damage: ['drop', 'water', 'drop'] }).reasons).toEqual(['physical_damage']);
  });

  test('an expired device with exclusions is expired, and lists them after "expired"', () => {
    const d = withFacts({ sealIntact: false, unauthorizedRepair: true }, { checkedOn: '2027-01-01' });
    expect(d).toMatchObject({ status: 'expired', reasons: ['expired', 'seal_broken', 'unauthorized_repair'], chargeable: true });
  });

  test('every reason the engine gives is a known code', () => {
    for (const r of withFacts(ALL_BAD, { checkedOn: '2030-01-01' }).reasons) expect(REASON_CODES).toContain(r);
  });
});

describe('unknown facts: the answer is conditional, never a verdict against the customer', () => {
  test.each<[string, WarrantyFacts, string[]]>([
    ['the warranty card', { warrantyCard: 'unknown' }, ['card_lost']],
    ['the seal', { sealIntact: 'unknown' }, ['seal_broken']],
    ['what the card shows', { cardHasSerial: 'unknown' }, ['card_incomplete']],
    ['the phone number on the product', { phoneOnProduct: 'unknown' }, ['phone_mismatch']],
    ['what happened to the device', { damage: 'unknown' }, ['physical_damage', 'pest_damage', 'improper_use']],
    ['whether only the software is at fault', { softwareOnly: 'unknown' }, ['free_software']],
    ['whether someone else opened it', { unauthorizedRepair: 'unknown' }, ['unauthorized_repair']],
    ['the payment', { paidInFull: 'unknown' }, ['not_paid']],
  ])('%s unknown → conditional on that check, not charged, free if confirmed', (_name, facts, toVerify) => {
    expect(withFacts(facts)).toMatchObject({
      status: 'conditional',
      reasons: [],
      toVerify,
      chargeable: false,
      freeRepair: true,
      freeParts: true,
      // What a failed check would cost, so the answer can say it.
      chargedRepair: { partsPricing: 'market_price' },
    });
  });

  test('everything unknown: every exclusion is a point to check, in the policy order', () => {
    const all: WarrantyFacts = {
      warrantyCard: 'unknown',
      sealIntact: 'unknown',
      cardHasSerial: 'unknown',
      cardHasPurchaseDate: 'unknown',
      phoneOnProduct: 'unknown',
      damage: 'unknown',
      softwareOnly: 'unknown',
      unauthorizedRepair: 'unknown',
      paidInFull: 'unknown',
    };
    expect(withFacts(all)).toMatchObject({ status: 'conditional', reasons: [], toVerify: [...EXCLUSION_CODES] });
  });

  test('a known exclusion decides: not covered for it, and the unknowns are no longer points to check', () => {
    expect(withFacts({ sealIntact: 'unknown', unauthorizedRepair: true })).toMatchObject({ status: 'not_covered', reasons: ['unauthorized_repair'], toVerify: [], chargeable: true });
    // One half of the card rule is known to fail: the other half's being unknown changes nothing.
    expect(withFacts({ cardHasSerial: 'unknown', cardHasPurchaseDate: false })).toMatchObject({ status: 'not_covered', reasons: ['card_incomplete'], toVerify: [] });
  });

  test('after the period the only question is the date: expired, nothing to check', () => {
    expect(withFacts({ phoneOnProduct: 'unknown', damage: 'unknown' }, { checkedOn: '2026-03-10' })).toMatchObject({ status: 'expired', reasons: ['expired'], toVerify: [], chargeable: true });
  });

  test('favourable answers and one unknown: only that one is checked; an absent fact is not a check', () => {
    expect(withFacts({ warrantyCard: 'present', sealIntact: true, phoneOnProduct: 'unknown', damage: [] })).toMatchObject({ status: 'conditional', toVerify: ['phone_mismatch'] });
    expect(withFacts({ warrantyCard: 'present' })).toMatchObject({ status: 'covered', toVerify: [] });
  });

  test('a policy without exclusions (service-promise) has nothing to check', () => {
    expect(decide({ policy: 'service-promise', category: 'camera', deliveredOn: '2024-03-10', checkedOn: '2024-09-01', facts: { sealIntact: 'unknown', damage: 'unknown' } })).toMatchObject({
      status: 'covered',
      toVerify: [],
    });
  });

  test('"unknown" is the only word the engine takes for not knowing', () => {
    expect(() => withFacts({ sealIntact: 'maybe' } as unknown as WarrantyFacts)).toThrow(/facts\.sealIntact: /);
    expect(() => withFacts({ damage: ['unknown'] } as unknown as WarrantyFacts)).toThrow(/facts\.damage/);
  });

  test('explainConditions: what cover depends on, in plain words, with the policy sentence', () => {
    const d = withFacts({ sealIntact: 'unknown', phoneOnProduct: 'unknown' });
    const conditions = explainConditions(d, poeSec);
    expect(conditions.map((c) => c.code)).toEqual(['seal_broken', 'phone_mismatch']);
    expect(conditions[0]).toEqual({ code: 'seal_broken', policyText: 'Warranty seals are torn, broken, overwritten or modified.', coveredIf: expect.stringMatching(/seal is intact/) });
    expect(conditions[1]?.coveredIf).toMatch(/phone number on the device's sticker .* matches the one on the warranty card/);
    expect(explainConditions(withFacts({}), poeSec)).toEqual([]);
  });

  // Within the period, no answer of "I don't know" can make the customer pay or lose the cover:
  // drawn over every mix of absent, favourable and unknown answers.
  test('property: without an unfavourable fact, the decision is covered or conditional, and conditional exactly when an applicable fact is unknown', () => {
    const opt = <T>(...values: T[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
    type Or<T> = T | 'unknown';
    const facts = fc.record(
      {
        warrantyCard: opt<Or<'present'>>('present', 'unknown'),
        cardHasSerial: opt<Or<boolean>>(true, 'unknown'),
        cardHasPurchaseDate: opt<Or<boolean>>(true, 'unknown'),
        sealIntact: opt<Or<boolean>>(true, 'unknown'),
        phoneOnProduct: opt<Or<'matches'>>('matches', 'unknown'),
        damage: opt<Or<never[]>>([], 'unknown'),
        softwareOnly: opt<Or<boolean>>(false, 'unknown'),
        unauthorizedRepair: opt<Or<boolean>>(false, 'unknown'),
        paidInFull: opt<Or<boolean>>(true, 'unknown'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(facts, fc.constantFrom('poe-sec', 'service-promise'), (f, policy) => {
        const d = decide({ policy, category: 'camera', deliveredOn: '2024-03-10', checkedOn: '2024-09-01', facts: f });
        const anyUnknown = Object.values(f).some((v) => v === 'unknown');
        expect(d.status).toBe(policy === 'poe-sec' && anyUnknown ? 'conditional' : 'covered');
        expect(d.chargeable).toBe(false);
        expect(d.reasons).toEqual([]);
        expect(d.toVerify.length > 0).toBe(d.status === 'conditional');
      }),
    );
  });
});

describe('service-promise: only expiry applies', () => {
  const sp = (over: Partial<WarrantyCaseInput> = {}): WarrantyCaseInput => ({
    policy: 'service-promise',
    category: 'camera',
    deliveredOn: '2024-03-10',
    checkedOn: '2024-09-01',
    ...over,
  });

  test('every exclusion fact is ignored while in the period', () => {
    expect(decide(sp({ facts: ALL_BAD }))).toMatchObject({ status: 'covered', reasons: [], chargeable: false });
  });

  test('after the period the only reason is "expired"', () => {
    expect(decide(sp({ facts: ALL_BAD, checkedOn: '2025-03-10' }))).toMatchObject({ status: 'expired', reasons: ['expired'], chargeable: true });
  });

  test('grants while covered: free repair and parts, lifetime software upgrades, 24x7 hotline with a 2-hour response, inspection every 6 months', () => {
    expect(decide(sp({ price: 1200 }))).toMatchObject({
      freeRepair: true,
      freeParts: true,
      freeSoftwareUpgrades: true,
      hotline: { availability: '24x7', phoneResponseHours: 2 },
      inspectionEveryMonths: 6,
      maintenanceFeeCapPercent: 5,
      maintenanceFeeCap: 60,
      chargedRepair: null,
    });
  });

  test('after expiry: parts and repair are no longer free, software upgrades still are, and the maintenance fee is capped at 5% of the price', () => {
    expect(decide(sp({ price: 1200, checkedOn: '2026-01-01' }))).toMatchObject({
      status: 'expired',
      freeRepair: false,
      freeParts: false,
      freeSoftwareUpgrades: true,
      maintenanceFeeCap: 60,
      maintenanceContract: true,
    });
  });

  test.each([
    [1000, 50],
    [19.99, 1],
    [123.45, 6.17],
    [0, 0],
  ])('fee cap for price %d is %d (rounded to the cent)', (price, cap) => {
    expect(decide(sp({ price, checkedOn: '2026-01-01' })).maintenanceFeeCap).toBe(cap);
  });

  test('no price, no fee cap number (the percentage is still given)', () => {
    expect(decide(sp({ checkedOn: '2026-01-01' }))).toMatchObject({ maintenanceFeeCap: null, maintenanceFeeCapPercent: 5 });
  });
});

describe('poe-sec grants', () => {
  test('covered: repair and parts are free; no hotline, upgrades or fee cap in this policy', () => {
    expect(decide(camera({ price: 500 }))).toMatchObject({
      freeRepair: true,
      freeParts: true,
      freeSoftwareUpgrades: false,
      hotline: null,
      inspectionEveryMonths: null,
      maintenanceFeeCap: null,
      maintenanceFeeCapPercent: null,
      chargedRepair: null,
    });
  });

  test('a user-caused fault is still repaired, but charged, with parts at the market price', () => {
    expect(withFacts({ damage: ['wrong_voltage'] })).toMatchObject({
      status: 'not_covered',
      chargeable: true,
      freeRepair: false,
      freeParts: false,
      chargedRepair: { partsPricing: 'market_price' },
      maintenanceContract: true,
    });
  });

  test('output keys: the issue fields first', () => {
    expect(Object.keys(decide(camera())).slice(0, 4)).toEqual(['status', 'reasons', 'coveredUntil', 'chargeable']);
  });
});

describe('bad input is an error, never a guess', () => {
  const fails = (input: unknown, message: RegExp) => {
    expect(() => evaluateWarranty(input as WarrantyCaseInput, policies)).toThrow(WarrantyInputError);
    expect(() => evaluateWarranty(input as WarrantyCaseInput, policies)).toThrow(message);
  };

  test('unknown policy, naming the known ones', () => {
    fails(camera({ policy: 'gold-plan' }), /^warranty: policy: unknown policy "gold-plan" \(known: poe-sec, service-promise\)$/);
  });

  test('impossible dates', () => {
    fails(camera({ deliveredOn: '2023-02-29' }), /deliveredOn: 2023-02-29 is not a calendar date \(February 2023 has 28 days\)/);
    fails(camera({ checkedOn: '2024-04-31' }), /checkedOn: 2024-04-31 is not a calendar date/);
    fails(camera({ checkedOn: '2024-13-01' }), /checkedOn: 2024-13-01 is not a calendar date \(there is no month 13\)/);
    fails(camera({ deliveredOn: '10/03/2024' }), /deliveredOn: "10\/03\/2024" is not a date in the form YYYY-MM-DD/);
    fails(camera({ deliveredOn: '1850-01-01' }), /deliveredOn: 1850-01-01: the year must be between 1900 and 2999/);
  });

  test('checkedOn before deliveredOn', () => {
    fails(camera({ deliveredOn: '2024-03-10', checkedOn: '2024-03-09' }), /checkedOn: 2024-03-09 is before deliveredOn 2024-03-10/);
  });

  test('a poe-sec accessory with no manufacturer period', () => {
    fails(camera({ category: 'accessory' }), /manufacturerWarrantyMonths: is required for an accessory under poe-sec/);
  });

  test('malformed cases name the field', () => {
    fails({ ...camera(), category: 'doorbell' }, /category: /);
    fails({ ...camera(), price: -5 }, /price: /);
    fails({ ...camera(), manufacturerWarrantyMonths: 1.5 }, /manufacturerWarrantyMonths: /);
    fails({ ...camera(), facts: { damage: ['lightning'] } }, /facts\.damage\.0: /);
    fails({ ...camera(), facts: { sealIntakt: false } }, /facts: .*sealIntakt/);
    fails({ ...camera(), facts: { sealIntact: 'no' } }, /facts\.sealIntact: /);
    fails({ category: 'camera', deliveredOn: '2024-01-01', checkedOn: '2024-01-02' }, /policy: /);
    fails(null, /expected object/);
  });
});

describe('policies are data', () => {
  const thirdPolicy = () =>
    WarrantyPolicySchema.parse({
      id: 'basic-care',
      title: 'Basic care',
      source: 'test',
      period: { months: { camera: 36, recorder: 18, accessory: 'manufacturer' }, policyText: 'x', customerExplanation: 'y' },
      expiry: { policyText: 'x', customerExplanation: 'y' },
      exclusions: [
        { code: 'not_paid', policyText: 'unpaid', customerExplanation: 'not paid', coveredIf: 'paid' },
        { code: 'seal_broken', policyText: 'seal', customerExplanation: 'seal broken', coveredIf: 'seal intact' },
      ],
      grants: { freeRepair: { policyText: 'free' }, softwareUpgrades: { until: 'expiry', policyText: 'sw' } },
    });

  test('a third policy needs no code: its periods, exclusions and grants come from the file', () => {
    const p = thirdPolicy();
    const base = { policy: 'basic-care', category: 'recorder', deliveredOn: '2024-01-31', checkedOn: '2024-06-01', facts: ALL_BAD } as const;
    const d = evaluateWarranty(base, [...policies, p]);
    expect(d).toMatchObject({ status: 'not_covered', reasons: ['seal_broken', 'not_paid'], coveredUntil: '2025-07-30', freeRepair: false, freeParts: false, freeSoftwareUpgrades: true });
    expect(evaluateWarranty({ ...base, facts: {} }, [p])).toMatchObject({ status: 'covered', freeRepair: true, freeParts: false });
    expect(evaluateWarranty({ ...base, checkedOn: '2025-07-31' }, [p])).toMatchObject({ status: 'expired', freeSoftwareUpgrades: false });
  });

  test('relevantQuestions lists only the facts that can change the answer, in reason order', () => {
    expect(relevantQuestions(servicePromise)).toEqual([]);
    expect(relevantQuestions(thirdPolicy())).toEqual([
      { fact: 'sealIntact', reasons: ['seal_broken'] },
      { fact: 'paidInFull', reasons: ['not_paid'] },
    ]);
    const poe = relevantQuestions(poeSec);
    expect(poe.map((q) => q.fact)).toEqual([
      'warrantyCard',
      'sealIntact',
      'cardHasSerial',
      'cardHasPurchaseDate',
      'phoneOnProduct',
      'damage',
      'softwareOnly',
      'unauthorizedRepair',
      'paidInFull',
    ]);
    const damage = poe.find((q) => q.fact === 'damage');
    expect(damage?.reasons).toEqual(['physical_damage', 'pest_damage', 'improper_use']);
    expect(damage?.damageKinds).toHaveLength(13);
  });

  test('needsManufacturerPeriod: only a poe-sec accessory', () => {
    expect(needsManufacturerPeriod(poeSec, 'accessory')).toBe(true);
    expect(needsManufacturerPeriod(poeSec, 'camera')).toBe(false);
    expect(needsManufacturerPeriod(servicePromise, 'accessory')).toBe(false);
  });

  test('explainReasons cites the policy sentence and the plain-words explanation of each reason', () => {
    const d = withFacts({ sealIntact: false, damage: ['rodents'] }, { checkedOn: '2027-01-01' });
    const explained = explainReasons(d, poeSec);
    expect(explained.map((e) => e.code)).toEqual(['expired', 'seal_broken', 'pest_damage']);
    expect(explained[1]?.policyText).toBe('Warranty seals are torn, broken, overwritten or modified.');
    expect(explained[2]?.customerExplanation).toMatch(/rodents or insects/);
  });
});

describe('properties of the date arithmetic', () => {
  const MIN = toDayNumber('1900-01-01');
  const MAX = toDayNumber('2999-12-31');
  const date = fc.integer({ min: MIN, max: MAX }).map(fromDayNumber);
  const months = fc.integer({ min: 0, max: 600 });

  test('day numbers agree with the proleptic Gregorian calendar (checked against Date.UTC) and round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN, max: MAX }), (n) => {
        const d = fromDayNumber(n);
        const { year, month, day } = parseDate(d);
        expect(Date.UTC(year, month - 1, day) / 86_400_000).toBe(n);
        expect(toDayNumber(d)).toBe(n);
        expect(compareDates(d, addDays(d, 1))).toBe(-1);
      }),
    );
  });

  test('adding months gives a valid date, in the right month, with the day kept or clamped to the month end', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: -600, max: 600 }), (d, n) => {
        const r = addMonths(d, n);
        expect(fromDayNumber(toDayNumber(r))).toBe(r); // a real calendar day (years may leave 1900..2999 here)
        const a = parseDate(d);
        const b = parseDate(r);
        expect(b.year * 12 + b.month - (a.year * 12 + a.month)).toBe(n);
        expect(b.day).toBe(Math.min(a.day, daysInMonth(b.year, b.month)));
      }),
    );
  });

  test('adding months is monotonic in the date and in the number of months', () => {
    fc.assert(
      fc.property(date, date, months, (d1, d2, n) => {
        const [lo, hi] = compareDates(d1, d2) <= 0 ? [d1, d2] : [d2, d1];
        expect(compareDates(addMonths(lo, n), addMonths(hi, n))).toBeLessThanOrEqual(0);
      }),
    );
    fc.assert(
      fc.property(date, months, months, (d, n1, n2) => {
        const [lo, hi] = n1 <= n2 ? [n1, n2] : [n2, n1];
        expect(compareDates(addMonths(d, lo), addMonths(d, hi))).toBeLessThanOrEqual(0);
      }),
    );
  });

  test('coveredUntil is the day before the anniversary, and not before delivery', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 600 }), (d, n) => {
        const until = coveredUntil(d, n);
        const anniversary = addMonths(d, n);
        expect(compareDates(until, anniversary)).toBe(-1);
        expect(daysBetween(until, anniversary)).toBe(1);
        expect(compareDates(d, until)).toBeLessThanOrEqual(0);
      }),
    );
  });

  test('the engine: expired exactly when checkedOn is after coveredUntil; with no facts, otherwise covered', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 2000 }), fc.constantFrom('poe-sec', 'service-promise'), fc.constantFrom('camera', 'recorder', 'accessory'), (deliveredOn, after, policy, category) => {
        const checkedOn = addDays(deliveredOn, after);
        fc.pre(isCalendarDate(checkedOn));
        const d = decide({ policy, category, deliveredOn, checkedOn, manufacturerWarrantyMonths: 18 });
        expect(d.status).toBe(compareDates(checkedOn, d.coveredUntil) > 0 ? 'expired' : 'covered');
        expect(d.chargeable).toBe(d.status !== 'covered');
        expect(d.daysLeft).toBe(Math.max(0, daysBetween(checkedOn, d.coveredUntil)));
      }),
    );
  });
});
