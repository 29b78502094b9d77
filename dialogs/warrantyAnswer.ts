import type { WarrantyAnswer } from '../src/domain/warranty/WarrantyCheck.js';
import type { AnswerView } from './rendering/views.js';

export const BACKUP_REMINDER =
  'Before you send a device in for repair, please back up any recordings you need: backups are your responsibility and we are not responsible for lost data.';

interface AnswerSections {
  headline: string;
  facts: Array<[string, string]>;
  reasons: string[];
  /** A conditional answer's points for our staff to check, citing the policy. */
  conditions: string[];
  free: string[];
  charged: string[];
  next: string[];
}

const STATUS_LABEL = { covered: 'Covered', conditional: 'Covered if confirmed', not_covered: 'Not covered', expired: 'Expired' } as const;
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const money = (amount: number, currency: string | undefined) => `${amount.toFixed(2)}${currency ? ` ${currency}` : ''}`;

/** What the warranty answer says, independent of how it is rendered. */
export function answerSections(a: WarrantyAnswer): AnswerSections {
  const { device, decision, policy } = a;
  const name = `${device.model} (S/N ${device.serial})`;
  const days = decision.daysLeft === 0 ? 'today is the last covered day' : `${decision.daysLeft} day${decision.daysLeft === 1 ? '' : 's'} left`;
  const headline =
    decision.status === 'covered'
      ? `Good news: your ${name} is under warranty until ${decision.coveredUntil} (${days}).`
      : decision.status === 'conditional'
        ? `Your ${name} is within its warranty period (until ${decision.coveredUntil}, ${days}). It is covered if our staff confirm the points below, which you couldn't check.`
        : decision.status === 'expired'
          ? `The warranty on your ${name} ended on ${decision.coveredUntil}.`
          : `Your ${name} is within its warranty period (until ${decision.coveredUntil}), but the warranty does not cover it in this case.`;

  const facts: Array<[string, string]> = [
    ['Status', STATUS_LABEL[decision.status]],
    ['Covered until', decision.coveredUntil],
    ['Delivered on', device.deliveredOn],
    ['Warranty period', `${decision.periodMonths} months from delivery`],
    ['Policy', policy.title],
  ];

  const reasons = a.reasons.map((r) => `${r.customerExplanation} (policy: "${r.policyText}")`);
  const conditions = a.conditions.map((c) => `${capitalised(c.coveredIf)} (policy: "${c.policyText}")`);

  const g = policy.grants;
  const free: string[] = [];
  if (decision.freeRepair) free.push('Repair or replacement of the faulty device');
  if (decision.freeParts) free.push('Spare parts');
  if (decision.freeSoftwareUpgrades) free.push(g.softwareUpgrades?.until === 'lifetime' ? 'Software and firmware upgrades, for the life of the device' : 'Software and firmware upgrades');
  if (decision.hotline) free.push(`Our ${decision.hotline.availability} hotline (${decision.hotline.channels.join(', ')}), answering by phone within ${decision.hotline.phoneResponseHours} hours`);
  if (decision.inspectionEveryMonths) free.push(`An inspection visit every ${decision.inspectionEveryMonths} months`);

  const charged: string[] = [];
  const repair = decision.chargedRepair ? 'The repair or replacement, with parts at market price' : 'The repair or replacement';
  // Conditional: nothing is charged on what we know; say what a failed check would cost.
  if (decision.status === 'conditional') {
    charged.push(repair);
  } else if (decision.chargeable) {
    charged.push(repair);
    if (decision.status === 'expired' && decision.maintenanceFeeCapPercent !== null) {
      charged.push(
        decision.maintenanceFeeCap !== null
          ? `A maintenance contract, if you want one: at most ${money(decision.maintenanceFeeCap, device.currency)} a year (${decision.maintenanceFeeCapPercent}% of the product price)`
          : `A maintenance contract, if you want one: at most ${decision.maintenanceFeeCapPercent}% of the product price a year`,
      );
    } else if (decision.maintenanceContract) {
      charged.push('A maintenance contract, if you want one (terms agreed with you)');
    }
  }

  const next =
    decision.status === 'covered'
      ? ['I can open a repair ticket (RMA) for you now.', BACKUP_REMINDER]
      : decision.status === 'conditional'
        ? [
            'I can open a repair ticket (RMA) for you now; our staff will check these points when they see the device. If one does not hold, the warranty does not cover the repair, which we can still do for a charge.',
            BACKUP_REMINDER,
          ]
        : ['We can still repair it for a charge, or offer a maintenance contract; I can open a ticket for a quote.', BACKUP_REMINDER];
  return { headline, facts, reasons, conditions, free, charged, next };
}

/** The answer as a view model: a card on the channels that render one, Block Kit on Slack, text elsewhere. */
export function warrantyAnswerView(a: WarrantyAnswer): AnswerView {
  const s = answerSections(a);
  const conditional = a.decision.status === 'conditional';
  return {
    kind: 'answer',
    title: 'Warranty check',
    headline: s.headline,
    facts: s.facts,
    sections: conditional
      ? [
          { title: 'Covered if our staff confirm', lines: s.conditions },
          { title: 'Free of charge once confirmed', lines: s.free },
          { title: 'Charged only if a check fails', lines: s.charged },
        ]
      : [
          { title: 'Why', lines: s.reasons },
          { title: 'Free of charge', lines: s.free },
          { title: 'Charged', lines: s.charged },
        ],
    footer: s.next.join(' '),
    // Neither good news nor a refusal until the checks are done.
    tone: a.decision.status === 'covered' ? 'good' : conditional ? 'neutral' : 'attention',
  };
}
