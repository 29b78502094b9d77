import { ComponentDialog, WaterfallDialog, type Dialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ConversationRecords } from '../src/conversation/ConversationRecords.js';
import type { MixedMessage, RecognisedLanguage, ScopeTriage, TriageOutcome } from '../src/domain/ScopeTriage.js';
import type { WarrantyCheck } from '../src/domain/warranty/WarrantyCheck.js';
import type { ServicePromiseAnswers } from '../src/domain/ServicePromiseAnswers.js';
import type { ScopeDecision } from '../src/domain/scope.js';
import { AskOncePrompt, ChoicesPrompt, UNCLEAR_REPLY } from './rendering/ChoicesPrompt.js';
import { adviceOnlyView, CAPABILITIES, outOfScopeView } from './messages.js';
import { sendView } from './rendering/render.js';
import { NETWORK_DIAGNOSIS_DIALOG_ID, type NetworkDiagnosisOptions } from './NetworkDiagnosisDialog.js';
import { HANDOFF_DIALOG_ID, type HandoffOptions } from './HandoffDialog.js';
import { TICKET_DIALOG_ID } from './TicketDialog.js';
import { TICKET_STATUS_DIALOG_ID, type TicketStatusOptions } from './TicketStatusDialog.js';
import { TROUBLESHOOTING_GUIDE_DIALOG_ID, type TroubleshootingGuideOptions } from './TroubleshootingGuideDialog.js';
import { WARRANTY_DIALOG_ID, type WarrantyOptions } from './WarrantyDialog.js';
import { SECOND_LANGUAGE_TRIAGE_DIALOG_ID, type SecondLanguageTriageOptions } from './SecondLanguageTriageDialog.js';
import { actOnPickedOffer } from './pickedOffer.js';

export const TRIAGE_DIALOG_ID = 'triageDialog';
const WATERFALL_ID = 'triageDialog.waterfall';
const CLARIFY_PROMPT_ID = 'triageDialog.clarify';
const OTHER_LANGUAGE_ID = 'triageDialog.otherLanguage';
const OTHER_LANGUAGE_PROMPT_ID = 'triageDialog.otherLanguage.choice';

export interface TriageOptions {
  text: string;
}

interface TriageValues {
  /** The clause's advice for what the message is about, shown with an out-of-scope answer. */
  advice?: string[];
  /** In a message that also held the customer's matter, the part about our device: what the bot acts on. */
  ours?: string;
}

