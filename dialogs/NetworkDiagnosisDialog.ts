import { ComponentDialog, WaterfallDialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { NetworkDiagnosis, PolicyClause } from '../src/knowledge/schemas.js';
import type { ConversationRecords } from '../src/conversation/ConversationRecords.js';
import { policyQuote } from './messages.js';
import { ChoicesPrompt, type ChoicesPromptOptions } from './rendering/ChoicesPrompt.js';
import { sendView } from './rendering/render.js';
import { RESOLUTION_CHECK_DIALOG_ID, type ResolutionCheckDialog, type ResolutionCheckOptions } from './ResolutionCheckDialog.js';

export const NETWORK_DIAGNOSIS_DIALOG_ID = 'networkDiagnosisDialog';
const WATERFALL_ID = 'networkDiagnosisDialog.waterfall';
const CHECK_PROMPT_ID = 'networkDiagnosisDialog.check';
const PASSES = 'Yes';
const FAILS = 'No';

export interface NetworkDiagnosisOptions {
  text: string;
  /** Index of the check to ask next; the dialog replaces itself to walk the list. */
  checkIndex?: number;
}

/**
 * The policy's test for network symptoms: support covers them until the recorder is shown to
 * route TCP/IP properly. A failed check is ours (fix it and check the result); passing every check
 * moves the rest of the problem to the customer's network.
 */
export class NetworkDiagnosisDialog extends ComponentDialog {
  constructor(
    private readonly diagnosis: NetworkDiagnosis,
    private readonly customerNetworkClause: PolicyClause,
    resolutionCheck: ResolutionCheckDialog,
    /** Remembers the clause the all-passed answer applies, so "why?" quotes it. */
    private readonly records?: ConversationRecords,
  ) {
    super(NETWORK_DIAGNOSIS_DIALOG_ID);
    this.addDialog(resolutionCheck);
    this.addDialog(new ChoicesPrompt(CHECK_PROMPT_ID));
    this.addDialog(new WaterfallDialog(WATERFALL_ID, [this.askCheckStep.bind(this), this.answerStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  private async askCheckStep(step: WaterfallStepContext) {
    const { checkIndex = 0 } = step.options as NetworkDiagnosisOptions;
    const check = this.diagnosis.checks[checkIndex];
    if (!check) return step.endDialog();
    if (checkIndex === 0) await step.context.sendActivity(this.diagnosis.intro);
    const howTo = check.howTo.map((h) => `- ${h}`).join('\n');
    const ask: ChoicesPromptOptions = {
      prompt: `Check ${checkIndex + 1} of ${this.diagnosis.checks.length}: ${check.question}\n\nHow to check:\n${howTo}`,
      retryPrompt: `Please answer yes or no: ${check.question}`,
      choices: [
        { value: PASSES, synonyms: ['yes it is', 'it does', 'ok', 'works', 'it works'] },
        { value: FAILS, synonyms: ['no it is not', "it isn't", 'it does not', "it doesn't", 'fails', 'not working', "doesn't work"] },
      ],
      answers: { yes: PASSES, no: FAILS },
      // Asked twice without an answer: a failed check keeps the problem ours (its fix, then a ticket
      // or a person); a passed one would move it towards the customer's network on a guess.
      defaultChoice: FAILS,
    };
    return step.prompt(CHECK_PROMPT_ID, ask);
  }

  private async answerStep(step: WaterfallStepContext) {
    const options = step.options as NetworkDiagnosisOptions;
    const checkIndex = options.checkIndex ?? 0;
    const check = this.diagnosis.checks[checkIndex];
    const passed = (step.result as FoundChoice).value === PASSES;
    if (!check) return step.endDialog();
    if (!passed) {
      await step.context.sendActivity(check.ifFails);
      return step.beginDialog(RESOLUTION_CHECK_DIALOG_ID, { askFixed: true, summary: options.text, guideTried: `network-check:${check.id}` } satisfies ResolutionCheckOptions);
    }
    if (checkIndex + 1 < this.diagnosis.checks.length) {
      return step.replaceDialog(WATERFALL_ID, { ...options, checkIndex: checkIndex + 1 } satisfies NetworkDiagnosisOptions);
    }
    const clause = this.customerNetworkClause;
    // The verdict and the clause in a line; the policy's words collapsed, or on "why?".
    await sendView(step.context, { kind: 'answer', headline: this.diagnosis.allPassed, sections: [{ lines: [`${clause.inBrief} (${clause.title}).`] }], tone: 'neutral', quote: policyQuote(clause) });
    await this.records?.rememberClauseApplied(step.context, clause.id);
    return step.endDialog({ deviceRoutesTcpIp: true });
  }
}
