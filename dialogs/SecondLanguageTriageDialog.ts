import { ComponentDialog, WaterfallDialog, type Dialog, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { ScopeDecision } from '../src/domain/scope.js';
import type { LanguageReplies } from '../src/knowledge/schemas.js';
import type { TriageReplies } from '../src/knowledge/triageLanguages.js';
import { ChoicesPrompt, type ChoicesPromptOptions } from './rendering/ChoicesPrompt.js';
import { HANDOFF_DIALOG_ID, type HandoffOptions } from './HandoffDialog.js';
import { actOnPickedOffer } from './pickedOffer.js';

export const SECOND_LANGUAGE_TRIAGE_DIALOG_ID = 'secondLanguageTriageDialog';
const WATERFALL_ID = 'secondLanguageTriageDialog.waterfall';
const OFFER_PROMPT_ID = 'secondLanguageTriageDialog.offer';

/** A message triaged in a language of its own (Vietnamese): what the customer wrote and the decision. */
/** What the dialog ends with once its answer is done: the "anything else?" to ask next, in the customer's language. */
export interface AnsweredInLanguage {
  anythingElse: string;
}

export interface SecondLanguageTriageOptions {
  text: string;
  /** The decision of that language's classifier; `language` names the language. */
  decision: ScopeDecision;
  /** The classifier was not sure enough: say so instead of naming a scope. */
  unclear: boolean;
}

/** Everything the dialog says in one language: the triage sentences and the offer's buttons and follow-ups. */
export interface TriageLanguageSentences {
  triage: TriageReplies;
  /** From knowledge/language/languages.json: the buttons, and what is said before a handoff or a ticket. */
  offer: LanguageReplies;
}

interface Values {
  /** The customer asked for a person: the handoff began at once, its result ends this dialog. */
  handedOver?: boolean;
}

/**
 * Answers a message triaged in a language other than English (Vietnamese). The guides and checks
 * are in English, so none is shown as if it were in the customer's language: the bot says in that
 * language whose responsibility the matter is, naming the policy clause, and offers a person or a
 * ticket. The triage (scope, clause, intent, language) was remembered by the triage dialog, so the
 * handoff or ticket carries it to staff.
 */
export class SecondLanguageTriageDialog extends ComponentDialog {
  constructor(
    private readonly sentences: ReadonlyMap<string, TriageLanguageSentences>,
    ticketDialog: Dialog,
    handoffDialog: Dialog,
  ) {
    super(SECOND_LANGUAGE_TRIAGE_DIALOG_ID);
    // Children of this dialog (a dialog instance may sit in several sets): botbuilder re-prompts a nested dialog only within its own set.
    this.addDialog(ticketDialog);
    this.addDialog(handoffDialog);
    this.addDialog(new ChoicesPrompt(OFFER_PROMPT_ID));
    this.addDialog(new WaterfallDialog<SecondLanguageTriageOptions>(WATERFALL_ID, [this.answerStep.bind(this), this.actStep.bind(this), this.doneStep.bind(this)]));
    this.initialDialogId = WATERFALL_ID;
  }

  private say(decision: ScopeDecision): TriageLanguageSentences {
    const found = decision.language ? this.sentences.get(decision.language) : undefined;
    if (!found) throw new Error(`SecondLanguageTriageDialog: no sentences for language "${decision.language ?? '(none)'}"`);
    return found;
  }

  private async answerStep(step: WaterfallStepContext<SecondLanguageTriageOptions>) {
    const { text, decision, unclear } = step.options;
    const { triage, offer } = this.say(decision);
    if (!unclear && decision.intent === 'human') {
      (step.values as Values).handedOver = true;
      await step.context.sendActivity(offer.personNext);
      return step.beginDialog(HANDOFF_DIALOG_ID, { reason: 'asked', summary: text } satisfies HandoffOptions);
    }
    if (!unclear && decision.scope === 'off_topic') {
      await step.context.sendActivity(decision.intent === 'greeting' ? triage.offTopic.greeting : triage.offTopic.other);
      return step.endDialog({ ...decision, anythingElse: triage.anythingElse } satisfies AnsweredInLanguage);
    }
    const statement = unclear ? triage.unclear : statementFor(decision, triage);
    const question = `${statement}\n\n${triage.offer}`;
    const options: ChoicesPromptOptions = {
      prompt: question,
      retryPrompt: triage.offer,
      // Folded spellings too: many customers type Vietnamese without accents. English words as well.
      choices: [
        { value: offer.person, synonyms: ['nhân viên', 'nhan vien', 'gặp nhân viên', 'gap nhan vien', 'người', 'nguoi', 'person', 'human', 'agent', 'talk to a person'] },
        { value: offer.ticket, synonyms: ['phiếu', 'phieu', 'mở phiếu', 'mo phieu', 'ticket', 'open a ticket'] },
        { value: offer.noThanks, synonyms: ['không', 'khong', 'không cần', 'khong can', 'thôi', 'thoi', 'no', 'no thanks'] },
      ],
      answers: { no: offer.noThanks, later: offer.noThanks },
    };
    return step.prompt(OFFER_PROMPT_ID, options);
  }

  private async actStep(step: WaterfallStepContext<SecondLanguageTriageOptions>) {
    if ((step.values as Values).handedOver) return step.endDialog(step.result);
    const { text, decision } = step.options;
    const { offer } = this.say(decision);
    const picked = (step.result as FoundChoice).value;
    return actOnPickedOffer(step, picked, offer, text, { ...decision, anythingElse: this.say(decision).triage.anythingElse } satisfies AnsweredInLanguage);
  }

  private async doneStep(step: WaterfallStepContext<SecondLanguageTriageOptions>) {
    // The ticket or handoff is done: the next question is asked in the customer's language too.
    return step.endDialog({ ...(typeof step.result === 'object' ? step.result : {}), anythingElse: this.say(step.options.decision).triage.anythingElse });
  }
}

/** One sentence: covered by support, or whose responsibility with the clause's title in that language. */
export function statementFor(decision: ScopeDecision, triage: TriageReplies): string {
  switch (decision.scope) {
    case 'out_of_scope': {
      const clause = decision.clause ? triage.clauses[decision.clause] : undefined;
      return clause ? triage.outOfScope.replace('{clause}', clause.title) : triage.inScope.other;
    }
    case 'advice_only':
      return triage.adviceOnly.replace('{clause}', triage.clauses.advice_only.title);
    case 'needs_diagnosis':
      return triage.needsDiagnosis.replace('{clause}', triage.clauses.needs_diagnosis.title);
    default: {
      const intent = decision.intent;
      return intent === 'warranty' || intent === 'ticket_status' || intent === 'troubleshoot' ? triage.inScope[intent] : triage.inScope.other;
    }
  }
}

/** The sentences of each triaged language, from knowledge/language/<code>/replies.json and languages.json. */
export function triageLanguageSentences(knowledge: {
  triageLanguages: ReadonlyArray<{ code: string; replies: TriageReplies }>;
  languages: { languages: ReadonlyArray<LanguageReplies & { code: string }> };
}): Map<string, TriageLanguageSentences> {
  const sentences = new Map<string, TriageLanguageSentences>();
  for (const l of knowledge.triageLanguages) {
    const offer = knowledge.languages.languages.find((s) => s.code === l.code);
    // The knowledge loader refuses a triage language without sentences in languages.json.
    if (offer) sentences.set(l.code, { triage: l.replies, offer });
  }
  return sentences;
}
