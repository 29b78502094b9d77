import { BotCustomerMessenger } from '../../src/bot/BotCustomerMessenger.js';
import { buildBot } from '../../src/bot/buildBot.js';
import { createAdapter, createRuntime } from '../../src/bot/createRuntime.js';
import { ConversationFeeds } from '../../src/channels/directline/ConversationFeeds.js';
import { DirectLineTokens } from '../../src/channels/directline/DirectLineTokens.js';
import { HandoffService } from '../../src/domain/handoff/HandoffService.js';
import { StaffedHours } from '../../src/domain/handoff/StaffedHours.js';
import { AuditLog } from '../../src/domain/staff/AuditLog.js';
import { StaffTokens } from '../../src/domain/staff/StaffTokens.js';
import { TicketService } from '../../src/domain/tickets/TicketService.js';
import { calendarDay } from '../../src/domain/warranty/calendar.js';
import { WarrantyCheck } from '../../src/domain/warranty/WarrantyCheck.js';
import { createApp } from '../../src/http/app.js';
import { registerStaffApi } from '../../src/http/staffApi.js';
import { NegativeSentiment } from '../../src/language/NegativeSentiment.js';
import { listen } from '../../src/server.js';
import { BotStateStorage } from '../../src/storage/BotStateStorage.js';
import { DocumentAuditStore } from '../../src/storage/DocumentAuditStore.js';
import { DocumentHandoffStore } from '../../src/storage/DocumentHandoffStore.js';
import { DocumentStaffTokenStore } from '../../src/storage/DocumentStaffTokenStore.js';
import { DocumentTicketStore } from '../../src/storage/DocumentTicketStore.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { sampleRegistry, silentLogger, trainedTriage } from '../helpers/testBot.js';

/**
 * The app as `npm start` assembles it (anonymous, in-memory store, staff 24x7), with the website
 * widget and the self-hosted Direct Line, listening on a free loopback port.
 */
export async function startWidgetApp(options: { tokenLifetimeSeconds?: number } = {}) {
  const now = () => new Date();
  const store = new MemoryDocumentStore();
  const { knowledge, triage, topics } = await trainedTriage();
  const botAuth = { MicrosoftAppType: 'MultiTenant' } as const;
  const adapter = createAdapter(botAuth);
  const messenger = new BotCustomerMessenger(adapter, '', silentLogger);
  const tickets = new TicketService(new DocumentTicketStore(store), messenger, now);
  const handoffs = new HandoffService(new DocumentHandoffStore(store), tickets, messenger, new StaffedHours('24x7'), now, { averageMinutes: 6 });
  const parts = buildBot({
    knowledge,
    triage,
    topics,
    storage: new BotStateStorage(store),
    warranty: new WarrantyCheck(await sampleRegistry(), knowledge.warrantyPolicies, () => calendarDay(now())),
    tickets,
    handoffs,
    sentiment: new NegativeSentiment(),
    staffedHoursText: 'around the clock',
    now,
  });
  const runtime = createRuntime(parts, adapter, botAuth, silentLogger);
  const staffTokens = new StaffTokens(new DocumentStaffTokenStore(store), now);
  const dlTokens = new DirectLineTokens('test-secret-test-secret-test-secret!', options.tokenLifetimeSeconds ?? 1800);
  const app = createApp({
    logger: silentLogger,
    runtime: () => runtime,
    readiness: { checks: async () => ({ ok: true }) },
    webChat: { look: { title: 'Acme Cameras', color: '#b1005e', welcome: 'Hello from Acme support.' }, tokens: dlTokens, feeds: new ConversationFeeds() },
  });
  registerStaffApi(app, { tokens: staffTokens, audit: new AuditLog(new DocumentAuditStore(store), now), tickets, handoffs, logger: silentLogger });
  const base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  return {
    base,
    tickets,
    handoffs,
    messenger,
    staffToken: await staffTokens.create('dana'),
    close: () => new Promise<void>((r) => app.close(() => r())),
  };
}
