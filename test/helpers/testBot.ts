import path from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import pino from 'pino';
import { buildBot, type BotParts } from '../../src/bot/buildBot.js';
import { createRuntime } from '../../src/bot/createRuntime.js';
import { createApp, type BotRuntime, type Readiness } from '../../src/http/app.js';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/KnowledgeBase.js';
import { buildTriage } from '../../src/language/buildTriage.js';
import { listen } from '../../src/server.js';

export const KNOWLEDGE_DIR = path.resolve(import.meta.dirname, '../../knowledge');
export const THRESHOLD = 0.55;

let cached: Promise<{ knowledge: KnowledgeBase } & ReturnType<typeof buildTriage>> | undefined;

/** Knowledge and trained models, once per test file. */
export function trainedTriage() {
  cached ??= loadKnowledge(KNOWLEDGE_DIR).then((knowledge) => ({ knowledge, ...buildTriage(knowledge, THRESHOLD) }));
  return cached;
}

export const fixedClock = (iso = '2026-03-02T10:00:00Z') => () => new Date(iso);

export async function testBot(storage: Storage = new MemoryStorage()): Promise<BotParts> {
  const { knowledge, triage, topics } = await trainedTriage();
  return buildBot({ knowledge, triage, topics, storage, now: fixedClock() });
}

export const silentLogger = pino({ level: 'silent' });

/** The real HTTP app on an ephemeral port, with the bot wired as main.ts wires it. */
export async function startTestServer(options: { storage?: Storage; readiness?: Readiness; runtime?: BotRuntime | null; appId?: string } = {}) {
  const parts = await testBot(options.storage);
  const runtime =
    options.runtime === undefined
      ? createRuntime(
          parts,
          options.appId
            ? { MicrosoftAppId: options.appId, MicrosoftAppPassword: 'test-password', MicrosoftAppType: 'MultiTenant' }
            : { MicrosoftAppType: 'MultiTenant' },
          silentLogger,
        )
      : options.runtime;
  const app = createApp({ logger: silentLogger, runtime: () => runtime, readiness: options.readiness ?? { checks: async () => ({ knowledge: true, store: true }) } });
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
