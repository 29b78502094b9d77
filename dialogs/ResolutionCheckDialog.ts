import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ConversationRecords } from '../src/conversation/ConversationRecords.js';
import type { WarrantySummary } from '../src/domain/SupportRequest.js';
import { ChoicesPrompt, type ChoicesPromptOptions } from './rendering/ChoicesPrompt.js';
import { HANDOFF_DIALOG_ID, type HandoffDialog, type HandoffOptions } from './HandoffDialog.js';
import { SATISFACTION_SURVEY_DIALOG_ID, type SatisfactionSurveyDialog, type SatisfactionSurveyOptions } from './SatisfactionSurveyDialog.js';
import { TICKET_DIALOG_ID, type TicketDialog, type TicketOptions } from './TicketDialog.js';

export const RESOLUTION_CHECK_DIALOG_ID = 'resolutionCheckDialog';
const WATERFALL_ID = 'resolutionCheckDialog.waterfall';
const CHOICE_PROMPT_ID = 'resolutionCheckDialog.choice';

export interface ResolutionCheckOptions {
  /** Ask "did that fix it?" first; false goes straight to the ticket / person offer. */
  askFixed: boolean;
  summary?: string;
  guideTried?: string;
  warranty?: WarrantySummary;
  /** The question that offers a ticket or a person, when the default ("Sorry that didn't solve it…") does not fit. */
  offer?: string;
}

const YES = 'Yes, fixed';
const NO = 'No, still broken';
const TICKET = 'Open a ticket';
const PERSON = 'Talk to a person';
const NO_THANKS = 'No thanks';

/** "Did that fix it?" and, if not, a ticket or a person. Shared by the guides and the network check. */
export class ResolutionCheckDialog extends ComponentDialog {
  constructor(
    private readonly records: ConversationRecords,
    ticketDialog: TicketDialog,
    handoffDialog: HandoffDialog,
    /** The satisfaction survey after "fixed"; without it, none is asked. */
    private readonly surveyDialog?: SatisfactionSurveyDialog,
  ) {
    super(RESOLUTION_CHECK_DIALOG_ID);
    this.addDialog(ticketDialog);
    this.addDialog(handoffDialog);
    if (surveyDialog) this.addDialog(surveyDialog);
    this.addDialog(new ChoicesPrompt(CHOICE_PROMPT_ID));
    this.addDialog(new WaterfallDialog(WATERFALL_ID, [this.askFixedStep.bind(this), this.offerHelpStep.bind(this), this.actStep.bind(this), this.doneStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  private options(step: WaterfallStepContext): ResolutionCheckOptions {
    return step.options as ResolutionCheckOptions;
  }

  private async askFixedStep(step: WaterfallStepContext) {
    const { guideTried } = this.options(step);
    // Shown just before this check: the request's topic in Insights (a network check counts as needs_diagnosis, from its triage).
    if (guideTried && !guideTried.startsWith('network-check:')) await this.records.guideShown(step.context, guideTried);
    if (!this.options(step).askFixed) return step.next(undefined);
    const ask: ChoicesPromptOptions = {
      prompt: 'Did that fix it?',
      retryPrompt: 'Please choose one: did that fix it?',
      choices: [
        { value: YES, synonyms: ['fixed', 'it works', 'works now', 'working', 'working now', 'solved', 'sorted', 'resolved', 'all good', 'good now', 'that did it', 'that fixed it'] },
        { value: NO, synonyms: ['not fixed', 'not working', 'still not working', 'still broken', 'broken', "didn't work", "doesn't work", "didn't help", 'no luck', 'same problem', 'still the same'] },
      ],
      answers: { yes: YES, no: NO },
      // Asked twice without an answer: not fixed, so the customer is offered a ticket or a person.
      defaultChoice: NO,
    };
    return step.prompt(CHOICE_PROMPT_ID, ask);
  }

  private async offerHelpStep(step: WaterfallStepContext) {
    const answer = step.result as FoundChoice | undefined;
    if (answer?.value === YES) {
      await this.records.resolvedByBot(step.context, this.options(step).guideTried);
      await this.records.resetFailures(step.context);
      await step.context.sendActivity("Great, glad it's working again!");
      if (!this.surveyDialog) return step.endDialog({ fixed: true });
      (step.values as { fixed?: boolean }).fixed = true;
      return step.beginDialog(SATISFACTION_SURVEY_DIALOG_ID, { after: 'guide_fixed' } satisfies SatisfactionSurveyOptions);
    }
    const { summary, warranty } = this.options(step);
    // The second time the bot has not managed to help, a person takes over without being asked.
    if (answer?.value === NO && (await this.records.countFailure(step.context)) >= 2) {
      (step.values as { handedOff?: boolean }).handedOff = true;
      return step.beginDialog(HANDOFF_DIALOG_ID, { reason: 'not_helping', ...(summary ? { summary } : {}), ...(warranty ? { warranty } : {}) } satisfies HandoffOptions);
    }
    const offer: ChoicesPromptOptions = {
      prompt: this.options(step).offer ?? "Sorry that didn't solve it. Would you like me to open a ticket for our support team, or talk to a person now?",
      retryPrompt: 'Please choose: open a ticket, talk to a person, or no thanks.',
      choices: [
        { value: TICKET, synonyms: ['ticket', 'a ticket', 'open one', 'case'] },
        { value: PERSON, synonyms: ['person', 'a person', 'human', 'agent', 'someone'] },
        { value: NO_THANKS, synonyms: ['nothing', "i'm fine", "i'm good", 'all good'] },
      ],
      // A ticket is what "yes" most often means here: it is offered first, and needs nobody free now.
      answers: { yes: TICKET, no: NO_THANKS, later: NO_THANKS, cancel: NO_THANKS },
    };
    return step.prompt(CHOICE_PROMPT_ID, offer);
  }

  private async actStep(step: WaterfallStepContext) {
    if ((step.values as { handedOff?: boolean }).handedOff) return step.endDialog({ fixed: false });
    // Back from the survey after "fixed".
    if ((step.values as { fixed?: boolean }).fixed) return step.endDialog({ fixed: true });
    const choice = (step.result as FoundChoice).value;
    const { summary, guideTried, warranty } = this.options(step);
    if (choice === TICKET) {
      return step.beginDialog(TICKET_DIALOG_ID, { ...(summary ? { summary } : {}), ...(guideTried ? { guideTried } : {}), ...(warranty ? { warranty } : {}) } satisfies TicketOptions);
    }
    if (choice === PERSON) {
      return step.beginDialog(HANDOFF_DIALOG_ID, { reason: 'asked', ...(summary ? { summary } : {}), ...(warranty ? { warranty } : {}) } satisfies HandoffOptions);
    }
    // The main dialog asks "anything else?" next: saying it here too would say it twice.
    await step.context.sendActivity('All right.');
    return step.endDialog({ fixed: false });
  }

  private async doneStep(step: WaterfallStepContext) {
    return step.endDialog({ fixed: false });
  }
}
