import { ConversationState, ShowTypingMiddleware, UserState, type Storage } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { MainDialog } from '../../dialogs/MainDialog.js';
import { NetworkDiagnosisDialog } from '../../dialogs/NetworkDiagnosisDialog.js';
import { ResolutionCheckDialog } from '../../dialogs/ResolutionCheckDialog.js';
import { TriageDialog } from '../../dialogs/TriageDialog.js';
import { TroubleshootingGuideDialog } from '../../dialogs/TroubleshootingGuideDialog.js';
import { WarrantyDialog } from '../../dialogs/WarrantyDialog.js';
import { ConversationRecords } from '../conversation/ConversationRecords.js';
import { InterruptionDetector } from '../domain/Interruptions.js';
import type { TopicMatcher } from '../domain/ports/MessageClassifier.js';
import type { ScopeTriage } from '../domain/ScopeTriage.js';
import type { WarrantyCheck } from '../domain/warranty/WarrantyCheck.js';
import type { ConversationRecord } from '../domain/SupportRequest.js';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.js';
import { SupportBot, type UserProfile } from './SupportBot.js';

export interface BotParts {
  bot: SupportBot;
  conversationState: ConversationState;
  userState: UserState;
  mainDialog: MainDialog;
  records: ConversationRecords;
  /** Sends "typing…" when a turn takes longer than half a second. */
  typing: ShowTypingMiddleware;
}

export interface BotDependencies {
  knowledge: KnowledgeBase;
  triage: ScopeTriage;
  topics: TopicMatcher;
  storage: Storage;
  warranty: WarrantyCheck;
  now: () => Date;
}

/** Builds the bot from its services: state → dialogs → activity handler. */
export function buildBot(deps: BotDependencies): BotParts {
  const conversationState = new ConversationState(deps.storage);
  const userState = new UserState(deps.storage);
  const records = new ConversationRecords(conversationState.createProperty<ConversationRecord>('record'), deps.now);
  const customerNetwork = deps.triage.clause('customer_network');
  if (!customerNetwork) throw new Error('buildBot: the policy clauses have no "customer_network" entry');

  // Each dialog that begins another holds it as a child (botbuilder finds nested dialogs on
  // re-prompt only in their parent's set), so the resolution check appears under each user.
  const resolutionCheck = () => new ResolutionCheckDialog(records);
  const triageDialog = new TriageDialog(deps.triage, records, deps.warranty, [
    new TroubleshootingGuideDialog(deps.knowledge.guides, deps.topics, resolutionCheck()),
    new NetworkDiagnosisDialog(deps.knowledge.diagnosis, customerNetwork, resolutionCheck()),
    new WarrantyDialog(deps.warranty, resolutionCheck()),
    resolutionCheck(),
  ]);
  const mainDialog = new MainDialog(new InterruptionDetector(deps.knowledge.interruptions), records, [triageDialog]);
  const bot = new SupportBot(
    conversationState,
    userState,
    conversationState.createProperty<DialogState>('dialogState'),
    userState.createProperty<UserProfile>('profile'),
    mainDialog,
    deps.now,
  );
  return { bot, conversationState, userState, mainDialog, records, typing: new ShowTypingMiddleware(500, 2000) };
}
