/**
 * The services and the bot on one store: tickets, handoffs, warranty, the dialogs, the adapter and
 * what the staff API needs. main.ts calls it with the configured store; tests call it with an
 * in-memory one, so they exercise the same wiring the server runs.
 */
import type { Logger } from 'pino';
import { BotCustomerMessenger } from './bot/BotCustomerMessenger.js';
import { buildBot, type BotParts } from './bot/buildBot.js';
import { ConversationTransports } from './bot/ConversationTransports.js';
import { createAdapter, createTurnRunner } from './bot/createTurnRunner.js';
import { InFlightTurns } from './bot/InFlightTurns.js';
import type { TurnRunner } from './bot/TurnRunner.js';
import { BotFrameworkEndpoint } from './channels/botframework/BotFrameworkEndpoint.js';
import { DirectLineAdapter } from './channels/directline/DirectLineAdapter.js';
import { AdapterTeamsPoster, TeamsStaffChannel } from './channels/teams/TeamsStaffChannel.js';
import type { Config } from './config.js';
import type { CustomerDeliveries } from './domain/delivery/CustomerDeliveries.js';
import type { DeviceRegistry } from './domain/devices/DeviceRegistry.js';
import { HandoffService } from './domain/handoff/HandoffService.js';
import type { InsightsQuery } from './domain/insights/InsightsFigures.js';
import { OutcomeRecorder } from './domain/insights/OutcomeRecorder.js';
import { SatisfactionSurvey } from './domain/insights/SatisfactionSurvey.js';
import type { SurveyComments } from './domain/insights/SurveyComments.js';
import { DocumentSurveyStore } from './storage/DocumentSurveyStore.js';
import { StaffedHours } from './domain/handoff/StaffedHours.js';
import { AgentPresence } from './domain/staff/AgentPresence.js';
import { AuditLog } from './domain/staff/AuditLog.js';
import { StaffTokens } from './domain/staff/StaffTokens.js';
import { ServiceLevel } from './domain/tickets/ServiceLevel.js';
import { TicketService } from './domain/tickets/TicketService.js';
import { calendarDay } from './domain/warranty/calendar.js';
import { WarrantyCheck } from './domain/warranty/WarrantyCheck.js';
import type { StaffApiDeps } from './http/staffApi.js';
import type { KnowledgeBase } from './knowledge/KnowledgeBase.js';
import type { buildTriage } from './language/buildTriage.js';
import { NegativeSentiment } from './language/NegativeSentiment.js';
import { BotStateStorage } from './storage/BotStateStorage.js';
import type { SupportStores } from './storage/SupportStores.js';

export interface SupportDeskOptions {
  /** The stores behind the domain's ports (documents for state; tickets, handoffs, audit, staff tokens). */
  stores: SupportStores;
  knowledge: KnowledgeBase;
  models: ReturnType<typeof buildTriage>;
  registry: DeviceRegistry;
  botAuth: Config['botAuth'];
  handoff: Config['handoff'];
  /** Active chats per agent, presence policy and timeout; the configuration's defaults when absent (3, auto, 2 minutes). */
  agents?: Config['agents'];
  /** When a ticket counts as at risk of missing its first response; 30 minutes before when absent. */
  serviceLevel?: Config['serviceLevel'];
  teams?: Config['teams'];
  logger: Logger;
  now: () => Date;
  /**
   * The channels' adapters, made before the desk when the server listens first (main.ts); made
   * here otherwise. The desk gives them the bot's pipeline and routes proactive messages through them.
   */
  channels?: { botFramework?: BotFrameworkEndpoint; directLine?: DirectLineAdapter };
  /** Turns and proactive sends in flight, for shutdown. */
  inFlight?: InFlightTurns;
}

export interface SupportDesk {
  /** The Bot Framework channels' endpoint (/api/messages) and transport. */
  botFramework: BotFrameworkEndpoint;
  /** The self-hosted Direct Line's adapter (the widget's turns and proactive messages). */
  directLine: DirectLineAdapter;
  /** The one pipeline every channel's turns run through. */
  runner: TurnRunner;
  stateStorage: BotStateStorage;
  tickets: TicketService;
  handoffs: HandoffService;
  /** The outbox of customer messages: drain it at shutdown, after the HTTP server stops taking requests. */
  deliveries: CustomerDeliveries;
  parts: BotParts;
  staffApi: StaffApiDeps;
  staffTokens: StaffTokens;
  /** Posting queued handoffs to a Teams channel, when TEAMS_STAFF_CONVERSATION is set. */
  teamsStaff: TeamsStaffChannel | null;
  /** Records conversation outcomes for Insights (the CSAT survey records its ratings here too). */
  outcomes: OutcomeRecorder;
  /** The Insights figures of a date range (GET /api/insights). */
  insights: InsightsQuery;
  /** Answered surveys' comments by date range, for staff only (GET /api/insights/comments). */
  surveyComments: SurveyComments;
  /** Agents' available/away, set from the console; handoffs are offered only while someone is available. */
  presence: AgentPresence;
  /** First responses at risk and breached: the console's list, and the warning job's work. */
  serviceLevel: ServiceLevel;
}

/** The defaults of AGENT_MAX_ACTIVE_CHATS, PRESENCE_REQUIRED, PRESENCE_TIMEOUT_MINUTES (config.ts). */
const DEFAULT_AGENTS: Config['agents'] = { maxActiveChats: 3, presencePolicy: 'auto', presenceTimeoutMs: 2 * 60_000 };

