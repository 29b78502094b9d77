import { ComponentDialog, WaterfallDialog, type Dialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ConversationRecords } from '../src/conversation/ConversationRecords.js';
import type { ScopeTriage, TriageOutcome } from '../src/domain/ScopeTriage.js';
import type { WarrantyCheck } from '../src/domain/warranty/WarrantyCheck.js';
import type { ScopeDecision } from '../src/domain/scope.js';
import { ChoicesPrompt } from './rendering/ChoicesPrompt.js';
import { adviceOnlyView, CAPABILITIES, outOfScopeView } from './messages.js';
import { sendView } from './rendering/render.js';
import { NETWORK_DIAGNOSIS_DIALOG_ID, type NetworkDiagnosisOptions } from './NetworkDiagnosisDialog.js';
import { HANDOFF_DIALOG_ID, type HandoffOptions } from './HandoffDialog.js';
import { TICKET_STATUS_DIALOG_ID, type TicketStatusOptions } from './TicketStatusDialog.js';
import { TROUBLESHOOTING_GUIDE_DIALOG_ID, type TroubleshootingGuideOptions } from './TroubleshootingGuideDialog.js';
import { WARRANTY_DIALOG_ID, type WarrantyOptions } from './WarrantyDialog.js';

export const TRIAGE_DIALOG_ID = 'triageDialog';
const WATERFALL_ID = 'triageDialog.waterfall';
const CLARIFY_PROMPT_ID = 'triageDialog.clarify';

export interface TriageOptions {
  text: string;
}

/** When the classifier is unsure, the customer picks; each answer is a decision the policy knows. */
const CLARIFY_CHOICES: ReadonlyArray<{ title: string; decision: Omit<ScopeDecision, 'confidence'> }> = [
  { title: 'Our recorder or camera', decision: { scope: 'in_scope', clause: null, intent: 'troubleshoot' } },
  { title: 'Viewing it over the network', decision: { scope: 'needs_diagnosis', clause: null, intent: 'troubleshoot' } },
  { title: 'Warranty or repair', decision: { scope: 'in_scope', clause: null, intent: 'warranty' } },
  { title: 'Firewall or port rules', decision: { scope: 'advice_only', clause: null, intent: 'troubleshoot' } },
  { title: 'My router, PC or other brand', decision: { scope: 'out_of_scope', clause: 'third_party_equipment', intent: 'troubleshoot' } },
  { title: 'Email, website or file sharing', decision: { scope: 'out_of_scope', clause: 'applications', intent: 'troubleshoot' } },
  { title: 'Backups or lost recordings', decision: { scope: 'out_of_scope', clause: 'data_backup', intent: 'troubleshoot' } },
];

/** Classifies one problem description against the support policy and answers accordingly. */
export class TriageDialog extends ComponentDialog {
  constructor(
    private readonly triage: ScopeTriage,
    private readonly records: ConversationRecords,
    private readonly warranty: WarrantyCheck,
    /** The dialogs triage hands over to (guide, diagnosis, resolution check). They are children of
     * this dialog, not siblings: botbuilder re-prompts a nested dialog only within its own set. */
    handlers: readonly Dialog[],
  ) {
    super(TRIAGE_DIALOG_ID);
    for (const handler of handlers) this.addDialog(handler);
    this.addDialog(new ChoicesPrompt(CLARIFY_PROMPT_ID));
    this.addDialog(new WaterfallDialog(WATERFALL_ID, [this.classifyStep.bind(this), this.routeStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  private async classifyStep(step: WaterfallStepContext) {
    const { text } = step.options as TriageOptions;
    const outcome = await this.withRegisteredSerial(text, this.triage.triage(text));
    await this.records.rememberTriage(step.context, text, outcome.decision);
    if (!outcome.needsClarification) return step.next(outcome.decision);
    // A second message the bot cannot place: stop guessing and bring in a person.
    if ((await this.records.countFailure(step.context)) >= 2) {
      return step.replaceDialog(HANDOFF_DIALOG_ID, { reason: 'not_helping', summary: text } satisfies HandoffOptions);
    }
    return step.prompt(CLARIFY_PROMPT_ID, {
      prompt: "I want to send you the right way, but I'm not sure I understood. What is this mainly about?",
      retryPrompt: 'Please pick the closest option, or describe the problem again after saying "start over".',
      choices: CLARIFY_CHOICES.map((c) => c.title),
    });
  }

  private async routeStep(step: WaterfallStepContext) {
    const { text } = step.options as TriageOptions;
    const decision = this.decisionFrom(step.result);
    if (decision.confidence === 1) await this.records.rememberTriage(step.context, text, decision);
    const ctx = step.context;
    switch (decision.scope) {
      case 'out_of_scope': {
        const clause = decision.clause ? this.triage.clause(decision.clause) : undefined;
        if (clause) await sendView(ctx, outOfScopeView(clause));
        return step.endDialog(decision);
      }
      case 'advice_only': {
        const clause = this.triage.clause('advice_only');
        if (clause) await sendView(ctx, adviceOnlyView(clause));
        return step.endDialog(decision);
      }
      case 'needs_diagnosis':
        return step.beginDialog(NETWORK_DIAGNOSIS_DIALOG_ID, { text } satisfies NetworkDiagnosisOptions);
      case 'off_topic':
        await ctx.sendActivity(
          decision.intent === 'greeting'
            ? 'Hello! Tell me what is happening with your recorder or cameras and I will help. Say "help" to see what I can do.'
            : `Sorry, I can only help with our security-camera products. I can ${CAPABILITIES.join('; ')}.`,
        );
        return step.endDialog(decision);
      case 'in_scope':
        return this.inScope(step, text, decision);
    }
  }

  private async inScope(step: WaterfallStepContext, text: string, decision: ScopeDecision) {
    switch (decision.intent) {
      case 'human':
        return step.beginDialog(HANDOFF_DIALOG_ID, { reason: 'asked', summary: text } satisfies HandoffOptions);
      case 'warranty':
        return step.beginDialog(WARRANTY_DIALOG_ID, { text } satisfies WarrantyOptions);
      case 'ticket_status':
        return step.beginDialog(TICKET_STATUS_DIALOG_ID, { text } satisfies TicketStatusOptions);
      default:
        return step.beginDialog(TROUBLESHOOTING_GUIDE_DIALOG_ID, { text } satisfies TroubleshootingGuideOptions);
    }
  }

  /**
   * A message the classifier cannot place ("expired? SW-POE8-221120-0003") that names one of our
   * registered devices is a warranty question about it.
   */
  private async withRegisteredSerial(text: string, outcome: TriageOutcome): Promise<TriageOutcome> {
    if (outcome.decision.scope !== 'off_topic' && !outcome.needsClarification) return outcome;
    if ((await this.warranty.find(text)).kind !== 'found') return outcome;
    return { ...outcome, decision: { scope: 'in_scope', clause: null, intent: 'warranty', confidence: 1 }, rule: null, needsClarification: false };
  }

  private decisionFrom(result: unknown): ScopeDecision {
    const choice = result as FoundChoice | ScopeDecision;
    if ('scope' in choice) return choice;
    const picked = CLARIFY_CHOICES[choice.index] ?? CLARIFY_CHOICES[0];
    if (!picked) throw new Error('TriageDialog: no clarification choices configured');
    return { ...picked.decision, confidence: 1 };
  }
}
