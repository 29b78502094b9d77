import path from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import pino from 'pino';
import { buildBot, type BotDependencies, type BotParts } from '../../src/bot/buildBot.js';
import { BotFrameworkEndpoint } from '../../src/channels/botframework/BotFrameworkEndpoint.js';
import { createAdapter, createTurnRunner } from '../../src/bot/createTurnRunner.js';
import type { TurnRunner } from '../../src/bot/TurnRunner.js';
import { ClientLimits, DEFAULT_LIMITS } from '../../src/http/ClientLimits.js';
import { createApp, type Readiness } from '../../src/http/app.js';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/KnowledgeBase.js';
import { buildTriage } from '../../src/language/buildTriage.js';
import { listen } from '../../src/server.js';
import { seedRegistryIfEmpty } from '../../src/devices/seedSampleRegistry.js';
import type { DeviceRegistry } from '../../src/domain/devices/DeviceRegistry.js';
import { calendarDay } from '../../src/domain/warranty/calendar.js';
import { WarrantyCheck } from '../../src/domain/warranty/WarrantyCheck.js';
import { DocumentDeviceRegistry } from '../../src/storage/DocumentDeviceRegistry.js';
import { MemoryDocumentStore } from './MemoryDocumentStore.js';
import { documentStores, type SupportStores } from '../../src/storage/SupportStores.js';
import { composeSupportDesk } from '../../src/composeSupportDesk.js';
import { HandoffService } from '../../src/domain/handoff/HandoffService.js';
import { StaffedHours } from '../../src/domain/handoff/StaffedHours.js';
import { InMemoryCustomerDeliveries } from '../../src/domain/delivery/InMemoryCustomerDeliveries.js';
import type { CustomerMessenger } from '../../src/domain/ports/CustomerMessenger.js';
import type { ConversationAddress } from '../../src/domain/tickets/Ticket.js';
import { TicketService } from '../../src/domain/tickets/TicketService.js';
import { DocumentHandoffStore } from '../../src/storage/DocumentHandoffStore.js';
import { DocumentTicketStore } from '../../src/storage/DocumentTicketStore.js';
import { NegativeSentiment } from '../../src/language/NegativeSentiment.js';

export const KNOWLEDGE_DIR = path.resolve(import.meta.dirname, '../../knowledge');
export const THRESHOLD = 0.55;

let cached: Promise<{ knowledge: KnowledgeBase } & ReturnType<typeof buildTriage>> | undefined;

/**
 * The services and bot as main.ts wires them, on an in-memory store (or the `stores` given: lowdb,
 * PostgreSQL), staffed around the clock.
 */
export async function testDesk(now: () => Date = () => new Date(), options: { appId?: string; stores?: SupportStores } = {}) {
  return composeSupportDesk({
    stores: options.stores ?? documentStores(new MemoryDocumentStore()),
    ...(await modelsAndKnowledge()),
    registry: await sampleRegistry(),
    botAuth: options.appId
      ? { MicrosoftAppId: options.appId, MicrosoftAppPassword: 'test-password', MicrosoftAppType: 'MultiTenant' }
      : { MicrosoftAppType: 'MultiTenant' },
    handoff: { staffedHours: '24x7', timeZone: 'UTC', averageMinutes: 6 },
    logger: silentLogger,
    now,
  });
}

/** Knowledge and the trained models in the shape composeSupportDesk takes. */
export async function modelsAndKnowledge() {
  const { knowledge, triage, topics } = await trainedTriage();
  return { knowledge, models: { triage, topics } };
}

/** Knowledge and trained models, once per test file. */
export function trainedTriage() {
  cached ??= loadKnowledge(KNOWLEDGE_DIR).then((knowledge) => ({ knowledge, ...buildTriage(knowledge, THRESHOLD) }));
  return cached;
}

export const fixedClock = (iso = '2026-03-02T10:00:00Z') => () => new Date(iso);

/** The day the sample registry's edge cases are built around (knowledge/devices/sample-registry.csv). */
export const SAMPLE_REGISTRY_DAY = '2026-11-28T09:00:00Z';

let registry: Promise<DeviceRegistry> | undefined;

/** The shipped sample registry, imported once per test file into an in-memory store. */
export function sampleRegistry(): Promise<DeviceRegistry> {
  registry ??= (async () => {
    const { knowledge } = await trainedTriage();
    const r = new DocumentDeviceRegistry(new MemoryDocumentStore());
    await seedRegistryIfEmpty(r, knowledge.sampleRegistryFile);
    return r;
  })();
  return registry;
}

