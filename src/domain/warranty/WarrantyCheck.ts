import { normalisePhone, type Device } from '../devices/Device.js';
import { lookUpSerialInText, type DeviceRegistry, type SerialLookup } from '../devices/DeviceRegistry.js';
import { compareDates } from './calendar.js';
import { evaluateWarranty, explainConditions, explainReasons, relevantQuestions, UNKNOWN, type WarrantyDecision, type WarrantyFacts } from './WarrantyEngine.js';
import type { ExclusionCode, ReasonCode, WarrantyPolicy } from './WarrantyPolicy.js';

/** Facts only the customer can tell us; the registry knows the card's contents and the payment. */
export const ASKABLE_FACTS = ['warrantyCard', 'sealIntact', 'phoneOnProduct', 'damage', 'softwareOnly', 'unauthorizedRepair'] as const;
export type AskableFact = (typeof ASKABLE_FACTS)[number];
export type CustomerFacts = Pick<WarrantyFacts, AskableFact>;

export interface WarrantyAnswer {
  device: Device;
  policy: WarrantyPolicy;
  checkedOn: string;
  decision: WarrantyDecision;
  /** Each reason with the policy sentence it comes from and what it means, in the engine's order. */
  reasons: Array<{ code: ReasonCode; policyText: string; customerExplanation: string }>;
  /**
   * A conditional answer's points to check, in the engine's order: what cover depends on, the
   * policy sentence, and the customer's questions it hangs on. Empty unless `conditional`.
   */
  conditions: Array<{ code: ExclusionCode; policyText: string; coveredIf: string; facts: AskableFact[] }>;
}

/** What the customer said when they could not tell, per question: staff read it with the point to check. */
export type CustomerWords = Partial<Record<AskableFact, string>>;

/**
 * The warranty conversation's domain service: finds the device by serial, says which question
 * (if any) can still change the answer, and decides with the engine. The registry supplies what
 * it knows (card contents, payment); the customer only answers the rest.
 */
export class WarrantyCheck {
  private readonly policies: Map<string, WarrantyPolicy>;

  constructor(
    private readonly registry: DeviceRegistry,
    policies: readonly WarrantyPolicy[],
    /** Today as YYYY-MM-DD: the caller's clock, so answers are reproducible in tests. */
    private readonly today: () => string,
  ) {
    this.policies = new Map(policies.map((p) => [p.id, p]));
  }

  /** The device a message names by its exact serial (after normalisation); nothing about any other device. */
  find(text: string): Promise<SerialLookup> {
    return lookUpSerialInText(this.registry, text);
  }

  device(serial: string): Promise<Device | null> {
    return this.registry.get(serial);
  }

  /**
   * The next fact worth asking, or null when no answer could change the outcome: nothing left to
   * ask, or the device is already expired or excluded by what we know. An unknown answer is an
   * answer (not asked again), and the questions after it still can exclude.
   */
  nextQuestion(device: Device, facts: CustomerFacts): AskableFact | null {
    const { status } = this.answer(device, facts).decision;
    if (status !== 'covered' && status !== 'conditional') return null;
    const askable = new Set<string>(ASKABLE_FACTS);
    for (const q of relevantQuestions(this.policyOf(device))) {
      if (!askable.has(q.fact) || facts[q.fact as AskableFact] !== undefined) continue;
      // Without the number on the card there is nothing to compare the product's number with.
      if (q.fact === 'phoneOnProduct' && !device.phoneOnCard) continue;
      return q.fact as AskableFact;
    }
    return null;
  }

  /**
   * Compares the number the customer reads off the product with the one on the warranty card.
   * Text without a number is `unknown`, not `missing`: only the customer's saying there is no
   * number (the dialog reads that) may count against them.
   */
  phoneFact(device: Device, typed: string): NonNullable<WarrantyFacts['phoneOnProduct']> {
    const digits = normalisePhone(typed);
    if (digits.replace('+', '').length < 6) return UNKNOWN;
    if (!device.phoneOnCard) return 'matches';
    const onCard = normalisePhone(device.phoneOnCard);
    // A local number and its international form (+84 28… vs 028…) share their last nine digits.
    const tail = (n: string) => n.replace('+', '').slice(-9);
    return tail(digits) === tail(onCard) ? 'matches' : 'differs';
  }

  answer(device: Device, facts: CustomerFacts): WarrantyAnswer {
    const policy = this.policyOf(device);
    const today = this.today();
    // A delivery date after today (a clock or registry slip) is checked as on the delivery day.
    const checkedOn = compareDates(today, device.deliveredOn) < 0 ? device.deliveredOn : today;
    const decision = evaluateWarranty(
      {
        policy: policy.id,
        category: device.category,
        deliveredOn: device.deliveredOn,
        checkedOn,
        ...(device.manufacturerWarrantyMonths !== undefined ? { manufacturerWarrantyMonths: device.manufacturerWarrantyMonths } : {}),
        ...(device.price !== undefined ? { price: device.price } : {}),
        facts: {
          ...facts,
          cardHasSerial: device.card.hasSerial,
          cardHasPurchaseDate: device.card.hasPurchaseDate,
          paidInFull: device.paidInFull,
        },
      },
      [policy],
    );
    const askedFor = new Map<string, AskableFact[]>();
    const askable = new Set<string>(ASKABLE_FACTS);
    for (const q of relevantQuestions(policy)) {
      if (!askable.has(q.fact) || facts[q.fact as AskableFact] !== UNKNOWN) continue;
      for (const code of q.reasons) askedFor.set(code, [...(askedFor.get(code) ?? []), q.fact as AskableFact]);
    }
    const conditions = explainConditions(decision, policy).map((c) => ({ ...c, facts: askedFor.get(c.code) ?? [] }));
    return { device, policy, checkedOn, decision, reasons: explainReasons(decision, policy), conditions };
  }

  /**
   * A conditional answer's points for staff to verify, for the ticket or RMA: what cover depends
   * on, with what the customer said when they could not tell.
   */
  pointsToVerify(answer: WarrantyAnswer, words: CustomerWords = {}): string[] {
    return answer.conditions.map((c) => {
      const said = c.facts.map((f) => words[f]).filter((w): w is string => w !== undefined && w.trim() !== '');
      return said.length > 0 ? `${c.coveredIf} (customer could not tell: "${said.join('"; "')}")` : `${c.coveredIf} (customer could not tell)`;
    });
  }

  private policyOf(device: Device): WarrantyPolicy {
    const policy = this.policies.get(device.policyId);
    if (!policy) throw new Error(`WarrantyCheck: device ${device.serial} names policy "${device.policyId}", which is not in knowledge/warranty`);
    return policy;
  }
}