/** A message in a language the bot does not speak: what it said, and the language to answer in. */
interface OtherLanguageOptions {
  text: string;
  language: RecognisedLanguage;
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
    /** General service-promise questions (hotline, upgrades, parts, fees), answered without a serial. */
    private readonly servicePromise?: ServicePromiseAnswers,
  ) {
    super(TRIAGE_DIALOG_ID);
    for (const handler of handlers) this.addDialog(handler);
    // The other-language offer opens tickets too: with the ticket dialog the bot built for the
    // resolution check (the bot makes one per parent; a dialog instance may sit in several sets).
    if (!this.findDialog(TICKET_DIALOG_ID)) this.addDialog(ticketDialogIn(handlers));
    this.addDialog(new AskOncePrompt(CLARIFY_PROMPT_ID));
    this.addDialog(new ChoicesPrompt(OTHER_LANGUAGE_PROMPT_ID));
    this.addDialog(new WaterfallDialog(WATERFALL_ID, [this.classifyStep.bind(this), this.routeStep.bind(this)]));
    this.addDialog(new WaterfallDialog<OtherLanguageOptions>(OTHER_LANGUAGE_ID, [this.offerInLanguageStep.bind(this), this.actInLanguageStep.bind(this), this.doneStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  private async classifyStep(step: WaterfallStepContext) {
    const { text } = step.options as TriageOptions;
    const outcome = await this.withRegisteredSerial(text, this.triage.triage(text));
    // Remembered with its language, so a handoff or ticket that follows carries it to staff.
    await this.records.rememberTriage(step.context, text, outcome.decision);
    // A language with a classifier of its own (Vietnamese): answered in it, from its own triage.
    if (outcome.triagedInLanguage && outcome.language) return step.replaceDialog(SECOND_LANGUAGE_TRIAGE_DIALOG_ID, { text, decision: { ...outcome.decision, language: outcome.language.code }, unclear: outcome.needsClarification } satisfies SecondLanguageTriageOptions);
    if (outcome.language) return step.replaceDialog(OTHER_LANGUAGE_ID, { text, language: outcome.language } satisfies OtherLanguageOptions);
    (step.values as TriageValues).advice = outcome.advice;
    if (outcome.mixed) {
      // Ours and the customer's in one message: say in one line which part is theirs, then help with ours.
      await step.context.sendActivity(theirPartsNote(outcome.mixed));
      // "why?" / "policy" next quotes the clause that part falls under.
      const applied = outcome.mixed.theirs[0];
      if (applied) await this.records.rememberClauseApplied(step.context, applied.rule.id);
      (step.values as TriageValues).ours = outcome.mixed.ours;
    }
    if (!outcome.needsClarification) {
      // Understood: the unclear messages in a row start again from zero. A problem of ours bound for
      // the guides is understood only once a guide fits it: the guide dialog decides.
      if (!goesToGuides(outcome.decision)) await this.records.resetFailures(step.context, 'unclear');
      return step.next(outcome.decision);
    }
    // The second message in a row the bot cannot place: offer a person or a ticket, never a third question.
    if ((await this.records.countFailure(step.context, 'unclear')) >= 2) return this.offerPerson(step, text);
    return step.prompt(CLARIFY_PROMPT_ID, {
      prompt: "I want to send you the right way, but I'm not sure I understood. What is this mainly about?",
      retryPrompt: 'Please pick the closest option, or describe the problem again after saying "start over".',
      choices: CLARIFY_CHOICES.map((c) => c.title),
    });
  }

  private async routeStep(step: WaterfallStepContext) {
    const { text } = step.options as TriageOptions;
    // A reply to the clarifying question that is no clearer: the second unclear message in a row.
    if (step.result === UNCLEAR_REPLY) {
      if ((await this.records.countFailure(step.context, 'unclear')) >= 2) return this.offerPerson(step, step.context.activity.text ?? text);
      return step.endDialog();
    }
    const decision = this.decisionFrom(step.result);
    if (decision.confidence === 1) await this.records.rememberTriage(step.context, text, decision);
    // What the guide, diagnosis or warranty check works from: our part of a mixed message, else all of it.
    const focus = (step.values as TriageValues).ours ?? text;
    if (step.result && !('scope' in (step.result as object))) await this.records.resetFailures(step.context, 'unclear');
    const ctx = step.context;
    switch (decision.scope) {
      case 'out_of_scope': {
        const clause = decision.clause ? this.triage.clause(decision.clause) : undefined;
        if (clause) await sendView(ctx, outOfScopeView(clause, (step.values as TriageValues).advice ?? []));
        return step.endDialog(decision);
      }
      case 'advice_only': {
        const clause = this.triage.clause('advice_only');
        if (clause) await sendView(ctx, adviceOnlyView(clause));
        return step.endDialog(decision);
      }
      case 'needs_diagnosis':
        return step.beginDialog(NETWORK_DIAGNOSIS_DIALOG_ID, { text: focus } satisfies NetworkDiagnosisOptions);
      case 'off_topic':
        await ctx.sendActivity(
          decision.intent === 'greeting'
            ? 'Hello! Tell me what is happening with your recorder or cameras and I will help. Say "help" to see what I can do.'
            : `Sorry, I can only help with our security-camera products. I can ${CAPABILITIES.join('; ')}.`,
        );
        return step.endDialog(decision);
      case 'in_scope':
        return this.inScope(step, focus, decision);
    }
  }

  /**
   * The bot reads English only: in the customer's language, say so and offer a person or a ticket
   * (the language goes with either, from the remembered triage).
   */
  private async offerInLanguageStep(step: WaterfallStepContext<OtherLanguageOptions>) {
    const { replies } = step.options.language;
    return step.prompt(OTHER_LANGUAGE_PROMPT_ID, {
      prompt: replies.reply,
      retryPrompt: replies.reply,
      // English words too: the buttons send their titles, but a customer may type "person" or "ticket".
      choices: [
        { value: replies.person, synonyms: ['person', 'human', 'agent', 'talk to a person'] },
        { value: replies.ticket, synonyms: ['ticket', 'open a ticket'] },
        { value: replies.noThanks, synonyms: ['no', 'no thanks'] },
      ],
    });
  }

  private async actInLanguageStep(step: WaterfallStepContext<OtherLanguageOptions>) {
    const { text, language } = step.options;
    const { replies } = language;
    const picked = (step.result as FoundChoice).value;
    return actOnPickedOffer(step, picked, replies, text);
  }

  private async doneStep(step: WaterfallStepContext<OtherLanguageOptions>) {
    return step.endDialog(step.result);
  }

  private async inScope(step: WaterfallStepContext, text: string, decision: ScopeDecision) {
    switch (decision.intent) {
      case 'human':
        return step.beginDialog(HANDOFF_DIALOG_ID, { reason: 'asked', summary: text } satisfies HandoffOptions);
      case 'warranty': {
        // About the service promise in general, no device named: answer from the policy, no serial asked.
        const general = this.servicePromise?.answer(text);
        if (general) {
          await step.context.sendActivity({ text: general.text, textFormat: 'markdown' });
          return step.endDialog(decision);
        }
        return step.beginDialog(WARRANTY_DIALOG_ID, { text } satisfies WarrantyOptions);
      }
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

  /** The bot failed to help twice in a row: the handoff dialog offers a person or a ticket (the customer decides). */
  private async offerPerson(step: WaterfallStepContext, text: string) {
    return step.replaceDialog(HANDOFF_DIALOG_ID, { reason: 'not_helping', summary: text } satisfies HandoffOptions);
  }

  private decisionFrom(result: unknown): ScopeDecision {
    const choice = result as FoundChoice | ScopeDecision;
    if ('scope' in choice) return choice;
    const picked = CLARIFY_CHOICES[choice.index] ?? CLARIFY_CHOICES[0];
    if (!picked) throw new Error('TriageDialog: no clarification choices configured');
    return { ...picked.decision, confidence: 1 };
  }
}

/** In scope and neither a person, a warranty question nor a ticket: the troubleshooting guides take it. */
function goesToGuides(decision: ScopeDecision): boolean {
  return decision.scope === 'in_scope' && decision.intent !== 'human' && decision.intent !== 'warranty' && decision.intent !== 'ticket_status';
}

/** One line per part of a mixed message that is the customer's: what it is about and the clause's title. */
function theirPartsNote(mixed: MixedMessage): string {
  const parts = mixed.theirs.map(({ text, rule }) => `"${quotedPart(text)}" is the customer's responsibility under our support policy (${rule.title})`);
  return `One part of that I can't take on: ${parts.join('; ')}. Let's sort out the rest.`;
}

/** The customer's words, short enough to quote back: no trailing punctuation, at most 80 characters. */
function quotedPart(text: string): string {
  const trimmed = text.replace(/[\s.,;:!?]+$/u, '');
  return trimmed.length <= 80 ? trimmed : `${trimmed.slice(0, 77).replace(/\s+\S*$/u, '')}…`;
}

/** The ticket dialog among the handlers or their children (the resolution check holds one). */
function ticketDialogIn(handlers: readonly Dialog[]): Dialog {
  for (const handler of handlers) {
    const found = handler.id === TICKET_DIALOG_ID ? handler : handler instanceof ComponentDialog ? handler.findDialog(TICKET_DIALOG_ID) : undefined;
    if (found) return found;
  }
  throw new Error(`TriageDialog: none of its handlers holds the ticket dialog ("${TICKET_DIALOG_ID}") that the other-language offer opens`);
}
