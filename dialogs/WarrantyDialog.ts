import { ActivityTypes } from 'botbuilder';
import {
  ChoiceFactory,
  ComponentDialog,
  TextPrompt,
  WaterfallDialog,
  type Choice,
  type DialogContext,
  type DialogTurnResult,
  type FoundChoice,
  type PromptOptions,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { ConversationRecords } from '../src/conversation/ConversationRecords.js';
import type { WarrantyCheckResult } from '../src/domain/tickets/Ticket.js';
import { normaliseAnswer, type AnswerReader } from '../src/domain/warranty/AnswerReader.js';
import type { AskableFact, CustomerFacts, CustomerWords, WarrantyAnswer, WarrantyCheck } from '../src/domain/warranty/WarrantyCheck.js';
import { UNKNOWN } from '../src/domain/warranty/WarrantyEngine.js';
import type { DamageKind } from '../src/domain/warranty/WarrantyPolicy.js';
import { ChoicesPrompt, type ChoicesPromptOptions } from './rendering/ChoicesPrompt.js';
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
/** The button on every exclusion question, and what any admission of not knowing is read as. */
export const UNSURE = "I'm not sure";
/** Kept with a point to verify: enough for staff to read ("it's on the ceiling"), not a transcript. */
const MAX_WORDS = 200;

export interface WarrantyOptions {
  /** The customer's message: a serial in it is used at once. */
  text?: string;
}

interface IdentifyState {
  text?: string;
  attempts: number;
  /** The serial as last typed, for the "couldn't find" messages and the ticket. */
  typed?: string;
  /** `text` answers our serial question (rather than being the message that started the check). */
  replied?: boolean;
}

interface QuestionsState {
  serial: string;
  facts: CustomerFacts;
  /** What the customer wrote when they could not tell, for the points staff verify. */
  words?: CustomerWords;
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
      { title: 'Dropped, knocked or scratched', synonyms: ['dropped', 'drop', 'fell', 'impact', 'scratch', 'dent'], answer: { damage: ['drop', 'impact'] } },
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
  offeredTicket?: boolean;
  answered?: boolean;
  question?: AskableFact;
}
const values = (step: WaterfallStepContext) => step.values as StepValues;

/**
 * The result a ticket, RMA or person receives. A conditional answer travels as `conditional` with
 * its points to verify: covered if they check out, and never a verdict against the customer.
 */
function summaryOf(a: WarrantyAnswer, toVerify: string[]): WarrantyCheckResult {
  return {
    serial: a.device.serial,
    model: a.device.model,
    category: a.device.category,
    status: a.decision.status,
    coveredUntil: a.decision.coveredUntil,
    reasons: a.decision.reasons,
    chargeable: a.decision.chargeable,
    ...(toVerify.length > 0 ? { toVerify } : {}),
  };
}

const found = (value: string, index: number, score: number): FoundChoice => ({ value, index, score });

/**
 * A warranty question with buttons, every one with "I'm not sure". An answer that admits not
 * knowing ("no idea", "I can't reach it, it's on the ceiling") is read as unknown before the
 * generic reply rules, which would find the "no" in "no idea" or take a long answer for a new
 * problem. With `freeText` (the phone number) any other reply is the answer itself.
 */
class WarrantyQuestionPrompt extends ChoicesPrompt {
  constructor(
    id: string,
    private readonly reader: AnswerReader,
    private readonly freeText = false,
  ) {
    super(id);
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const { activity } = dc.context;
    if (activity.type !== ActivityTypes.Message) return super.continueDialog(dc);
    const text = activity.text ?? '';
    const said = normaliseAnswer(text);
    const options = (dc.activeDialog?.state as { options?: PromptOptions } | undefined)?.options;
    const choices = ChoiceFactory.toChoices(options?.choices ?? []);
    const exact = said === '' ? -1 : choices.findIndex((c) => [c.value, c.action?.title ?? '', ...(c.synonyms ?? [])].some((w) => normaliseAnswer(w) === said));
    if (exact >= 0) return dc.endDialog(found(choices[exact]?.value ?? '', exact, 1));
    if (this.reader.isUnknown(text)) return dc.endDialog(found(UNSURE, -1, 1));
    if (this.freeText && said !== '') return dc.endDialog(found(text, -1, 0));
    return super.continueDialog(dc);
  }
}

/**
 * "Is my camera still under warranty?": find the device by its exact serial (a near miss is asked
 * again, showing nothing of the registry; a ticket is the way out), ask only the exclusion
 * questions that can still change the answer, then answer with the status, the reasons citing the
 * policy, and what is free or charged. An answer the customer cannot give leaves it conditional.
 */
export class WarrantyDialog extends ComponentDialog {
  constructor(
    private readonly check: WarrantyCheck,
    private readonly records: ConversationRecords,
    resolutionCheck: ResolutionCheckDialog,
    /** Reads the answers to the questions (knowledge/warranty/answers/phrases.json, loaded with the knowledge). */
    private readonly reader: AnswerReader,
  ) {
    super(WARRANTY_DIALOG_ID);
    this.addDialog(resolutionCheck);
    this.addDialog(new TextPrompt(SERIAL_PROMPT_ID));
    this.addDialog(new WarrantyQuestionPrompt(PHONE_PROMPT_ID, reader, true));
    this.addDialog(new WarrantyQuestionPrompt(CHOICE_PROMPT_ID, reader));
    this.addDialog(new WaterfallDialog(IDENTIFY_ID, [this.identifyStep.bind(this), this.afterIdentifyStep.bind(this)]));
    this.addDialog(new WaterfallDialog(QUESTIONS_ID, [this.askStep.bind(this), this.afterAskStep.bind(this)]));
    this.initialDialogId = IDENTIFY_ID;
  }

  private async identifyStep(step: WaterfallStepContext) {
    const state: IdentifyState = { attempts: 0, ...(step.options as Partial<IdentifyState>) };
    values(step).state = state;
    // A serial was already not found: the next prompt must not repeat the same sentence.
    const missedBefore = state.replied === true && state.typed !== undefined;
    let missedAgain = false;
    let typed = state.typed;
    if (state.text) {
      const lookup = await this.check.find(state.text);
      if (lookup.kind === 'found') {
        const d = lookup.device;
        await step.context.sendActivity(`Found it: ${d.model}, serial ${d.serial}, delivered on ${d.deliveredOn}.`);
        return step.replaceDialog(QUESTIONS_ID, { serial: d.serial, facts: {} } satisfies QuestionsState);
      }
      // The same words whether or not a registered serial is close: a near miss must not tell
      // anyone that another customer's serial is one digit away, let alone show it.
      if (lookup.kind === 'unknown') {
        typed = lookup.candidate.text;
        state.typed = typed;
        missedAgain = missedBefore;
      } else if (state.replied && this.reader.isUnknown(state.text)) {
        return this.offerTicket(step, typed, 'no_serial');
      }
    }
    if (state.attempts >= MAX_SERIAL_ATTEMPTS) return this.offerTicket(step, typed, 'not_found');
    const prompt =
      typed === undefined
        ? 'I can check that. What is the serial number of the device? It is on the label on the back or underside, after "S/N".'
        : missedAgain
          ? `${typed} isn't in our registry either. One more try: some labels carry two numbers, so take the one after "S/N" and type it exactly as printed (B/8, S/5 and Z/2 are easy to mix up).`
          : missedBefore
            ? `I didn't see a serial number in that. Please type the serial from the label, after "S/N" (the last one I tried, ${typed}, isn't in our registry).`
            : `I couldn't find serial ${typed} in our registry. Please compare it with the label character by character and type the serial again, exactly as printed. Capitals, blanks, dashes, O/0 and I/1 don't matter; B/8, S/5 and Z/2 do.`;
    return step.prompt(SERIAL_PROMPT_ID, { prompt });
  }

  private async afterIdentifyStep(step: WaterfallStepContext) {
    const state = values(step).state as IdentifyState;
    if (values(step).offeredTicket) return step.endDialog(step.result);
    return step.replaceDialog(IDENTIFY_ID, {
      text: String(step.result),
      attempts: state.attempts + 1,
      replied: true,
      ...(state.typed ? { typed: state.typed } : {}),
    } satisfies IdentifyState);
  }

  /** The way out when the device cannot be identified here: a ticket our team checks by hand. */
  private async offerTicket(step: WaterfallStepContext, typed: string | undefined, why: 'not_found' | 'no_serial') {
    values(step).offeredTicket = true;
    const opening =
      why === 'no_serial'
        ? "That's all right: without the serial I can't check the warranty here, but our team can check it by hand."
        : `${typed ? `Serial ${typed} isn't in our registry either` : "That device isn't in our registry"}, so I can't check its warranty here. Our team can check it by hand.`;
    await step.context.sendActivity(
      `${opening} Open a ticket and have ready the model, the serial number if you can get to it, where and when you bought it, and a photo of the warranty card.`,
    );
    return step.beginDialog(RESOLUTION_CHECK_DIALOG_ID, {
      askFixed: false,
      offer: 'Would you like me to open a ticket for a warranty check, or talk to a person?',
      summary: why === 'no_serial' ? 'Warranty check: the customer cannot read the serial number' : `Warranty check: serial ${typed ?? '(not given)'} is not in the device registry`,
    } satisfies ResolutionCheckOptions);
  }

  private async askStep(step: WaterfallStepContext) {
    const state = step.options as QuestionsState;
    values(step).state = state;
    const device = await this.check.device(state.serial);
    if (!device) return this.offerTicket(step, state.serial, 'not_found');
    const question = this.check.nextQuestion(device, state.facts);
    if (question === null) {
      const answer = this.check.answer(device, state.facts);
      const toVerify = this.check.pointsToVerify(answer, state.words);
      const summary = summaryOf(answer, toVerify);
      await sendView(step.context, warrantyAnswerView(answer));
      await this.records.rememberWarranty(step.context, summary);
      values(step).answered = true;
      const { status } = answer.decision;
      return step.beginDialog(RESOLUTION_CHECK_DIALOG_ID, {
        askFixed: false,
        offer:
          status === 'covered'
            ? 'Would you like me to open a repair ticket (RMA) now, or talk to a person?'
            : status === 'conditional'
              ? 'Would you like me to open a repair ticket (RMA) now, with those points for our staff to check, or talk to a person?'
              : 'Would you like a ticket for a repair quote or a maintenance contract, or to talk to a person?',
        summary:
          status === 'conditional'
            ? `Warranty check for ${device.model} ${device.serial}: covered if staff confirm: ${answer.conditions.map((c) => c.coveredIf).join('; ')}`
            : `Warranty check for ${device.model} ${device.serial}: ${status}`,
        warranty: summary,
      } satisfies ResolutionCheckOptions);
    }
    values(step).question = question;
    if (question === 'phoneOnProduct') {
      const phone: ChoicesPromptOptions = {
        prompt: 'What phone number is written on the sticker on the device? (Type "none" if there is none.)',
        choices: [{ value: UNSURE }],
        defaultChoice: UNSURE,
      };
      return step.prompt(PHONE_PROMPT_ID, phone);
    }
    const q = CHOICE_QUESTIONS[question];
    const options: ChoicesPromptOptions = {
      prompt: q.prompt,
      retryPrompt: `Please choose one of the buttons, or "${UNSURE}". ${q.prompt}`,
      choices: [...q.choices.map((c): Choice => ({ value: c.title, synonyms: c.synonyms })), { value: UNSURE }],
      // Asked twice without an answer we can read: that is not knowing, never a "no".
      defaultChoice: UNSURE,
    };
    return step.prompt(CHOICE_PROMPT_ID, options);
  }

  private async afterAskStep(step: WaterfallStepContext) {
    if (values(step).answered || values(step).offeredTicket) return step.endDialog(step.result);
    const state = values(step).state as QuestionsState;
    const question = values(step).question as AskableFact;
    const picked = (step.result as FoundChoice).value;
    const said = (step.context.activity.text ?? '').trim();
    let answer: CustomerFacts = {};
    let words = state.words ?? {};
    if (picked === UNSURE) {
      answer[question] = UNKNOWN;
      // The button's own words tell staff nothing; what the customer typed might ("it's on the ceiling").
      if (said !== '' && normaliseAnswer(said) !== normaliseAnswer(UNSURE)) words = { ...words, [question]: said.slice(0, MAX_WORDS) };
    } else if (question === 'phoneOnProduct') {
      const device = await this.check.device(state.serial);
      const fact = device ? this.check.phoneFact(device, said) : UNKNOWN;
      // Only a plain "there is no number" counts as missing; text we cannot read stays unknown.
      answer = { phoneOnProduct: fact === UNKNOWN && this.reader.saysNoNumber(said) ? 'missing' : fact };
      if (answer.phoneOnProduct === UNKNOWN) words = { ...words, phoneOnProduct: said.slice(0, MAX_WORDS) };
    } else {
      answer = CHOICE_QUESTIONS[question].choices.find((c) => c.title === picked)?.answer ?? {};
    }
    return step.replaceDialog(QUESTIONS_ID, { serial: state.serial, facts: { ...state.facts, ...answer }, words } satisfies QuestionsState);
  }
}
