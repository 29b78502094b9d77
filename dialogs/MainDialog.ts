import { ActivityTypes, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  DialogSet,
  DialogTurnStatus,
  TextPrompt,
  WaterfallDialog,
  type DialogContext,
  type DialogState,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { QUEUED_THIS_TURN } from '../src/bot/HandoffCoordinator.js';
import type { InterruptionDetector } from '../src/domain/Interruptions.js';
import { HANDOFF_DIALOG_ID, type HandoffOptions } from './HandoffDialog.js';
import type { PolicyClause } from '../src/knowledge/schemas.js';
import { helpText, policyQuoteText } from './messages.js';
import { TRIAGE_DIALOG_ID, type TriageOptions } from './TriageDialog.js';
import type { AnsweredInLanguage } from './SecondLanguageTriageDialog.js';
import { isSurveyOpen } from './SatisfactionSurveyDialog.js';
import type { ScopeDecision } from '../src/domain/scope.js';
import { isButtonOfOpenPrompt } from './rendering/ChoicesPrompt.js';

export const MAIN_DIALOG_ID = 'mainDialog';
const WATERFALL_ID = 'mainDialog.waterfall';
const DESCRIBE_PROMPT_ID = 'mainDialog.describe';

/** What the main dialog answers itself, before any triage. */
export interface MainDialogAnswers {
  /** The clause the last answer applied, quoted verbatim when the customer asks "why?" or for the policy. */
  appliedClause?: (context: TurnContext) => Promise<PolicyClause | undefined>;
  /**
   * "How do I reach support?", "what's your phone number?": the service promise's contact answer,
   * whatever the classifier makes of the words (it reads them as a troubleshooting or a person request).
   */
  howToReachUs?: (text: string) => string | null;
}

interface MainOptions {
  /** Set when the dialog loops after an answer: ask "anything else?" instead of using the turn's text. */
  askAgain?: boolean;
  /** The "anything else?" in the customer's language, when the last answer was given in it. */
  askAgainPrompt?: string;
}

/**
 * The root of every conversation: take a problem description, triage it, then ask for the next.
 * Global commands (help, cancel, start over, a person) are handled here, before any child dialog.
 */
export class MainDialog extends ComponentDialog {
  constructor(
    private readonly interruptions: InterruptionDetector,
    /** Strong negative sentiment brings in a person at any turn. */
    private readonly sentiment: { isStronglyNegative(text: string): boolean },
    children: ComponentDialog[],
    private readonly answers: MainDialogAnswers = {},
  ) {
    super(MAIN_DIALOG_ID);
    this.addDialog(new TextPrompt(DESCRIBE_PROMPT_ID));
    for (const child of children) this.addDialog(child);
    this.addDialog(new WaterfallDialog(WATERFALL_ID, [this.describeStep.bind(this), this.triageStep.bind(this), this.loopStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  /** Runs the dialog for one turn, starting it if no dialog is active. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const dialogSet = new DialogSet(accessor);
    dialogSet.add(this);
    const dc = await dialogSet.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id);
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: MainOptions): Promise<DialogTurnResult> {
    return (await this.interrupt(innerDc)) ?? super.onBeginDialog(innerDc, options);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    return (await this.interrupt(innerDc)) ?? super.onContinueDialog(innerDc);
  }

  private async interrupt(dc: DialogContext): Promise<DialogTurnResult | undefined> {
    const activity = dc.context.activity;
    if (activity.type !== ActivityTypes.Message) return undefined;
    const kind = this.interruptions.detect(activity.text);
    // Sentiment judges what the customer wrote, never the words of one of the bot's own buttons.
    // Nor a rating's comment while the satisfaction survey waits for it: the survey reads that.
    if (kind === null && activity.text && !isButtonOfOpenPrompt(dc, activity.text) && !isSurveyOpen(dc) && this.sentiment.isStronglyNegative(activity.text)) {
      await dc.cancelAllDialogs();
      return dc.beginDialog(HANDOFF_DIALOG_ID, { reason: 'negative_sentiment', summary: activity.text } satisfies HandoffOptions);
    }
    switch (kind) {
      case 'help':
        await dc.context.sendActivity(helpText());
        if (!dc.activeDialog) return dc.cancelAllDialogs();
        // Keep whatever question was open and ask it again, so the customer can answer it next.
        await dc.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      case 'cancel':
        // "No thanks" pressed on one of the open prompt's own buttons is that prompt's answer, not a global cancel.
        if (activity.text && isButtonOfOpenPrompt(dc, activity.text)) return undefined;
        await dc.context.sendActivity('Cancelled. If you need anything else, just describe it.');
        return dc.cancelAllDialogs();
      case 'startOver':
        await dc.cancelAllDialogs();
        await dc.context.sendActivity("Let's start over. What can I help you with?");
        return { status: DialogTurnStatus.cancelled };
      case 'human':
        await dc.cancelAllDialogs();
        return dc.beginDialog(HANDOFF_DIALOG_ID, { reason: 'asked' } satisfies HandoffOptions);
      case 'policy': {
        // Only right after an answer that applied a clause; otherwise "why?" is the customer's message.
        const clause = await this.answers.appliedClause?.(dc.context);
        if (!clause) return undefined;
        await dc.context.sendActivity(policyQuoteText(clause));
        if (!dc.activeDialog) return dc.cancelAllDialogs();
        // Whatever question was open stays open for the next message.
        return { status: DialogTurnStatus.waiting };
      }
      default:
        return undefined;
    }
  }

  private async describeStep(step: WaterfallStepContext) {
    const options = (step.options ?? {}) as MainOptions;
    const text = step.context.activity.text?.trim();
    if (!options.askAgain && text) return step.next(text);
    return step.prompt(DESCRIBE_PROMPT_ID, {
      prompt: options.askAgain ? (options.askAgainPrompt ?? 'Is there anything else I can help you with?') : 'Please describe the problem in a sentence or two.',
    });
  }

  private async triageStep(step: WaterfallStepContext) {
    const text = typeof step.result === 'string' ? step.result.trim() : '';
    if (!text) {
      await step.context.sendActivity('I can only read text messages. Please describe the problem in words.');
      return step.replaceDialog(WATERFALL_ID, { askAgain: false } satisfies MainOptions);
    }
    const reach = this.answers.howToReachUs?.(text);
    if (reach) {
      await step.context.sendActivity({ text: reach, textFormat: 'markdown' });
      return step.next();
    }
    return step.beginDialog(TRIAGE_DIALOG_ID, { text } satisfies TriageOptions);
  }

  private async loopStep(step: WaterfallStepContext) {
    // Queued for a person this turn: the queue message was the answer. No "anything else?", whose
    // reply would go to the queue; the next message is relayed (and acknowledged) instead.
    if (step.context.turnState.get(QUEUED_THIS_TURN)) return step.endDialog();
    // A greeting or small talk was answered with an invitation to describe the problem: no "anything
    // else?" after "Hello! Tell me what is happening"; the next message starts a fresh round.
    if ((step.result as Partial<ScopeDecision> | undefined)?.scope === 'off_topic') return step.endDialog();
    const inLanguage = (step.result as Partial<AnsweredInLanguage> | undefined)?.anythingElse;
    return step.replaceDialog(WATERFALL_ID, { askAgain: true, ...(typeof inLanguage === 'string' ? { askAgainPrompt: inLanguage } : {}) } satisfies MainOptions);
  }
}
