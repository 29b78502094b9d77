import {
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type Choice,
  type FoundChoice,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { ConversationRecords } from '../src/conversation/ConversationRecords.js';
import type { WarrantySummary } from '../src/domain/SupportRequest.js';
import type { AskableFact, CustomerFacts, WarrantyAnswer, WarrantyCheck } from '../src/domain/warranty/WarrantyCheck.js';
import type { DamageKind } from '../src/domain/warranty/WarrantyPolicy.js';
import { ChoicesPrompt } from './rendering/ChoicesPrompt.js';
import { RESOLUTION_CHECK_DIALOG_ID, type ResolutionCheckDialog, type ResolutionCheckOptions } from './ResolutionCheckDialog.js';
import { sendView } from './rendering/render.js';
import { warrantyAnswerView } from './warrantyAnswer.js';

export const WARRANTY_DIALOG_ID = 'warrantyDialog';
const IDENTIFY_ID = 'warrantyDialog.identify';
const QUESTIONS_ID = 'warrantyDialog.questions';
const SERIAL_PROMPT_ID = 'warrantyDialog.serial';
const CHOICE_PROMPT_ID = 'warrantyDialog.choice';
const PHONE_PROMPT_ID = 'warrantyDialog.phone';

/** Serial numbers typed before the bot offers a ticket instead. */
const MAX_SERIAL_ATTEMPTS = 2;
const NONE_OF_THESE = 'None of these';

export interface WarrantyOptions {
  /** The customer's message: a serial in it is used at once. */
  text?: string;
}

interface IdentifyState {
  text?: string;
  attempts: number;
  /** The serial as last typed, for the "couldn't find" messages and the ticket. */
  typed?: string;
}

interface QuestionsState {
  serial: string;
  facts: CustomerFacts;
}

interface ChoiceQuestion {
  prompt: string;
  choices: Array<{ title: string; synonyms: string[]; answer: CustomerFacts }>;
}

/** The exclusion questions, with buttons; each answer is a fact for the engine. */
const CHOICE_QUESTIONS: Record<Exclude<AskableFact, 'phoneOnProduct'>, ChoiceQuestion> = {
  warrantyCard: {
    prompt: 'Do you still have the warranty card that came with the device?',
    choices: [
      { title: 'Yes, I have it', synonyms: ['yes', 'y', 'have it'], answer: { warrantyCard: 'present' } },
      { title: 'No, it is lost', synonyms: ['no', 'n', 'lost'], answer: { warrantyCard: 'lost' } },
    ],
  },
  sealIntact: {
    prompt: 'Is the warranty seal (the sticker over the case screws) intact: not torn, broken or written over?',
    choices: [
      { title: 'Yes, intact', synonyms: ['yes', 'y', 'intact'], answer: { sealIntact: true } },
      { title: 'No, it is damaged', synonyms: ['no', 'n', 'torn', 'broken'], answer: { sealIntact: false } },
    ],
  },
  damage: {
    prompt: 'Has the device been through any of these?',
    choices: [
      { title: 'None of these', synonyms: ['no', 'none', 'nothing'], answer: { damage: [] } },
      { title: 'Dropped, knocked or scratched', synonyms: ['dropped', 'drop', 'impact', 'scratch', 'dent'], answer: { damage: ['drop', 'impact'] } },
      { title: 'Water, damp or rust', synonyms: ['water', 'wet', 'damp', 'rust', 'moisture'], answer: { damage: ['water', 'moisture'] } },
      { title: 'Fire, lightning or a natural disaster', synonyms: ['fire', 'lightning', 'flood', 'storm'], answer: { damage: ['fire', 'natural_disaster'] } },
      { title: 'Wrong power supply or voltage', synonyms: ['power', 'voltage', 'power supply', 'surge'], answer: { damage: ['wrong_voltage'] } },
      { title: 'Rodents or insects', synonyms: ['rats', 'mice', 'rodents', 'insects', 'ants'], answer: { damage: ['rodents', 'insects'] as DamageKind[] } },
    ],
  },
  softwareOnly: {
    prompt: 'Is the problem only with the free software or app that came with it, while the device itself works?',
    choices: [
      { title: 'No, the device itself', synonyms: ['no', 'device', 'hardware'], answer: { softwareOnly: false } },
      { title: 'Only the software or app', synonyms: ['software', 'app', 'only the app'], answer: { softwareOnly: true } },
    ],
  },
  unauthorizedRepair: {
    prompt: 'Has anyone other than us or an authorised service centre opened or repaired it?',
    choices: [
      { title: 'No', synonyms: ['no', 'n', 'never'], answer: { unauthorizedRepair: false } },
      { title: 'Yes, it was opened or repaired', synonyms: ['yes', 'y', 'opened', 'repaired'], answer: { unauthorizedRepair: true } },
    ],
  },
};

/** What the waterfall steps hand each other within one dialog instance. */
interface StepValues {
  state?: IdentifyState | QuestionsState;
  suggestions?: string[];
  offeredTicket?: boolean;
  answered?: boolean;
  question?: AskableFact;
}
const values = (step: WaterfallStepContext) => step.values as StepValues;

function summaryOf(a: WarrantyAnswer): WarrantySummary {
  return {
    serial: a.device.serial,
    model: a.device.model,
    category: a.device.category,
    status: a.decision.status,
    coveredUntil: a.decision.coveredUntil,
    reasons: a.decision.reasons,
    chargeable: a.decision.chargeable,
  };
}

/**
 * "Is my camera still under warranty?": find the device by serial (with "did you mean …?" and a
 * ticket as the way out), ask only the exclusion questions that can still change the answer, then
 * answer with the status, the reasons citing the policy, and what is free or charged.
 */
export class WarrantyDialog extends ComponentDialog {
  constructor(
    private readonly check: WarrantyCheck,
    private readonly records: ConversationRecords,
    resolutionCheck: ResolutionCheckDialog,
  ) {
    super(WARRANTY_DIALOG_ID);
    this.addDialog(resolutionCheck);
    this.addDialog(new TextPrompt(SERIAL_PROMPT_ID));
    this.addDialog(new TextPrompt(PHONE_PROMPT_ID));
    this.addDialog(new ChoicesPrompt(CHOICE_PROMPT_ID));
    this.addDialog(new WaterfallDialog(IDENTIFY_ID, [this.identifyStep.bind(this), this.afterIdentifyStep.bind(this)]));
    this.addDialog(new WaterfallDialog(QUESTIONS_ID, [this.askStep.bind(this), this.afterAskStep.bind(this)]));
    this.initialDialogId = IDENTIFY_ID;
  }

  private async identifyStep(step: WaterfallStepContext) {
    const state: IdentifyState = { attempts: 0, ...(step.options as Partial<IdentifyState>) };
    values(step).state = state;
    let typed = state.typed;
    if (state.text) {
      const lookup = await this.check.find(state.text);
      if (lookup.kind === 'found') {
        const d = lookup.device;
        await step.context.sendActivity(`Found it: ${d.model}, serial ${d.serial}, delivered on ${d.deliveredOn}.`);
        return step.replaceDialog(QUESTIONS_ID, { serial: d.serial, facts: {} } satisfies QuestionsState);
      }
      if (lookup.kind === 'unknown') {
        typed = lookup.candidate.text;
        state.typed = typed;
        if (lookup.suggestions.length > 0) {
          values(step).suggestions = lookup.suggestions.map((s) => s.serial);
          return step.prompt(CHOICE_PROMPT_ID, {
            prompt: `I couldn't find serial ${typed} in our registry. Did you mean one of these?`,
            retryPrompt: 'Please pick the serial printed on your device, or "None of these".',
            choices: [...lookup.suggestions.map((s): Choice => ({ value: s.serial, action: { type: 'imBack', title: `${s.serial} (${s.model})`, value: s.serial } })), { value: NONE_OF_THESE }],
          });
        }
      }
    }
    if (state.attempts >= MAX_SERIAL_ATTEMPTS) return this.offerTicket(step, typed);
    const prompt =
      typed === undefined
        ? 'I can check that. What is the serial number of the device? It is on the label on the back or underside, after "S/N".'
        : `I couldn't find serial ${typed} in our registry. Please check the label and type the serial again, exactly as printed.`;
    return step.prompt(SERIAL_PROMPT_ID, { prompt });
  }

  private async afterIdentifyStep(step: WaterfallStepContext) {
    const state = values(step).state as IdentifyState;
    if (values(step).offeredTicket) return step.endDialog(step.result);
    if (values(step).suggestions) {
      const picked = (step.result as FoundChoice).value;
      if (picked !== NONE_OF_THESE) return step.replaceDialog(QUESTIONS_ID, { serial: picked, facts: {} } satisfies QuestionsState);
      return this.offerTicket(step, state.typed);
    }
    return step.replaceDialog(IDENTIFY_ID, { text: String(step.result), attempts: state.attempts + 1, ...(state.typed ? { typed: state.typed } : {}) } satisfies IdentifyState);
  }

  /** The way out when the serial is not in the registry: a ticket our team checks by hand. */
  private async offerTicket(step: WaterfallStepContext, typed: string | undefined) {
    values(step).offeredTicket = true;
    await step.context.sendActivity(
      `I couldn't find ${typed ? `serial ${typed}` : 'that device'} in our registry, so I can't check its warranty here. Our team can check it by hand: open a ticket and have ready the model, the serial number, where and when you bought it, and a photo of the warranty card.`,
    );
    return step.beginDialog(RESOLUTION_CHECK_DIALOG_ID, {
      askFixed: false,
      offer: 'Would you like me to open a ticket for a warranty check, or talk to a person?',
      summary: `Warranty check: serial ${typed ?? '(not given)'} is not in the device registry`,
    } satisfies ResolutionCheckOptions);
  }

  private async askStep(step: WaterfallStepContext) {
    const state = step.options as QuestionsState;
    values(step).state = state;
    const device = await this.check.device(state.serial);
    if (!device) return this.offerTicket(step, state.serial);
    const question = this.check.nextQuestion(device, state.facts);
    if (question === null) {
      const answer = this.check.answer(device, state.facts);
      await sendView(step.context, warrantyAnswerView(answer));
      await this.records.rememberWarranty(step.context, summaryOf(answer));
      values(step).answered = true;
      return step.beginDialog(RESOLUTION_CHECK_DIALOG_ID, {
        askFixed: false,
        offer:
          answer.decision.status === 'covered'
            ? 'Would you like me to open a repair ticket (RMA) now, or talk to a person?'
            : 'Would you like a ticket for a repair quote or a maintenance contract, or to talk to a person?',
        summary: `Warranty check for ${device.model} ${device.serial}: ${answer.decision.status}`,
        warranty: summaryOf(answer),
      } satisfies ResolutionCheckOptions);
    }
    values(step).question = question;
    if (question === 'phoneOnProduct') {
      return step.prompt(PHONE_PROMPT_ID, { prompt: 'What phone number is written on the sticker on the device? (Type "none" if there is none.)' });
    }
    const q = CHOICE_QUESTIONS[question];
    return step.prompt(CHOICE_PROMPT_ID, {
      prompt: q.prompt,
      retryPrompt: `Please choose one of the buttons. ${q.prompt}`,
      choices: q.choices.map((c): Choice => ({ value: c.title, synonyms: c.synonyms })),
    });
  }

  private async afterAskStep(step: WaterfallStepContext) {
    if (values(step).answered || values(step).offeredTicket) return step.endDialog(step.result);
    const state = values(step).state as QuestionsState;
    const question = values(step).question as AskableFact;
    let answer: CustomerFacts;
    if (question === 'phoneOnProduct') {
      const device = await this.check.device(state.serial);
      answer = { phoneOnProduct: device ? this.check.phoneFact(device, String(step.result)) : 'missing' };
    } else {
      const picked = (step.result as FoundChoice).value;
      answer = CHOICE_QUESTIONS[question].choices.find((c) => c.title === picked)?.answer ?? {};
    }
    return step.replaceDialog(QUESTIONS_ID, { serial: state.serial, facts: { ...state.facts, ...answer } } satisfies QuestionsState);
  }
}
