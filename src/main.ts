/**
 * The composition root: config → stores → knowledge and services → dialogs → bot → HTTP server.
 * Nothing else reads the environment or creates long-lived objects.
 */
import './threadpool.js';
import { buildBot } from './bot/buildBot.js';
import { BotCustomerMessenger } from './bot/BotCustomerMessenger.js';
import { createAdapter, createRuntime } from './bot/createRuntime.js';
import { HandoffService } from './domain/handoff/HandoffService.js';
import { StaffedHours } from './domain/handoff/StaffedHours.js';
import { TicketService } from './domain/tickets/TicketService.js';
import { NegativeSentiment } from './language/NegativeSentiment.js';
import { DocumentHandoffStore } from './storage/DocumentHandoffStore.js';
import { DocumentTicketStore } from './storage/DocumentTicketStore.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { DocumentStore } from './domain/ports/DocumentStore.js';
import { createApp, type BotRuntime } from './http/app.js';
import { registerStaffApi } from './http/staffApi.js';
import { AuditLog } from './domain/staff/AuditLog.js';
import { StaffTokens } from './domain/staff/StaffTokens.js';
import { DocumentAuditStore } from './storage/DocumentAuditStore.js';
import { DocumentStaffTokenStore } from './storage/DocumentStaffTokenStore.js';
import { InFlightTurns } from './http/InFlightTurns.js';
import { ConversationFeeds } from './channels/directline/ConversationFeeds.js';
import { DirectLineTokens } from './channels/directline/DirectLineTokens.js';
import { loadKnowledge } from './knowledge/KnowledgeBase.js';
import { buildTriage } from './language/buildTriage.js';
import { createLogger } from './logger.js';
import { closeOnSignals, listen } from './server.js';
import { BotStateStorage } from './storage/BotStateStorage.js';
import { DocumentDeviceRegistry } from './storage/DocumentDeviceRegistry.js';
import { seedRegistryIfEmpty } from './devices/seedSampleRegistry.js';
import { WarrantyCheck } from './domain/warranty/WarrantyCheck.js';
import { calendarDay } from './domain/warranty/calendar.js';
import { openStore } from './storage/openStore.js';
import { AdapterTeamsPoster, TeamsStaffChannel } from './channels/teams/TeamsStaffChannel.js';

const EXPIRY_SWEEP_MS = 60 * 60 * 1000;


async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const now = () => new Date();

  let runtime: BotRuntime | null = null;
  let store: DocumentStore | null = null;
  const inFlight = new InFlightTurns();
  const app = createApp({
    logger,
    inFlight,
    runtime: () => runtime,
    webChat: {
      look: { title: config.widget.title, color: config.widget.color, welcome: config.widget.welcome },
      tokens: new DirectLineTokens(config.widget.tokenSecret),
      feeds: new ConversationFeeds(),
      ...(config.widget.directLineSecret ? { azureSecret: config.widget.directLineSecret } : {}),
    },
    readiness: {
      checks: async () => ({ knowledge: runtime !== null, store: store ? await store.ready() : false }),
    },
  });
  // Listen first so /healthz answers while the models train; /readyz says when turns can be served.
  const port = await listen(app, config.port, config.host);
  logger.info({ port, store: config.store.kind, auth: config.botAuth.MicrosoftAppId ? 'bot-framework' : 'anonymous' }, 'listening');

  const knowledge = await loadKnowledge(config.knowledgeDir);
  const { triage, topics } = buildTriage(knowledge, config.triageConfidenceThreshold);
  store = await openStore(config);
  const stateStorage = new BotStateStorage(store);
  const registry = new DocumentDeviceRegistry(store);
  const seeded = await seedRegistryIfEmpty(registry, knowledge.sampleRegistryFile);
  if (seeded.seeded) logger.info({ devices: seeded.imported }, 'device registry was empty: imported the sample registry');
  const warranty = new WarrantyCheck(registry, knowledge.warrantyPolicies, () => calendarDay(now()));

  const adapter = createAdapter(config.botAuth);
  const messenger = new BotCustomerMessenger(adapter, config.botAuth.MicrosoftAppId ?? '', logger);
  const tickets = new TicketService(new DocumentTicketStore(store), messenger, now);
  const staffedHours = new StaffedHours(config.handoff.staffedHours, config.handoff.timeZone);
  const handoffs = new HandoffService(new DocumentHandoffStore(store), tickets, messenger, staffedHours, now, {
    averageMinutes: config.handoff.averageMinutes,
    onError: (err, context) => logger.warn({ context, err: { message: (err as Error).message } }, 'handoff side effect failed'),
  });
  // Staff in Teams (optional): queued handoffs are posted to a Teams channel with an Accept button.
  const teamsStaff = config.teams.staffConversation
    ? new TeamsStaffChannel(handoffs, new AdapterTeamsPoster(adapter, config.botAuth.MicrosoftAppId ?? ''), config.teams.staffConversation, stateStorage, (err, context) =>
        logger.warn({ context, err: { message: (err as Error).message } }, 'teams staff channel post failed'),
      )
    : null;
  teamsStaff?.start();
  const parts = buildBot({
    knowledge,
    triage,
    topics,
    storage: stateStorage,
    warranty,
    tickets,
    handoffs,
    sentiment: new NegativeSentiment(),
    staffedHoursText: `${config.handoff.staffedHours} (${config.handoff.timeZone})`,
    now,
    ...(teamsStaff ? { staffRouter: teamsStaff } : {}),
  });
  // Routes added after listen() are served from then on; until now they were 404 like any unknown path.
  registerStaffApi(app, {
    tokens: new StaffTokens(new DocumentStaffTokenStore(store), now),
    audit: new AuditLog(new DocumentAuditStore(store), now),
    tickets,
    handoffs,
    logger,
  });
  runtime = createRuntime(parts, adapter, config.botAuth, logger);
  logger.info({ clauses: knowledge.clauses.length, utterances: knowledge.training.length, guides: knowledge.guides.length }, 'ready');

  // Idle conversations are dropped so the store holds only live ones.
  const sweep = async () => {
    const removed = await stateStorage.expireIdleConversations(new Date(now().getTime() - config.conversationTtlMs));
    if (removed > 0) logger.info({ removed }, 'expired idle conversation state');
  };
  // Hourly, starting an hour after start-up: a sweep walks every stored conversation, which is
  // not worth doing while a restarted server is taking its first turns.
  const sweeper = setInterval(() => sweep().catch((err: Error) => logger.error({ err: { message: err.message } }, 'expiry sweep failed')), EXPIRY_SWEEP_MS);
  sweeper.unref();

  closeOnSignals(app, logger, async () => {
    clearInterval(sweeper);
    await inFlight.drained();
    teamsStaff?.stop();
    await teamsStaff?.idle();
    await store?.close();
  });
}

main().catch((err: Error) => {
  process.stderr.write(`start-up failed: ${err.message}\n`);
  process.exit(1);
});
