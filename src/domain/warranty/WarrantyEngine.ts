/**
 * The warranty engine: given a policy (data) and the facts of one case, says whether the device
 * is covered, until when, why not, and what is free or charged. Pure: no I/O, no clock (the
 * caller passes `checkedOn`), so every answer is reproducible from its input.
 */
import { z } from 'zod';
import { addDays, addMonths, compareDates, dateProblem, daysBetween } from './calendar.js';
import {
  DAMAGE_KINDS,
  DEVICE_CATEGORIES,
  EXCLUSION_CODES,
  type DamageKind,
  type ExclusionCode,
  type ReasonCode,
  type WarrantyPolicy,
} from './WarrantyPolicy.js';

/** An input the engine cannot answer without guessing. `detail` is the message without the prefix. */
export class WarrantyInputError extends Error {
  constructor(readonly detail: string) {
    super(`warranty: ${detail}`);
    this.name = 'WarrantyInputError';
  }
}

const DateSchema = z.string().superRefine((text, ctx) => {
  const problem = dateProblem(text);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Said of a fact nobody could tell us ("I don't know", "I can't reach the sticker"). Unlike an
 * absent fact, it is a point to check: an exclusion that hangs on it makes the answer conditional.
 */
export const UNKNOWN = 'unknown';
const Unknown = z.literal(UNKNOWN);
// A union's own message is only "Invalid input": say what is accepted (callers that print only the top issue, the CLI, show this).
const yesNo = z.union([z.boolean(), Unknown], { error: 'must be true, false or "unknown"' });
const damageKinds = z.union([z.array(z.enum(DAMAGE_KINDS)), Unknown], { error: `must be "unknown" or a list of: ${DAMAGE_KINDS.join(', ')}` });

/**
 * What the customer (or the registry) told us. Every fact is optional: an absent fact is not held
 * against the customer, and neither is an `"unknown"` one; it leaves the answer `conditional`.
 */
export const WarrantyFactsSchema = z
  .object({
    warrantyCard: z.enum(['present', 'lost', UNKNOWN]).optional(),
    cardHasSerial: yesNo.optional(),
    cardHasPurchaseDate: yesNo.optional(),
    sealIntact: yesNo.optional(),
    /** The phone number written on the product, compared with the one on the warranty card. */
    phoneOnProduct: z.enum(['matches', 'differs', 'missing', UNKNOWN]).optional(),
    /** What happened to the device; `"unknown"`: the customer cannot say whether any of it did. */
    damage: damageKinds.optional(),
    unauthorizedRepair: yesNo.optional(),
    paidInFull: yesNo.optional(),
    /** The problem is only the free software supplied with the device. */
    softwareOnly: yesNo.optional(),
  })
  .strict();
export type WarrantyFacts = z.infer<typeof WarrantyFactsSchema>;
export type WarrantyFact = keyof WarrantyFacts;

export const WarrantyCaseSchema = z
  .object({
    /** The id of a shipped policy (knowledge/warranty/<id>.json); checked against the policies given. */
    policy: z.string().trim().min(1, 'must name a policy'),
    category: z.enum(DEVICE_CATEGORIES),
    deliveredOn: DateSchema,
    /** The day the question is asked: the caller's clock, never read here. */
    checkedOn: DateSchema,
    /** The manufacturer's own period, for policies that defer to it (a poe-sec accessory). */
    manufacturerWarrantyMonths: z.number().int().min(1).max(600).optional(),
    price: z.number().finite().nonnegative().optional(),
    facts: WarrantyFactsSchema.default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (dateProblem(c.deliveredOn) === null && dateProblem(c.checkedOn) === null && compareDates(c.checkedOn, c.deliveredOn) < 0) {
      ctx.addIssue({ code: 'custom', path: ['checkedOn'], message: `${c.checkedOn} is before deliveredOn ${c.deliveredOn}` });
    }
  });
export type WarrantyCaseInput = z.input<typeof WarrantyCaseSchema>;
export type WarrantyCase = z.output<typeof WarrantyCaseSchema>;

/**
 * `conditional`: within the period and nothing known excludes it, but an exclusion hangs on a
 * fact nobody could tell us; covered if staff find the `toVerify` points in order.
 */
export type WarrantyStatus = 'covered' | 'conditional' | 'not_covered' | 'expired';

export interface WarrantyDecision {
  status: WarrantyStatus;
  /** Every reason that applies, in `REASON_CODES` order; empty when covered. */
  reasons: ReasonCode[];
  /** The last covered day: the day before the anniversary of delivery. */
  coveredUntil: string;
  /** `not_covered` or `expired`: the customer pays for a repair. Never for `conditional`: nothing known is against them. */
  chargeable: boolean;
  /**
   * The exclusions that hang on unknown facts, in `EXCLUSION_CODES` order: what staff must check.
   * Only while they decide the answer (`conditional`); empty otherwise.
   */
  toVerify: ExclusionCode[];
  policy: string;
  /** The period applied, in months from delivery. */
  periodMonths: number;
  /** Days from `checkedOn` to `coveredUntil` (0 on the last covered day and once expired). */
  daysLeft: number;
  /** Repair or replacement at no cost: when covered, and when conditional (if the checks pass). */
  freeRepair: boolean;
  /** Spare parts at no cost: when covered, and when conditional (if the checks pass). */
  freeParts: boolean;
  /** Lifetime upgrades stay free after expiry; upgrades "until expiry" do not. */
  freeSoftwareUpgrades: boolean;
  hotline: { availability: string; phoneResponseHours: number; channels: string[] } | null;
  inspectionEveryMonths: number | null;
  maintenanceFeeCapPercent: number | null;
  /** The annual maintenance fee cap after expiry, in the price's currency, rounded to the cent; null when the price is unknown. */
  maintenanceFeeCap: number | null;
  maintenanceContract: boolean;
  /** How a charged repair is billed, when the policy says so: when chargeable, and when conditional (should a check fail); null when covered. */
  chargedRepair: { partsPricing: 'market_price' } | null;
}

interface ExclusionRule {
  /** The facts that can trigger it, in the order to ask them. */
  facts: WarrantyFact[];
  /** For `damage`: the kinds that count. */
  damage?: readonly DamageKind[];
  applies(f: WarrantyFacts): boolean;
}

const hasDamage = (f: WarrantyFacts, kinds: readonly DamageKind[]) => Array.isArray(f.damage) && f.damage.some((d) => kinds.includes(d));
const PHYSICAL: readonly DamageKind[] = ['drop', 'impact', 'scratch', 'dent', 'moisture', 'rust', 'water', 'fire', 'natural_disaster'];
const PESTS: readonly DamageKind[] = ['rodents', 'insects'];
const MISUSE: readonly DamageKind[] = ['improper_use', 'wrong_voltage'];

/**
 * How each exclusion is read from the facts. A fact only counts against the customer when it is
 * stated: every test is a strict comparison, so `"unknown"` never applies an exclusion.
 */
const EXCLUSION_RULES: Record<ExclusionCode, ExclusionRule> = {
  card_lost: { facts: ['warrantyCard'], applies: (f) => f.warrantyCard === 'lost' },
  seal_broken: { facts: ['sealIntact'], applies: (f) => f.sealIntact === false },
  card_incomplete: { facts: ['cardHasSerial', 'cardHasPurchaseDate'], applies: (f) => f.cardHasSerial === false || f.cardHasPurchaseDate === false },
  phone_mismatch: { facts: ['phoneOnProduct'], applies: (f) => f.phoneOnProduct === 'differs' || f.phoneOnProduct === 'missing' },
  physical_damage: { facts: ['damage'], damage: PHYSICAL, applies: (f) => hasDamage(f, PHYSICAL) },
  pest_damage: { facts: ['damage'], damage: PESTS, applies: (f) => hasDamage(f, PESTS) },
  improper_use: { facts: ['damage'], damage: MISUSE, applies: (f) => hasDamage(f, MISUSE) },
  free_software: { facts: ['softwareOnly'], applies: (f) => f.softwareOnly === true },
  unauthorized_repair: { facts: ['unauthorizedRepair'], applies: (f) => f.unauthorizedRepair === true },
  not_paid: { facts: ['paidInFull'], applies: (f) => f.paidInFull === false },
};

/** The exclusion does not apply on what we know, but one of its facts is unknown: it could. */
function hangsOnUnknown(code: ExclusionCode, f: WarrantyFacts): boolean {
  return !EXCLUSION_RULES[code].applies(f) && EXCLUSION_RULES[code].facts.some((fact) => f[fact] === UNKNOWN);
}

function findPolicy(id: string, policies: readonly WarrantyPolicy[]): WarrantyPolicy {
  const policy = policies.find((p) => p.id === id);
  if (!policy) {
    const known = policies.map((p) => p.id).sort().join(', ') || 'none loaded';
    throw new WarrantyInputError(`policy: unknown policy "${id}" (known: ${known})`);
  }
  return policy;
}

/** The period in months for this case, or a `WarrantyInputError` when the policy defers to a period we were not given. */
export function periodMonthsFor(policy: WarrantyPolicy, c: Pick<WarrantyCase, 'category' | 'manufacturerWarrantyMonths'>): number {
  const months = policy.period.months[c.category];
  if (months !== 'manufacturer') return months;
  if (c.manufacturerWarrantyMonths === undefined) {
    throw new WarrantyInputError(
      `manufacturerWarrantyMonths: is required for ${/^[aeiou]/.test(c.category) ? 'an' : 'a'} ${c.category} under ${policy.id} (its warranty is the manufacturer's own period)`,
    );
  }
  return c.manufacturerWarrantyMonths;
}

/** The last covered day: the anniversary `months` after delivery (clamped to month end), minus one day. */
export function coveredUntil(deliveredOn: string, months: number): string {
  return addDays(addMonths(deliveredOn, months), -1);
}

/** Rounded half-up to the cent; `toFixed(6)` first so that 19.99 * 5 is not 99.94999…. */
function percentOf(price: number, percent: number): number {
  return Math.round(Number((price * percent).toFixed(6))) / 100;
}

type Issue = z.ZodError['issues'][number];

function describeIssues(error: z.ZodError): string {
  return error.issues.flatMap((i) => issueLines(i, [])).join('; ');
}

/**
 * A fact that is a value or "unknown" is a union, whose own message is only "Invalid input":
 * report the branch the input got furthest in ("facts.damage.0: Invalid option …") instead.
 */
function issueLines(issue: Issue, base: PropertyKey[]): string[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const depth = (branch: Issue[]) => Math.max(0, ...branch.map((i) => i.path.length));
    const furthest = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    if (depth(furthest) > 0) return furthest.flatMap((i) => issueLines(i, path));
  }
  return [path.length > 0 ? `${path.map(String).join('.')}: ${issue.message}` : issue.message];
}

/**
 * Decides one case. Throws `WarrantyInputError` for input it cannot answer without guessing:
 * a malformed case, an impossible date, `checkedOn` before `deliveredOn`, an unknown policy,
 * or a policy that defers to the manufacturer's period when none is given.
 */
export function evaluateWarranty(input: WarrantyCaseInput, policies: readonly WarrantyPolicy[]): WarrantyDecision {
  const parsed = WarrantyCaseSchema.safeParse(input);
  if (!parsed.success) throw new WarrantyInputError(describeIssues(parsed.error));
  const c = parsed.data;
  const policy = findPolicy(c.policy, policies);
  const periodMonths = periodMonthsFor(policy, c);
  const until = coveredUntil(c.deliveredOn, periodMonths);
  const expired = compareDates(c.checkedOn, until) > 0;

  const applicable = new Set(policy.exclusions.map((e) => e.code));
  const exclusions = EXCLUSION_CODES.filter((code) => applicable.has(code) && EXCLUSION_RULES[code].applies(c.facts));
  // An unknown fact decides nothing once the answer is settled by the date or a known exclusion.
  const pending = expired || exclusions.length > 0 ? [] : EXCLUSION_CODES.filter((code) => applicable.has(code) && hangsOnUnknown(code, c.facts));
  const reasons: ReasonCode[] = expired ? ['expired', ...exclusions] : [...exclusions];
  const status: WarrantyStatus = expired ? 'expired' : exclusions.length > 0 ? 'not_covered' : pending.length > 0 ? 'conditional' : 'covered';
  const covered = status === 'covered';
  const conditional = status === 'conditional';
  const chargeable = !covered && !conditional;
  const g = policy.grants;

  return {
    status,
    reasons,
    coveredUntil: until,
    chargeable,
    toVerify: pending,
    policy: policy.id,
    periodMonths,
    daysLeft: Math.max(0, daysBetween(c.checkedOn, until)),
    freeRepair: !chargeable && g.freeRepair !== undefined,
    freeParts: !chargeable && g.freeParts !== undefined,
    freeSoftwareUpgrades: g.softwareUpgrades !== undefined && (g.softwareUpgrades.until === 'lifetime' || !expired),
    hotline: g.hotline ? { availability: g.hotline.availability, phoneResponseHours: g.hotline.phoneResponseHours, channels: [...g.hotline.channels] } : null,
    inspectionEveryMonths: g.inspection?.everyMonths ?? null,
    maintenanceFeeCapPercent: g.maintenanceFeeCap?.percentOfPrice ?? null,
    maintenanceFeeCap: g.maintenanceFeeCap && c.price !== undefined ? percentOf(c.price, g.maintenanceFeeCap.percentOfPrice) : null,
    maintenanceContract: g.maintenanceContract !== undefined || g.maintenanceFeeCap !== undefined,
    chargedRepair: !covered && g.chargedRepair ? { partsPricing: g.chargedRepair.partsPricing } : null,
  };
}

/** A fact worth asking about under a policy, and the reasons its answer can add. */
export interface WarrantyQuestion {
  fact: WarrantyFact;
  reasons: ExclusionCode[];
  /** For `damage`: the kinds of damage that count under this policy. */
  damageKinds?: DamageKind[];
}

/**
 * The facts that can change the answer under `policy`, in the order the reasons are reported.
 * A policy without exclusions (service-promise) needs no questions: only the dates matter.
 */
export function relevantQuestions(policy: WarrantyPolicy): WarrantyQuestion[] {
  const applicable = new Set(policy.exclusions.map((e) => e.code));
  const questions = new Map<WarrantyFact, WarrantyQuestion>();
  for (const code of EXCLUSION_CODES) {
    if (!applicable.has(code)) continue;
    const rule = EXCLUSION_RULES[code];
    for (const fact of rule.facts) {
      const q = questions.get(fact) ?? { fact, reasons: [] };
      q.reasons.push(code);
      if (rule.damage) q.damageKinds = [...(q.damageKinds ?? []), ...rule.damage];
      questions.set(fact, q);
    }
  }
  return [...questions.values()];
}

/** Whether a device of this category needs `manufacturerWarrantyMonths` under `policy`. */
export function needsManufacturerPeriod(policy: WarrantyPolicy, category: (typeof DEVICE_CATEGORIES)[number]): boolean {
  return policy.period.months[category] === 'manufacturer';
}

/** The policy sentence and plain-words explanation for each reason of a decision, for the answer to cite. */
export function explainReasons(decision: Pick<WarrantyDecision, 'reasons'>, policy: WarrantyPolicy): Array<{ code: ReasonCode; policyText: string; customerExplanation: string }> {
  return decision.reasons.map((code) => {
    const cited = code === 'expired' ? policy.expiry : policy.exclusions.find((e) => e.code === code);
    if (!cited) throw new Error(`explainReasons(): policy ${policy.id} has no exclusion "${code}"`);
    return { code, policyText: cited.policyText, customerExplanation: cited.customerExplanation };
  });
}

/** What cover depends on, for each point a conditional decision leaves to check: the policy sentence and the condition in plain words. */
export function explainConditions(decision: Pick<WarrantyDecision, 'toVerify'>, policy: WarrantyPolicy): Array<{ code: ExclusionCode; policyText: string; coveredIf: string }> {
  return decision.toVerify.map((code) => {
    const cited = policy.exclusions.find((e) => e.code === code);
    if (!cited) throw new Error(`explainConditions(): policy ${policy.id} has no exclusion "${code}"`);
    return { code, policyText: cited.policyText, coveredIf: cited.coveredIf };
  });
}
