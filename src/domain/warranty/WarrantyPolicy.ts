import { z } from 'zod';

/**
 * The vocabulary every warranty policy file (knowledge/warranty/<id>.json) is written in.
 * A policy picks its periods, the exclusions it contains and what it grants from this
 * vocabulary, so a new policy is a new file; only a new *kind* of exclusion or grant needs code.
 */
export const DEVICE_CATEGORIES = ['camera', 'recorder', 'accessory'] as const;
export type DeviceCategory = (typeof DEVICE_CATEGORIES)[number];

export const DAMAGE_KINDS = [
  'drop',
  'impact',
  'scratch',
  'dent',
  'moisture',
  'rust',
  'water',
  'fire',
  'natural_disaster',
  'rodents',
  'insects',
  'wrong_voltage',
  'improper_use',
] as const;
export type DamageKind = (typeof DAMAGE_KINDS)[number];

/** Exclusion codes in the order reasons are reported (after `expired`, which every policy has). */
export const EXCLUSION_CODES = [
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
] as const;
export type ExclusionCode = (typeof EXCLUSION_CODES)[number];

/** Every reason the engine can give, in the order it gives them. */
export const REASON_CODES = ['expired', ...EXCLUSION_CODES] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

const policyText = z.string().trim().min(1, 'must quote the policy');
const explanation = z.string().trim().min(1, 'must explain it to the customer');

/** A sentence of the policy and what it means for the customer, in plain words. */
const CitedSchema = z.object({ policyText, customerExplanation: explanation }).strict();

/** Months of warranty, or "manufacturer": the manufacturer's own period, recorded per device. */
const PeriodMonthsSchema = z.union([z.number().int().min(1).max(600), z.literal('manufacturer')]);

const ExclusionSchema = z
  .object({
    code: z.enum(EXCLUSION_CODES),
    policyText,
    customerExplanation: explanation,
    /**
     * What cover depends on, in plain words ("the warranty seal is intact"): said when the customer
     * could not tell us and staff will check it.
     */
    coveredIf: z.string().trim().min(1, 'must say what cover depends on, for staff to check'),
  })
  .strict();

/** Each grant is optional: absent means the policy does not grant it. */
const GrantsSchema = z
  .object({
    /** Repair or replacement at no cost while covered. */
    freeRepair: z.object({ policyText }).strict().optional(),
    /** Spare parts at no cost while covered. */
    freeParts: z.object({ policyText }).strict().optional(),
    /** Free software upgrades: for the device's lifetime, or only until the warranty expires. */
    softwareUpgrades: z.object({ until: z.enum(['lifetime', 'expiry']), policyText }).strict().optional(),
    hotline: z
      .object({
        availability: z.string().trim().min(1),
        phoneResponseHours: z.number().positive(),
        channels: z.array(z.string().trim().min(1)).min(1),
        policyText,
      })
      .strict()
      .optional(),
    inspection: z.object({ everyMonths: z.number().int().positive(), policyText }).strict().optional(),
    /** After expiry, the annual maintenance fee is at most this share of the product's price. */
    maintenanceFeeCap: z.object({ percentOfPrice: z.number().positive().max(100), policyText }).strict().optional(),
    /** Maintenance contracts offered (paid, terms agreed with the customer). */
    maintenanceContract: z.object({ policyText }).strict().optional(),
    /** A device that is not covered is still repaired, for a charge. */
    chargedRepair: z.object({ partsPricing: z.enum(['market_price']), policyText }).strict().optional(),
  })
  .strict();

export const WarrantyPolicySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by dashes'),
    title: z.string().trim().min(1),
    /** The policy document under shared/policies this file encodes. */
    source: z.string().trim().min(1),
    period: z
      .object({
        /** Counted from the delivery date. */
        months: z.object({ camera: PeriodMonthsSchema, recorder: PeriodMonthsSchema, accessory: PeriodMonthsSchema }).strict(),
        policyText,
        customerExplanation: explanation,
      })
      .strict(),
    /** Cited when the period is over: every policy has one. */
    expiry: CitedSchema,
    /** The exclusions this policy contains; the engine reports them in `EXCLUSION_CODES` order. */
    exclusions: z.array(ExclusionSchema),
    grants: GrantsSchema,
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.exclusions.forEach((e, i) => {
      if (seen.has(e.code)) ctx.addIssue({ code: 'custom', path: ['exclusions', i, 'code'], message: `duplicate exclusion "${e.code}"` });
      seen.add(e.code);
    });
  });
export type WarrantyPolicy = z.infer<typeof WarrantyPolicySchema>;
export type WarrantyExclusion = WarrantyPolicy['exclusions'][number];
