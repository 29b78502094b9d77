/**
 * The composition root: config → stores → knowledge and services → dialogs → bot → HTTP server.
 * Nothing else reads the environment; the services and the bot are wired by composeSupportDesk.
 */
import './threadpool.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { composeSupportDesk } from './composeSupportDesk.js';
import { createAdapter } from './bot/createTurnRunner.js';
import { InFlightTurns } from './bot/InFlightTurns.js';
import type { TurnRunner } from './bot/TurnRunner.js';
import { BotFrameworkEndpoint } from './channels/botframework/BotFrameworkEndpoint.js';
import { DirectLineAdapter } from './channels/directline/DirectLineAdapter.js';
import { DirectLineChannel } from './channels/directline/DirectLineChannel.js';
import { DirectLineTokens } from './channels/directline/DirectLineTokens.js';
import { embeddedTokenSecret } from './channels/directline/tokenSecret.js';
import { webChatPlugin } from './channels/directline/webChat.js';
import { agentConsolePlugin } from './http/agentConsole.js';
import { createApp, registerPlugins } from './http/app.js';
import { ClientLimits } from './http/ClientLimits.js';
import { staffApiPlugin } from './http/staffApi.js';
import { insightsApiPlugin } from './http/insightsApi.js';
import { containProcessErrors } from './processGuards.js';
import { loadKnowledge } from './knowledge/KnowledgeBase.js';
import { buildTriage } from './language/buildTriage.js';
import { createLogger } from './logger.js';
import { closeOnSignals, listen } from './server.js';
import { DocumentDeviceRegistry } from './storage/DocumentDeviceRegistry.js';
import { seedRegistryIfEmpty } from './devices/seedSampleRegistry.js';
import { openStores, type SupportStores } from './storage/SupportStores.js';
import { AdminSocket } from './staffAdmin/adminSocket.js';
import { AuditLog } from './domain/staff/AuditLog.js';
import { StaffTokens } from './domain/staff/StaffTokens.js';
import { supportJobs } from './supportJobs.js';

