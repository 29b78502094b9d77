import { ConversationState, UserState, type Storage, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { DialogState } from 'botbuilder-dialogs';
import { MainDialog } from '../../dialogs/MainDialog.js';
import { NetworkDiagnosisDialog } from '../../dialogs/NetworkDiagnosisDialog.js';
import { ResolutionCheckDialog } from '../../dialogs/ResolutionCheckDialog.js';
import { TriageDialog } from '../../dialogs/TriageDialog.js';
import { SecondLanguageTriageDialog, triageLanguageSentences } from '../../dialogs/SecondLanguageTriageDialog.js';
import { TroubleshootingGuideDialog } from '../../dialogs/TroubleshootingGuideDialog.js';
import { HandoffDialog } from '../../dialogs/HandoffDialog.js';
import { TicketDialog, type TicketOpening } from '../../dialogs/TicketDialog.js';
import { TicketStatusDialog, type TicketLookup } from '../../dialogs/TicketStatusDialog.js';
import { WarrantyDialog } from '../../dialogs/WarrantyDialog.js';
import { SatisfactionSurveyDialog, type SurveyDesk } from '../../dialogs/SatisfactionSurveyDialog.js';
import { ServicePromiseAnswers } from '../domain/ServicePromiseAnswers.js';
import { AnswerReader } from '../domain/warranty/AnswerReader.js';
import { findTicketIds } from '../domain/tickets/TicketService.js';
import { HandoffCoordinator, type HandoffDesk } from './HandoffCoordinator.js';
import { TranscriptRecorder } from './TranscriptRecorder.js';
import { SurveyAnswers } from './SurveyAnswers.js';
import { TypingIndicator } from './TypingIndicator.js';
import { ConversationRecords } from '../conversation/ConversationRecords.js';
import type { OutcomeRecorder } from '../domain/insights/OutcomeRecorder.js';
import { InterruptionDetector } from '../domain/Interruptions.js';
import type { TopicMatcher } from '../domain/ports/MessageClassifier.js';
import type { ScopeTriage } from '../domain/ScopeTriage.js';
import type { WarrantyCheck } from '../domain/warranty/WarrantyCheck.js';
import type { ConversationRecord } from '../domain/SupportRequest.js';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.js';
import type { CustomerProfile } from '../conversation/CustomerProfile.js';
import { SupportBot } from './SupportBot.js';
import { TeamsWelcome } from './TeamsWelcome.js';
import type { StaffActivityRouter } from './StaffActivityRouter.js';
import { InboundNormaliser } from './InboundNormaliser.js';

export interface BotParts {
  bot: SupportBot;
  conversationState: ConversationState;
  userState: UserState;
  mainDialog: MainDialog;
  records: ConversationRecords;
  /** Sends "typing…" when a turn takes longer than half a second. */
  typing: TypingIndicator;
  /** Keeps the conversation's transcript for tickets and handoffs. */
  transcript: TranscriptRecorder;
  /** Teams/Slack mentions, card submits and button clicks made plain text; runs before the transcript. */
  inbound: InboundNormaliser;
}

export interface BotDependencies {
  knowledge: KnowledgeBase;
  triage: ScopeTriage;
  topics: TopicMatcher;
  storage: Storage;
  warranty: WarrantyCheck;
  tickets: TicketOpening & TicketLookup;
  handoffs: HandoffDesk;
  sentiment: { isStronglyNegative(text: string): boolean };
  /** How staffed hours are said to the customer ("Mon-Fri 08:00-18:00 (UTC)"). */
  staffedHoursText: string;
  now: () => Date;
  /** General service-promise answers; by default from the knowledge base's service promise (loaded at start-up). */
  servicePromise?: ServicePromiseAnswers;
  /** Staff activities from another channel (the Teams staff channel), handled before the customer pipeline. */
  staffRouter?: StaffActivityRouter;
  /** The satisfaction survey (after a fixed guide; answers to proactive ones); none is asked without it. */
  survey?: SurveyDesk;
  /** Where the conversation's outcomes are recorded for Insights (triage, guides, fixes, warranty checks); none without it. */
  outcomes?: Pick<OutcomeRecorder, 'record' | 'customerMessage'>;
  /** Where a failed "typing…" is logged (it never fails the turn). */
  logger?: Pick<Logger, 'debug' | 'warn'>;
}

/** Service-promise topics answered before triage: how to reach us, whatever intent the words suggest. */
const CONTACT_TOPICS = ['contact'];

/** Builds the bot from its services: state → dialogs → activity handler. */
export function buildBot(deps: BotDependencies): BotParts {
  const conversationState = new ConversationState(deps.storage);
  const userState = new UserState(deps.storage);
  const records = new ConversationRecords(conversationState.createProperty<ConversationRecord>('record'), deps.now, deps.outcomes);
  const customerNetwork = deps.triage.clause('customer_network');
  if (!customerNetwork) throw new Error('buildBot: the policy clauses have no "customer_network" entry');

  const profile = userState.createProperty<CustomerProfile>('profile');
  const coordinator = new HandoffCoordinator(deps.handoffs, records, profile, deps.staffedHoursText, deps.now);

  // Each dialog that begins another holds it as a child (botbuilder finds nested dialogs on
  // re-prompt only in their parent's set), so shared dialogs are made once per parent.
  const ticketDialog = () => new TicketDialog(deps.tickets, records, profile, deps.now);
  const handoffDialog = () => new HandoffDialog(coordinator, ticketDialog());
  // Which survey the survey dialog waits on (conversation state): its answer is left to it.
  const surveyAsking = conversationState.createProperty<string | undefined>('csatAsking');
  const survey = deps.survey;
  const surveyDialog = () => (survey ? new SatisfactionSurveyDialog(survey, surveyAsking) : undefined);
  const resolutionCheck = () => new ResolutionCheckDialog(records, ticketDialog(), handoffDialog(), surveyDialog());
  const servicePromise = deps.servicePromise ?? new ServicePromiseAnswers(deps.knowledge.servicePromise);
  const triageDialog = new TriageDialog(deps.triage, records, deps.warranty, [
    new TroubleshootingGuideDialog(deps.knowledge.guides, deps.topics, resolutionCheck(), records, handoffDialog()),
    new NetworkDiagnosisDialog(deps.knowledge.diagnosis, customerNetwork, resolutionCheck(), records),
    new WarrantyDialog(deps.warranty, records, resolutionCheck(), new AnswerReader(deps.knowledge.answerPhrases)),
    new TicketStatusDialog(deps.tickets, findTicketIds, deps.now),
    resolutionCheck(),
    handoffDialog(),
    new SecondLanguageTriageDialog(triageLanguageSentences(deps.knowledge), ticketDialog(), handoffDialog()),
  ], servicePromise);
  // "why?" / "show the policy" right after an answer that applied a clause: its verbatim words.
  const appliedClause = async (ctx: TurnContext) => {
    const id = await records.clauseApplied(ctx);
    return id ? deps.triage.clause(id) : undefined;
  };
  const mainDialog = new MainDialog(new InterruptionDetector(deps.knowledge.interruptions), deps.sentiment, [triageDialog, handoffDialog()], {
    appliedClause,
    howToReachUs: (text) => servicePromise.answerAbout(text, CONTACT_TOPICS)?.text ?? null,
  });
  const bot = new SupportBot(
    conversationState,
    userState,
    conversationState.createProperty<DialogState>('dialogState'),
    profile,
    mainDialog,
    coordinator,
    deps.now,
    {
      teamsWelcome: new TeamsWelcome(conversationState.createProperty<boolean>('teamsWelcomed'), deps.knowledge.vendorName),
      vendorName: deps.knowledge.vendorName,
      ...(deps.staffRouter ? { staff: deps.staffRouter } : {}),
      ...(survey ? { survey: new SurveyAnswers(survey, surveyAsking, records) } : {}),
    },
  );
  return {
    bot,
    conversationState,
    userState,
    mainDialog,
    records,
    typing: new TypingIndicator({
      delayMs: 500,
      periodMs: 2000,
      // A send racing the end of its turn is expected; anything else is worth a warning.
      onError: (err, { afterTurnEnded }) => deps.logger?.[afterTurnEnded ? 'debug' : 'warn']({ err: { name: err.name, message: err.message } }, 'typing indicator not sent'),
    }),
    transcript: new TranscriptRecorder(records, deps.now),
    inbound: new InboundNormaliser(),
  };
}
