import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { HandoffCoordinator } from '../src/bot/HandoffCoordinator.js';
import type { HandoffReason } from '../src/domain/handoff/Handoff.js';
import type { WarrantySummary } from '../src/domain/SupportRequest.js';
import { ChoicesPrompt, type ChoicesPromptOptions } from './rendering/ChoicesPrompt.js';
import { TICKET_DIALOG_ID, type TicketDialog, type TicketOptions } from './TicketDialog.js';

export const HANDOFF_DIALOG_ID = 'handoffDialog';
const WATERFALL_ID = 'handoffDialog.waterfall';
const CHOICE_PROMPT_ID = 'handoffDialog.choice';
const YES = 'Open a ticket';
const NO = 'No thanks';
const OFFER_PROMPT_ID = 'handoffDialog.offer';
const PERSON = 'Talk to a person';
const TICKET = 'Open a ticket';
const STAY = 'No, keep trying';

export interface HandoffOptions {
  reason: HandoffReason;
  summary?: string;
  warranty?: WarrantySummary;
}

/**
 * Brings in a person; outside staffed hours, offers a ticket instead. When the bot has failed to help
 * twice in a row (reason `not_helping`) nobody is queued unasked: the customer is offered a person or
 * a ticket first, and may decline and carry on with the bot.
 */
export class HandoffDialog extends ComponentDialog {
  constructor(
    private readonly coordinator: HandoffCoordinator,
    ticketDialog: TicketDialog,
  ) {
    super(HANDOFF_DIALOG_ID);
    this.addDialog(ticketDialog);
    this.addDialog(new ChoicesPrompt(CHOICE_PROMPT_ID));
    this.addDialog(new ChoicesPrompt(OFFER_PROMPT_ID));
    this.addDialog(new WaterfallDialog(WATERFALL_ID, [this.offerStep.bind(this), this.requestStep.bind(this), this.ticketStep.bind(this), this.doneStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  /** The bot failed to help twice in a row: offer a person or a ticket, never queue unasked. */
  private async offerStep(step: WaterfallStepContext) {
    const options = step.options as HandoffOptions;
    if (options.reason !== 'not_helping') return step.next({ value: PERSON, index: 0, score: 1 } satisfies FoundChoice);
    await this.coordinator.resetFailures(step.context);
    // Nobody can join now (outside staffed hours, or every agent away): a ticket is what can be offered.
    if (!(await this.coordinator.personCanJoin())) {
      const ticketOnly: ChoicesPromptOptions = {
        prompt: `I'm sorry, I haven't managed to help with this. Nobody from our chat team can join right now (they work ${this.coordinator.staffedHours}). Shall I open a ticket so they pick it up first?`,
        retryPrompt: 'Please choose: open a ticket, or keep trying with me.',
        choices: [
          { value: TICKET, synonyms: ['ticket', 'a ticket', 'yes please'] },
          { value: STAY, synonyms: ['no thanks', 'keep trying', 'continue'] },
        ],
        answers: { yes: TICKET, no: STAY, later: STAY, cancel: STAY },
        defaultChoice: STAY,
      };
      return step.prompt(OFFER_PROMPT_ID, ticketOnly);
    }
    const offer: ChoicesPromptOptions = {
      prompt: "I'm sorry, I haven't managed to help with this. Would you like me to bring in a person from our support team, or open a ticket for them?",
      retryPrompt: 'Please choose: talk to a person, open a ticket, or keep trying with me.',
      choices: [
        { value: PERSON, synonyms: ['person', 'a person', 'human', 'agent', 'someone', 'yes please'] },
        { value: TICKET, synonyms: ['ticket', 'a ticket'] },
        { value: STAY, synonyms: ['no thanks', 'keep trying', 'continue'] },
      ],
      // Asked twice without an answer: nobody is queued unasked, the bot carries on.
      answers: { yes: PERSON, no: STAY, later: STAY, cancel: STAY },
      defaultChoice: STAY,
    };
    return step.prompt(OFFER_PROMPT_ID, offer);
  }

  private async requestStep(step: WaterfallStepContext) {
    const options = step.options as HandoffOptions;
    const accepted = (step.result as FoundChoice | undefined)?.value;
    if (accepted === TICKET) {
      (step.values as { ticket?: boolean }).ticket = true;
      return step.beginDialog(TICKET_DIALOG_ID, { ...(options.summary ? { summary: options.summary } : {}), ...(options.warranty ? { warranty: options.warranty } : {}) } satisfies TicketOptions);
    }
    if (accepted === STAY) {
      await step.context.sendActivity("All right, let's keep trying. Please describe the problem in other words (what you see, and on which device), or say \"talk to a person\" at any time.");
      return step.endDialog({ outcome: 'declined' });
    }
    const outcome = await this.coordinator.start(step.context, options.reason, { ...(options.summary ? { summary: options.summary } : {}), ...(options.warranty ? { warranty: options.warranty } : {}) });
    // Outside staffed hours, or nobody available: a ticket is offered instead.
    if (outcome !== 'closed_hours' && outcome !== 'nobody_available') return step.endDialog({ outcome });
    (step.values as { nobodyAvailable?: boolean }).nobodyAvailable = outcome === 'nobody_available';
    const offer: ChoicesPromptOptions = {
      prompt: 'Shall I open a ticket?',
      retryPrompt: 'Please choose: open a ticket, or no thanks.',
      choices: [{ value: YES, synonyms: ['ticket', 'a ticket', 'ok', 'okay'] }, { value: NO }],
      answers: { yes: YES, no: NO, later: NO, cancel: NO },
    };
    return step.prompt(CHOICE_PROMPT_ID, offer);
  }

  private async ticketStep(step: WaterfallStepContext) {
    const options = step.options as HandoffOptions;
    if ((step.values as { ticket?: boolean }).ticket) return step.endDialog(step.result);
    if ((step.result as FoundChoice).value !== YES) {
      // In staffed hours with every agent away, "during staffed hours" would be now: say when it helps to ask again.
      await step.context.sendActivity(
        (step.values as { nobodyAvailable?: boolean }).nobodyAvailable
          ? 'All right. You can ask for a person again a little later, or describe the problem to me.'
          : 'All right. You can ask for a person again during staffed hours, or describe the problem to me.',
      );
      return step.endDialog();
    }
    return step.beginDialog(TICKET_DIALOG_ID, { ...(options.summary ? { summary: options.summary } : {}), ...(options.warranty ? { warranty: options.warranty } : {}) } satisfies TicketOptions);
  }

  private async doneStep(step: WaterfallStepContext) {
    return step.endDialog(step.result);
  }
}
