import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { ComponentDialog, Dialog, DialogReason, WaterfallDialog, type DialogContext, type DialogInstance, type WaterfallStepContext } from 'botbuilder-dialogs';
import { conversationKey } from '../src/bot/HandoffCoordinator.js';
import type { CsatMoment } from '../src/domain/insights/ConversationOutcomes.js';
import { ratingFromText, SURVEY_QUESTION, type SatisfactionSurvey, type SurveyAnswerResult } from '../src/domain/insights/SatisfactionSurvey.js';
import { startAgainWithThisMessage } from './rendering/ChoicesPrompt.js';
import { surveyActivities, surveySubmitOf } from './rendering/surveyCard.js';

export const SATISFACTION_SURVEY_DIALOG_ID = 'satisfactionSurveyDialog';
const WATERFALL_ID = 'satisfactionSurveyDialog.waterfall';

export interface SatisfactionSurveyOptions {
  after: CsatMoment;
}

/** What the steps keep between the ask and the answer. */
interface SurveyValues {
  surveyId?: string;
}

/** The survey service as the dialog and the answer handler use it. */
export type SurveyDesk = Pick<SatisfactionSurvey, 'ask' | 'answer' | 'pending'>;

/**
 * Conversation state: the survey this dialog is waiting on, so the bot's answer handler
 * (src/bot/SurveyAnswers.ts) leaves its answer to the dialog. Cleared whenever the dialog ends,
 * cancelled or not.
 */
export type SurveyAskingAccessor = StatePropertyAccessor<string | undefined>;

/** A reply of this many words or more that is no rating is the customer moving on: it is triaged. */
const NEW_PROBLEM_MIN_WORDS = 3;

/**
 * The in-conversation survey (after a guide fixed the problem): the channel's rating card, then
 * the answer: a button, a typed "4" / "4/5" / "great", with an optional comment. A reply that is no
 * rating ends the survey unanswered: a short one ("no thanks") quietly, a longer one is a new
 * problem and is triaged. Nothing is asked when the conversation was surveyed before or a person
 * is being waited for.
 */
export class SatisfactionSurveyDialog extends ComponentDialog {
  constructor(
    private readonly survey: SurveyDesk,
    private readonly asking: SurveyAskingAccessor,
  ) {
    super(SATISFACTION_SURVEY_DIALOG_ID);
    this.addDialog(new WaterfallDialog<SatisfactionSurveyOptions>(WATERFALL_ID, [this.askStep.bind(this), this.answerStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  private async askStep(step: WaterfallStepContext<SatisfactionSurveyOptions>) {
    const { after } = step.options;
    const activity = step.context.activity;
    const asked = await this.survey.ask({ conversationKey: conversationKey(activity), channel: activity.channelId, after });
    if (typeof asked === 'string') return step.endDialog();
    (step.values as SurveyValues).surveyId = asked.id;
    await this.asking.set(step.context, asked.id);
    await step.context.sendActivities(surveyActivities(activity.channelId, { surveyId: asked.id }, SURVEY_QUESTION));
    return Dialog.EndOfTurn;
  }

  private async answerStep(step: WaterfallStepContext<SatisfactionSurveyOptions>) {
    const activity = step.context.activity;
    const submitted = surveySubmitOf(activity);
    const typed = submitted ? null : ratingFromText(activity.text ?? '');
    const surveyId = submitted?.surveyId ?? (step.values as SurveyValues).surveyId;
    const answer = submitted ?? typed;
    if (answer && surveyId) {
      const result = await this.survey.answer({ conversationKey: conversationKey(activity), surveyId, rating: answer.rating, ...(answer.comment ? { comment: answer.comment } : {}) });
      await step.context.sendActivity(surveyReply(result, Boolean(answer.comment)));
      return step.endDialog();
    }
    const text = activity.text?.trim() ?? '';
    if (text.split(/\s+/).length >= NEW_PROBLEM_MIN_WORDS) return startAgainWithThisMessage(step);
    await step.context.sendActivity('No problem.');
    return step.endDialog();
  }

  protected override async onEndDialog(context: TurnContext, instance: DialogInstance, reason: DialogReason): Promise<void> {
    await this.asking.delete(context);
    return super.onEndDialog(context, instance, reason);
  }
}

/** What the customer hears after answering: thanks, and whether it counted. */
export function surveyReply(result: SurveyAnswerResult, withComment: boolean): string {
  switch (result.kind) {
    case 'recorded': {
      const thanks = withComment ? 'Thank you for your rating and your comment' : 'Thank you for your rating';
      return result.rating >= 4 ? `${thanks}!` : `${thanks}. We'll use it to do better.`;
    }
    case 'already_answered':
      return 'Thanks, we already have your rating for this conversation.';
    case 'expired':
      return "Thanks! That survey has closed, so I haven't counted this rating.";
    case 'unknown':
      return "Thanks! That survey isn't open in this conversation, so I haven't counted this rating.";
  }
}

/**
 * True while the survey waits for its answer in this conversation: what the customer writes then
 * is a rating and its comment ("1 - useless, took ages"), judged by the survey, not by the
 * sentiment check that would bring in a person before the rating is read.
 */
export function isSurveyOpen(dc: DialogContext): boolean {
  for (let inner: DialogContext | undefined = dc; inner; inner = inner.child) {
    if (inner.activeDialog?.id === SATISFACTION_SURVEY_DIALOG_ID) return true;
  }
  return false;
}