export function composeSupportDesk(o: SupportDeskOptions): SupportDesk {
  const { stores, logger, now } = o;
  const stateStorage = new BotStateStorage(stores.documents);
  const inFlight = o.inFlight ?? new InFlightTurns();
  const appId = o.botAuth.MicrosoftAppId ?? '';
  let runner: TurnRunner | null = null;
  const botFramework =
    o.channels?.botFramework ?? new BotFrameworkEndpoint({ adapter: createAdapter(o.botAuth), ...(appId ? { appId } : {}), runner: () => runner });
  const directLine = o.channels?.directLine ?? new DirectLineAdapter(stores.feeds, now);
  const adapter = botFramework.adapter;
  const transports = new ConversationTransports(inFlight);
  transports.add(directLine);
  transports.add(botFramework);
  const messenger = new BotCustomerMessenger(transports);
  // Staff actions only enqueue customer messages; the queue times out, retries and reports failures.
  // In memory on the embedded store; on PostgreSQL the `deliveries` table every instance works on.
  const deliveries = stores.outbox(messenger, {
    onError: (err, context) => logger.warn({ context, err: { message: (err as Error).message } }, 'delivery outcome not recorded'),
  });
  deliveries.subscribe((e) => {
    if (e.type === 'failed') logger.warn({ deliveryId: e.id, subject: e.subject, conversationKey: e.conversationKey, attempts: e.attempts, reason: e.reason }, 'customer message not delivered');
  });
  // Outcomes for Insights: a failed write is logged, never a failed turn or staff action.
  const outcomes = new OutcomeRecorder(stores.outcomes, stores.outcomes, now, {
    onError: (err, kind) => logger.warn({ kind, err: { message: (err as Error).message } }, 'outcome event not recorded'),
  });
  const tickets = new TicketService(stores.tickets, deliveries, now, undefined, outcomes);
  const agents = o.agents ?? DEFAULT_AGENTS;
  const presence = new AgentPresence(stores.presence, now, { timeoutMs: agents.presenceTimeoutMs, policy: agents.presencePolicy });
  const serviceLevel = new ServiceLevel(stores.tickets, stores.serviceLevel, stores.events, now, {
    ...(o.serviceLevel ? { warnBeforeMs: o.serviceLevel.warnBeforeMs } : {}),
    onError: (err, context) => logger.warn({ context, err: { message: (err as Error).message } }, 'service level: event not handled'),
  });
  const handoffs = new HandoffService(stores.handoffs, tickets, deliveries, new StaffedHours(o.handoff.staffedHours, o.handoff.timeZone), now, {
    averageMinutes: o.handoff.averageMinutes,
    presence,
    maxActiveChatsPerAgent: agents.maxActiveChats,
    outcomes,
    onError: (err, context) => logger.warn({ context, err: { message: (err as Error).message } }, 'handoff side effect failed'),
  }, stores.events);
  // The satisfaction survey: one per conversation (a document per conversation, shared by every
  // instance on PostgreSQL); after a handoff staff closed and a ticket they resolved it follows the
  // closing message through the outbox, and its rating is a `csat` outcome.
  // Comments are also kept by date for staff (GET /api/insights/comments); a failed copy is logged without its text.
  const survey = new SatisfactionSurvey(new DocumentSurveyStore(stores.documents), outcomes, handoffs, deliveries, now, stores.surveyComments, (err) =>
    logger.warn({ err: { message: (err as Error).message } }, 'survey comment not kept for staff'),
  );
  // A survey that fails to be asked is logged (the handoff's onError, or here); the staff action stands.
  handoffs.afterStaffClose((closed) => survey.afterHandoffClosed(closed));
  tickets.afterResolved(
    (ticket) => survey.afterTicketResolved(ticket),
    (err) => logger.warn({ err: { message: (err as Error).message } }, 'satisfaction survey not asked after a resolved ticket'),
  );
  const staffConversation = o.teams?.staffConversation;
  const teamsStaff = staffConversation
    ? new TeamsStaffChannel(
        handoffs,
        new AdapterTeamsPoster(adapter, appId),
        staffConversation,
        stateStorage,
        (err, context) => logger.warn({ context, err: { message: (err as Error).message } }, 'teams staff channel post failed'),
        // Every instance hears every event: the shared store decides which one posts.
        stores.documents,
        serviceLevel,
      )
    : null;
  const parts = buildBot({
    knowledge: o.knowledge,
    triage: o.models.triage,
    topics: o.models.topics,
    storage: stateStorage,
    warranty: new WarrantyCheck(o.registry, o.knowledge.warrantyPolicies, () => calendarDay(now())),
    tickets,
    handoffs,
    sentiment: new NegativeSentiment(),
    staffedHoursText: `${o.handoff.staffedHours} (${o.handoff.timeZone})`,
    now,
    logger,
    outcomes,
    survey,
    ...(teamsStaff ? { staffRouter: teamsStaff } : {}),
  });
  const staffTokens = new StaffTokens(stores.staffTokens, now);
  const staffApi: StaffApiDeps = {
    tokens: staffTokens,
    audit: new AuditLog(stores.audit, now),
    tickets,
    handoffs,
    logger,
    // The console's "typing…" goes straight through the channels, not the outbox: nothing to retry or record.
    typing: { sender: messenger },
    cannedReplies: o.knowledge.cannedReplies,
    presence,
    serviceLevel,
  };
  runner = createTurnRunner(parts, logger, inFlight);
  runner.attach(adapter);
  runner.attach(directLine);
  return { botFramework, directLine, runner, stateStorage, tickets, handoffs, deliveries, parts, staffApi, staffTokens, teamsStaff, presence, serviceLevel, outcomes, insights: stores.outcomes, surveyComments: stores.surveyComments };
}
