/**
 * The services and the bot on one store: tickets, handoffs, warranty, the dialogs, the adapter and
 * what the staff API needs. main.ts calls it with the configured store; tests call it with an
 * in-memory one, so they exercise the same wiring the server runs.
 */
import type { Logger } from 'pino';
import { BotCustomerMessenger } from './bot/BotCustomerMessenger.js';
import { buildBot, type BotParts } from './bot/buildBot.js';
import { createAdapter, createRuntime } from './bot/createRuntime.js';
import type { SupportAdapter } from './bot/SupportAdapter.js';
import { AdapterTeamsPoster, TeamsStaffChannel } from './channels/teams/TeamsStaffChannel.js';
import type { Config } from './config.js';
import type { DeviceRegistry } from './domain/devices/DeviceRegistry.js';
import { HandoffService } from './domain/handoff/HandoffService.js';
import { StaffedHours } from './domain/handoff/StaffedHours.js';
import type { DocumentStore } from './domain/ports/DocumentStore.js';
import { AuditLog } from './domain/staff/AuditLog.js';
import { StaffTokens } from './domain/staff/StaffTokens.js';
import { TicketService } from './domain/tickets/TicketService.js';
import { calendarDay } from './domain/warranty/calendar.js';
import { WarrantyCheck } from './domain/warranty/WarrantyCheck.js';
import type { BotRuntime } from './http/app.js';
import type { StaffApiDeps } from './http/staffApi.js';
import type { KnowledgeBase } from './knowledge/KnowledgeBase.js';
import type { buildTriage } from './language/buildTriage.js';
import { NegativeSentiment } from './language/NegativeSentiment.js';
import { BotStateStorage } from './storage/BotStateStorage.js';
import { DocumentAuditStore } from './storage/DocumentAuditStore.js';
import { DocumentHandoffStore } from './storage/DocumentHandoffStore.js';
import { DocumentStaffTokenStore } from './storage/DocumentStaffTokenStore.js';
import { DocumentTicketStore } from './storage/DocumentTicketStore.js';

export interface SupportDeskOptions {
  store: DocumentStore;
  knowledge: KnowledgeBase;
  models: ReturnType<typeof buildTriage>;
  registry: DeviceRegistry;
  botAuth: Config['botAuth'];
  handoff: Config['handoff'];
  teams?: Config['teams'];
  logger: Logger;
  now: () => Date;
}

export interface SupportDesk {
  adapter: SupportAdapter;
  stateStorage: BotStateStorage;
  tickets: TicketService;
  handoffs: HandoffService;
  parts: BotParts;
  runtime: BotRuntime;
  staffApi: StaffApiDeps;
  staffTokens: StaffTokens;
  /** Posting queued handoffs to a Teams channel, when TEAMS_STAFF_CONVERSATION is set. */
  teamsStaff: TeamsStaffChannel | null;
}

export function composeSupportDesk(o: SupportDeskOptions): SupportDesk {
  const { store, logger, now } = o;
  const stateStorage = new BotStateStorage(store);
  const adapter = createAdapter(o.botAuth);
  const appId = o.botAuth.MicrosoftAppId ?? '';
  const messenger = new BotCustomerMessenger(adapter, appId, logger);
  const tickets = new TicketService(new DocumentTicketStore(store), messenger, now);
  const handoffs = new HandoffService(new DocumentHandoffStore(store), tickets, messenger, new StaffedHours(o.handoff.staffedHours, o.handoff.timeZone), now, {
    averageMinutes: o.handoff.averageMinutes,
    onError: (err, context) => logger.warn({ context, err: { message: (err as Error).message } }, 'handoff side effect failed'),
  });
  const staffConversation = o.teams?.staffConversation;
  const teamsStaff = staffConversation
    ? new TeamsStaffChannel(handoffs, new AdapterTeamsPoster(adapter, appId), staffConversation, stateStorage, (err, context) =>
        logger.warn({ context, err: { message: (err as Error).message } }, 'teams staff channel post failed'),
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
    ...(teamsStaff ? { staffRouter: teamsStaff } : {}),
  });
  const staffTokens = new StaffTokens(new DocumentStaffTokenStore(store), now);
  const staffApi: StaffApiDeps = {
    tokens: staffTokens,
    audit: new AuditLog(new DocumentAuditStore(store), now),
    tickets,
    handoffs,
    logger,
  };
  return { adapter, stateStorage, tickets, handoffs, parts, runtime: createRuntime(parts, adapter, o.botAuth, logger), staffApi, staffTokens, teamsStaff };
}
