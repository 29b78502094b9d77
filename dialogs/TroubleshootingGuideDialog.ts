import { ComponentDialog, WaterfallDialog, type Dialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { TopicMatcher } from '../src/domain/ports/MessageClassifier.js';
import type { TroubleshootingGuide } from '../src/knowledge/schemas.js';
import { guideStepsView } from './messages.js';
import type { ConversationRecords } from '../src/conversation/ConversationRecords.js';
import { AskOncePrompt, UNCLEAR_REPLY, type ChoicesPromptOptions } from './rendering/ChoicesPrompt.js';
import { HANDOFF_DIALOG_ID, type HandoffOptions } from './HandoffDialog.js';
import { sendView } from './rendering/render.js';
import { RESOLUTION_CHECK_DIALOG_ID, type ResolutionCheckDialog, type ResolutionCheckOptions } from './ResolutionCheckDialog.js';

export const TROUBLESHOOTING_GUIDE_DIALOG_ID = 'troubleshootingGuideDialog';
const WATERFALL_ID = 'troubleshootingGuideDialog.waterfall';
const TOPIC_PROMPT_ID = 'troubleshootingGuideDialog.topic';
const SOMETHING_ELSE = 'Something else';

export interface TroubleshootingGuideOptions {
  /** The customer's description of the problem. */
  text: string;
}

/** Picks the guide for an in-scope problem (or asks which), shows its steps, then checks the result. */
export class TroubleshootingGuideDialog extends ComponentDialog {
  private readonly guides: Map<string, TroubleshootingGuide>;

  constructor(
    guides: readonly TroubleshootingGuide[],
    private readonly topics: TopicMatcher,
    resolutionCheck: ResolutionCheckDialog,
    /** Counts the problems no guide fits as unclear messages: the second in a row brings the offer of a person or a ticket. */
    private readonly records: ConversationRecords,
    handoff: Dialog,
  ) {
    super(TROUBLESHOOTING_GUIDE_DIALOG_ID);
    this.addDialog(resolutionCheck);
    // A child, not only the parent's: botbuilder re-prompts a nested dialog only within its own set.
    this.addDialog(handoff);
    this.guides = new Map(guides.map((g) => [g.id, g]));
    this.addDialog(new AskOncePrompt(TOPIC_PROMPT_ID));
    this.addDialog(new WaterfallDialog(WATERFALL_ID, [this.pickTopicStep.bind(this), this.showGuideStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  private async pickTopicStep(step: WaterfallStepContext) {
    const { text } = step.options as TroubleshootingGuideOptions;
    const match = this.topics.match(text);
    if (match && this.guides.has(match.topicId)) {
      await this.records.resetFailures(step.context, 'unclear');
      return step.next(match.topicId);
    }
    // No guide fits what the customer said: the bot has not understood it yet. The second such
    // message in a row (here or at the clarifying question) brings the offer, never the list again.
    if ((await this.records.countFailure(step.context, 'unclear')) >= 2) return this.offerPerson(step, text);
    const ask: ChoicesPromptOptions = {
      prompt: 'Which of these is closest to your problem?',
      retryPrompt: 'Please pick the closest topic, or "Something else".',
      choices: [...[...this.guides.values()].map((g) => ({ value: g.title })), { value: SOMETHING_ELSE, synonyms: ['other', 'something different'] }],
      answers: { no: SOMETHING_ELSE, cancel: SOMETHING_ELSE },
      // Asked twice without an answer: no guide fits, so the customer is offered a ticket or a person.
      defaultChoice: SOMETHING_ELSE,
    };
    return step.prompt(TOPIC_PROMPT_ID, ask);
  }

  private async showGuideStep(step: WaterfallStepContext) {
    const { text } = step.options as TroubleshootingGuideOptions;
    if (step.result === UNCLEAR_REPLY) {
      if ((await this.records.countFailure(step.context, 'unclear')) >= 2) return this.offerPerson(step, step.context.activity.text ?? text);
      return step.endDialog();
    }
    // A topic picked from the list: understood.
    await this.records.resetFailures(step.context, 'unclear');
    const picked = typeof step.result === 'string' ? step.result : (step.result as FoundChoice).value;
    const guide = this.guides.get(picked) ?? [...this.guides.values()].find((g) => g.title === picked);
    if (!guide) {
      await step.context.sendActivity("I don't have a step-by-step guide for that yet, so the best next step is our support team.");
      return step.beginDialog(RESOLUTION_CHECK_DIALOG_ID, { askFixed: false, summary: text } satisfies ResolutionCheckOptions);
    }
    await sendView(step.context, guideStepsView(guide));
    return step.beginDialog(RESOLUTION_CHECK_DIALOG_ID, { askFixed: true, summary: text, guideTried: guide.id } satisfies ResolutionCheckOptions);
  }

  /** The bot failed to place the problem twice in a row: the handoff dialog offers a person (in staffed hours) or a ticket. */
  private async offerPerson(step: WaterfallStepContext, text: string) {
    return step.replaceDialog(HANDOFF_DIALOG_ID, { reason: 'not_helping', summary: text } satisfies HandoffOptions);
  }
}