/** The embedded store's Direct Line token key, generated on the first start and kept in DATA_DIR. */
async function keptTokenSecret(dataDir: string, logger: ReturnType<typeof createLogger>): Promise<string> {
  const kept = await embeddedTokenSecret(dataDir);
  if (kept.created) logger.info({ file: kept.file }, 'directline: generated the token key (kept across restarts; set DIRECT_LINE_TOKEN_SECRET to choose one)');
  if (kept.tightened) logger.warn({ file: kept.file }, 'directline: the token key file was readable by others; set its mode back to 0600');
  return kept.secret;
}

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

  // Nothing a client sends may stop the process: errors after a turn are logged and contained.
  containProcessErrors(logger);

  let runner: TurnRunner | null = null;
  let stores: SupportStores | null = null;
  const inFlight = new InFlightTurns();
  const appId = config.botAuth.MicrosoftAppId;
  // The channels exist before the bot, so the server can listen (and answer 503) while models train.
  const botFramework = new BotFrameworkEndpoint({ adapter: createAdapter(config.botAuth), ...(appId ? { appId } : {}), runner: () => runner });
  // Open before listening: the widget's conversations (feeds) live in the store, and its token key
  // must be the same after a restart (DIRECT_LINE_TOKEN_SECRET, or the embedded store's own in DATA_DIR).
  stores = await openStores(config, logger);
  // The embedded store's DATA_DIR is locked by this process from now on: the staff CLI asks it over
  // a local socket (on PostgreSQL the CLI writes to the database itself).
  const admin =
    config.store.kind === 'lowdb'
      ? await AdminSocket.listen(config.dataDir, { tokens: new StaffTokens(stores.staffTokens, now), audit: new AuditLog(stores.audit, now) }, logger).catch((err: Error) => {
          // The bot serves customers all the same; only the CLI needs the bot stopped then.
          logger.warn({ err: { message: err.message } }, 'admin socket: not started; stop the bot to run the staff CLI');
          return null;
        })
      : null;
  const directLine = new DirectLineAdapter(stores.feeds, now);
  const tokens = new DirectLineTokens(config.widget.tokenSecret ?? (await keptTokenSecret(config.dataDir, logger)));
  const app = createApp({
    logger,
    // Counted where the stores live: in memory on the embedded store, in PostgreSQL across instances.
    limits: new ClientLimits(config.limits, stores.clientLimiters),
    plugins: [
      botFramework,
      new DirectLineChannel({ tokens, adapter: directLine, runner: () => runner }),
      webChatPlugin({
        look: { title: config.widget.title, color: config.widget.color, welcome: config.widget.welcome },
        tokens,
        logger,
        ...(config.widget.directLineSecret ? { azureSecret: config.widget.directLineSecret } : {}),
      }),
      agentConsolePlugin,
    ],
    readiness: {
      checks: async () => ({ knowledge: runner !== null, store: stores ? await stores.ready() : false }),
    },
  });
  // Listen first so /healthz answers while the models train; /readyz says when turns can be served.
  const port = await listen(app, config.port, config.host);
  logger.info({ port, store: config.store.kind, auth: config.botAuth.MicrosoftAppId ? 'bot-framework' : 'anonymous' }, 'listening');

  // With the service promise and the warranty answer phrases; `{vendor}` filled with VENDOR_NAME.
  const knowledge = await loadKnowledge(config.knowledgeDir, { vendorName: config.vendorName });
  const models = buildTriage(knowledge, config.triageConfidenceThreshold);
  const registry = new DocumentDeviceRegistry(stores.documents);
  const seeded = await seedRegistryIfEmpty(registry, knowledge.sampleRegistryFile);
  if (seeded.seeded) logger.info({ devices: seeded.imported }, 'device registry was empty: imported the sample registry');

  const desk = composeSupportDesk({
    stores, knowledge, models, registry, botAuth: config.botAuth, handoff: config.handoff, agents: config.agents, serviceLevel: config.serviceLevel, teams: config.teams, logger, now,
    channels: { botFramework, directLine },
    inFlight,
  });
  const { teamsStaff } = desk;
  teamsStaff?.start();
  // Routes added after listen() are served from then on; until now they were 404 like any unknown path.
  registerPlugins(app, [staffApiPlugin(desk.staffApi), insightsApiPlugin({ tokens: desk.staffTokens, insights: desk.insights, comments: desk.surveyComments, guideTitles: new Map(knowledge.guides.map((g) => [g.id, g.title])), logger })]);
  runner = desk.runner;
  logger.info({ clauses: knowledge.clauses.length, utterances: knowledge.training.length, guides: knowledge.guides.length }, 'ready');
  // The first thing a newcomer needs: where to click.
  const base = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
  logger.info({ widget: `${base}/`, console: `${base}/agent`, botFramework: `${base}/api/messages` }, `open ${base}/ for the website widget, ${base}/agent for the agent console`);

  // Idle-conversation expiry, first-response due times, queue-position notices: once across
  // instances (a claimed period in PostgreSQL), or a timer in this one process on the embedded store.
  stores.scheduler.start(supportJobs({ desk, stores, conversationTtlMs: config.conversationTtlMs, abandonedAfterMs: config.insights.abandonedAfterMs, logger, now }).jobs);

  closeOnSignals(app, logger, async () => {
    await admin?.close();
    await stores?.scheduler.stop();
    await inFlight.drained();
    // Messages already accepted for customers get a few seconds; what has not started is reported
    // failed (embedded store) or stays in the deliveries table for the other instances (PostgreSQL).
    await desk.deliveries.drain(5_000);
    teamsStaff?.stop();
    await teamsStaff?.idle();
    await stores?.close();
  });
}

main().catch((err: Error) => {
  process.stderr.write(`start-up failed: ${err.message}\n`);
  process.exit(1);
});
