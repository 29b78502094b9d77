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

export interface HandoffOptions {
  reason: HandoffReason;
  summary?: string;
  warranty?: WarrantySummary;
}

/** Brings in a person; outside staffed hours, offers a ticket instead. */
export class HandoffDialog extends ComponentDialog {
  constructor(
    private readonly coordinator: HandoffCoordinator,
    ticketDialog: TicketDialog,
  ) {
    super(HANDOFF_DIALOG_ID);
    this.addDialog(ticketDialog);
    this.addDialog(new ChoicesPrompt(CHOICE_PROMPT_ID));
    this.addDialog(new WaterfallDialog(WATERFALL_ID, [this.requestStep.bind(this), this.ticketStep.bind(this), this.doneStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  private async requestStep(step: WaterfallStepContext) {
    const options = step.options as HandoffOptions;
    const outcome = await this.coordinator.start(step.context, options.reason, { ...(options.summary ? { summary: options.summary } : {}), ...(options.warranty ? { warranty: options.warranty } : {}) });
    if (outcome !== 'closed_hours') return step.endDialog({ outcome });
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
    if ((step.result as FoundChoice).value !== YES) {
      await step.context.sendActivity('All right. You can ask for a person again during staffed hours, or describe the problem to me.');
      return step.endDialog();
    }
    return step.beginDialog(TICKET_DIALOG_ID, { ...(options.summary ? { summary: options.summary } : {}), ...(options.warranty ? { warranty: options.warranty } : {}) } satisfies TicketOptions);
  }

  private async doneStep(step: WaterfallStepContext) {
    return step.endDialog(step.result);
  }
}