/** Messages the bot would send proactively (ticket updates, agent messages), recorded. */
export class RecordingMessenger implements CustomerMessenger {
  readonly sent: Array<{ address: ConversationAddress; text: string }> = [];
  async send(address: ConversationAddress, text: string): Promise<void> {
    this.sent.push({ address, text });
  }
}

export interface TestServices {
  tickets: TicketService;
  handoffs: HandoffService;
  messenger: RecordingMessenger;
  /** The outbox in front of the messenger: `await deliveries.idle()` before reading `messenger.sent`. */
  deliveries: InMemoryCustomerDeliveries;
  store: MemoryDocumentStore;
  /** The staffed hours as the bot says them, the way the composition root words them. */
  staffedHoursText: string;
}

/** Ticket and handoff services on an in-memory store; staffed around the clock unless told otherwise. */
export function testServices(now: () => Date = fixedClock(), staffedHours = '24x7'): TestServices {
  const store = new MemoryDocumentStore();
  const messenger = new RecordingMessenger();
  const deliveries = new InMemoryCustomerDeliveries(messenger);
  const tickets = new TicketService(new DocumentTicketStore(store), deliveries, now);
  const handoffs = new HandoffService(new DocumentHandoffStore(store), tickets, deliveries, new StaffedHours(staffedHours, 'UTC'), now, { averageMinutes: 6 });
  return { tickets, handoffs, messenger, deliveries, store, staffedHoursText: `${staffedHours} (UTC)` };
}

export async function testBot(
  storage: Storage = new MemoryStorage(),
  now: () => Date = fixedClock(),
  services: TestServices = testServices(now),
  extra: Pick<BotDependencies, 'staffRouter'> = {},
): Promise<BotParts> {
  const { knowledge, triage, topics } = await trainedTriage();
  const warranty = new WarrantyCheck(await sampleRegistry(), knowledge.warrantyPolicies, () => calendarDay(now()));
  return buildBot({
    knowledge,
    triage,
    topics,
    storage,
    warranty,
    tickets: services.tickets,
    handoffs: services.handoffs,
    sentiment: new NegativeSentiment(),
    staffedHoursText: services.staffedHoursText,
    now,
    ...extra,
  });
}

export const silentLogger = pino({ level: 'silent' });

/** Limits far above what a test sends: the tests of the limits themselves pass their own. */
export function relaxedLimits(): ClientLimits {
  return new ClientLimits({ ...DEFAULT_LIMITS, requestsPerMinute: 100_000, tokensPerMinute: 10_000, conversationsPerMinute: 10_000, messagesPerMinute: 10_000, failedAuthPerMinute: 10_000 });
}

/** The real HTTP app on an ephemeral port, with the bot wired as main.ts wires it. */
export async function startTestServer(
  options: { storage?: Storage; readiness?: Readiness; ready?: boolean; appId?: string; services?: TestServices; now?: () => Date; limits?: ClientLimits } = {},
) {
  const services = options.services ?? testServices(options.now ?? fixedClock());
  const parts = await testBot(options.storage, options.now ?? fixedClock(), services);
  const botAuth = options.appId
    ? ({ MicrosoftAppId: options.appId, MicrosoftAppPassword: 'test-password', MicrosoftAppType: 'MultiTenant' } as const)
    : ({ MicrosoftAppType: 'MultiTenant' } as const);
  const adapter = createAdapter(botAuth);
  let runner: TurnRunner | null = null;
  if (options.ready !== false) {
    runner = createTurnRunner(parts, silentLogger);
    runner.attach(adapter);
  }
  const endpoint = new BotFrameworkEndpoint({ adapter, ...(options.appId ? { appId: options.appId } : {}), runner: () => runner });
  const app = createApp({
    logger: silentLogger,
    readiness: options.readiness ?? { checks: async () => ({ knowledge: true, store: true }) },
    limits: options.limits ?? relaxedLimits(),
    plugins: [endpoint],
  });
  const port = await listen(app, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    parts,
    close: () => new Promise<void>((resolve) => app.close(() => resolve())),
  };
}

let activityCounter = 0;
export function messageActivity(text: string, conversationId: string, extra: Record<string, unknown> = {}) {
  activityCounter += 1;
  return {
    type: 'message',
    id: `a${activityCounter}`,
    text,
    from: { id: 'u1', name: 'Customer' },
    recipient: { id: 'bot' },
    conversation: { id: conversationId },
    channelId: 'webchat',
    serviceUrl: 'http://localhost:3978',
    deliveryMode: 'expectReplies',
    ...extra,
  };
}
