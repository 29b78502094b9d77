import { ActivityTypes, type TurnContext } from 'botbuilder';
import { surveyReply, type SurveyAskingAccessor, type SurveyDesk } from '../../dialogs/SatisfactionSurveyDialog.js';
import { surveySubmitOf } from '../../dialogs/rendering/surveyCard.js';
import type { ConversationRecords } from '../conversation/ConversationRecords.js';
import { ratingFromText } from '../domain/insights/SatisfactionSurvey.js';
import { conversationKey } from './HandoffCoordinator.js';

/**
 * Survey answers that arrive when no survey dialog waits for them, before anything triages the
 * message: the buttons of a survey sent after a handoff closed or a ticket was resolved (a
 * proactive message: no dialog asked it), an old card clicked again, another conversation's card.
 * A typed rating ("4", "4/5", "great") answers the conversation's open survey only as the first
 * message after it was asked, so a "2" typed later for a question is never taken for a rating.
 *
 * Returns true when the message was a survey answer (handled: the customer was thanked).
 */
export class SurveyAnswers {
  constructor(
    private readonly survey: SurveyDesk,
    private readonly asking: SurveyAskingAccessor,
    private readonly records: ConversationRecords,
  ) {}

  async handle(context: TurnContext): Promise<boolean> {
    const activity = context.activity;
    if (activity.type !== ActivityTypes.Message) return false;
    // The survey dialog is waiting: the answer is its to take.
    if (await this.asking.get(context)) return false;
    const key = conversationKey(activity);
    const submitted = surveySubmitOf(activity);
    if (submitted) {
      const result = await this.survey.answer({ conversationKey: key, ...submitted });
      await context.sendActivity(surveyReply(result, Boolean(submitted.comment)));
      return true;
    }
    const typed = ratingFromText(activity.text ?? '');
    if (!typed) return false;
    const open = await this.survey.pending(key);
    if (!open || !(await this.firstMessageSince(context, open.askedAt))) return false;
    const result = await this.survey.answer({ conversationKey: key, surveyId: open.id, rating: typed.rating, ...(typed.comment ? { comment: typed.comment } : {}) });
    await context.sendActivity(surveyReply(result, Boolean(typed.comment)));
    return true;
  }

  /** Whether this message is the customer's first since `at` (the transcript already holds it). */
  private async firstMessageSince(context: TurnContext, at: string): Promise<boolean> {
    const since = Date.parse(at);
    const lines = (await this.records.get(context)).transcript ?? [];
    return lines.filter((l) => l.from === 'customer' && Date.parse(l.at) > since).length <= 1;
  }
}
