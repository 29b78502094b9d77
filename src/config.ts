import path from 'node:path';
import { z } from 'zod';
import proxyaddr from 'proxy-addr';
import { StaffedHours, StaffedHoursError } from './domain/handoff/StaffedHours.js';
import { DEFAULT_VENDOR_NAME } from './domain/Vendor.js';
import { DEFAULT_LIMITS, type LimitsConfig } from './http/ClientLimits.js';
import { PRESENCE_POLICIES, type PresencePolicy } from './domain/staff/AgentPresence.js';

// The only module that reads process.env. Empty strings count as "not set" so that a
// .env.example copied as-is behaves like no configuration at all.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((v) => (v === '' || v === undefined ? fallback : v), schema);

/**
 * TEAMS_STAFF_CONVERSATION: the ConversationReference (JSON) of the Teams channel that staff watch.
 * Get it from any activity the bot receives in that channel (channelId, serviceUrl, conversation,
 * bot; `conversation.id` is the channel's "19:…@thread.tacv2", without ";messageid=").
 */
export const TeamsStaffConversationSchema = z
  .object({
    channelId: z.literal('msteams', { error: 'must be "msteams"' }),
    serviceUrl: z.url({ protocol: /^https$/, error: 'must be the https serviceUrl Teams sent' }),
    conversation: z
      .object({
        id: z
          .string()
          .regex(/^19:[^;]+$/, 'must be a Teams channel id ("19:…@thread.tacv2", without ";messageid=")'),
        tenantId: z.string().min(1).optional(),
        conversationType: z.string().optional(),
        isGroup: z.boolean().optional(),
      })
      .loose(),
    bot: z.object({ id: z.string().min(1), name: z.string().optional() }).loose().optional(),
  })
  .loose();
export type TeamsStaffConversation = z.infer<typeof TeamsStaffConversationSchema>;

const jsonOf = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v, ctx) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
      return z.NEVER;
    }
  }, schema);

/** A per-minute allowance: a whole number from 1 up. */
const perMinute = z.coerce.number().int().min(1).max(1_000_000);

const EnvSchema = z
  .object({
    PORT: withDefault(z.coerce.number().int().min(0).max(65535), 3978),
    HOST: withDefault(z.string().min(1), '0.0.0.0'),
    LOG_LEVEL: withDefault(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
    DATA_DIR: withDefault(z.string().min(1), './data'),
    KNOWLEDGE_DIR: withDefault(z.string().min(1), './knowledge'),
    STORE: withDefault(z.enum(['lowdb', 'postgres']), 'lowdb'),
    DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')),
    TRIAGE_CONFIDENCE_THRESHOLD: withDefault(z.coerce.number().min(0).max(1), 0.55),
    CONVERSATION_TTL_DAYS: withDefault(z.coerce.number().positive(), 30),
    MicrosoftAppId: optional(z.string().min(1)),
    MicrosoftAppPassword: optional(z.string().min(1)),
    MicrosoftAppType: withDefault(z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']), 'MultiTenant'),
    MicrosoftAppTenantId: optional(z.string().min(1)),
    STAFFED_HOURS: withDefault(z.string(), 'Mon-Fri 08:00-18:00').superRefine((schedule, ctx) => {
      const problem = staffedHoursProblem(schedule, 'UTC');
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    STAFF_TIMEZONE: withDefault(z.string(), 'UTC').superRefine((zone, ctx) => {
      const problem = staffedHoursProblem('24x7', zone);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    HANDOFF_AVG_MINUTES: withDefault(z.coerce.number().positive().max(24 * 60), 6),
    ABANDONED_AFTER_MINUTES: withDefault(z.coerce.number().positive().max(7 * 24 * 60), 30),
    AGENT_MAX_ACTIVE_CHATS: withDefault(z.coerce.number().int().min(1).max(100), 3),
    PRESENCE_REQUIRED: withDefault(z.enum(PRESENCE_POLICIES), 'auto'),
    PRESENCE_TIMEOUT_MINUTES: withDefault(z.coerce.number().min(0.5).max(24 * 60), 2),
    SLA_WARN_MINUTES: withDefault(z.coerce.number().int().min(1).max(119, 'must be under the 2-hour first-response time'), 30),
    // The one name the bot speaks for the vendor with (Teams allows 30 characters for an app's short name).
    VENDOR_NAME: withDefault(z.string().trim().min(1).max(30), DEFAULT_VENDOR_NAME),
    // Absent: the vendor's name.
    WIDGET_TITLE: optional(z.string().min(1).max(80)),
    WIDGET_COLOR: withDefault(z.string().regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/, 'must be a hex colour like #0063b1'), '#0063b1'),
    WIDGET_WELCOME: withDefault(
      z.string().min(1).max(300),
      'Describe a problem with your cameras or recorder, check a warranty, or follow up on a ticket.',
    ),
    DIRECT_LINE_SECRET: optional(z.string().min(16, 'looks too short for a Direct Line secret')),
    DIRECT_LINE_TOKEN_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
    TEAMS_STAFF_CONVERSATION: optional(jsonOf(TeamsStaffConversationSchema)),
    RATE_REQUESTS_PER_MINUTE: withDefault(perMinute, DEFAULT_LIMITS.requestsPerMinute),
    RATE_TOKENS_PER_MINUTE: withDefault(perMinute, DEFAULT_LIMITS.tokensPerMinute),
    RATE_CONVERSATIONS_PER_MINUTE: withDefault(perMinute, DEFAULT_LIMITS.conversationsPerMinute),
    RATE_MESSAGES_PER_MINUTE: withDefault(perMinute, DEFAULT_LIMITS.messagesPerMinute),
    RATE_FAILED_AUTH_PER_MINUTE: withDefault(perMinute, DEFAULT_LIMITS.failedAuthPerMinute),
    TRUSTED_PROXIES: withDefault(
      z
        .string()
        .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean))
        .superRefine((list, ctx) => {
          try {
            proxyaddr.compile(list);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: `must be IP addresses, CIDR ranges or loopback/linklocal/uniquelocal (${(err as Error).message})` });
          }
        }),
      '',
    ),
  })
  .superRefine((env, ctx) => {
    if (env.STORE === 'postgres' && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when STORE=postgres' });
    }
    // Several instances serve one widget conversation: each must accept the others' tokens.
    if (env.STORE === 'postgres' && !env.DIRECT_LINE_TOKEN_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['DIRECT_LINE_TOKEN_SECRET'], message: 'is required when STORE=postgres (every instance must sign the widget\'s tokens with the same key; e.g. `openssl rand -base64 48`)' });
    }
    if (env.MicrosoftAppId && env.MicrosoftAppType !== 'UserAssignedMSI' && !env.MicrosoftAppPassword) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'is required when MicrosoftAppId is set' });
    }
    if (env.MicrosoftAppType === 'SingleTenant' && !env.MicrosoftAppTenantId) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'is required when MicrosoftAppType=SingleTenant' });
    }
  });

/** The StaffedHours parse error without its prefix, or null when the schedule and zone are good. */
function staffedHoursProblem(schedule: string, timeZone: string): string | null {
  try {
    new StaffedHours(schedule, timeZone);
    return null;
  } catch (err) {
    if (err instanceof StaffedHoursError) return err.reason;
    throw err;
  }
}

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  knowledgeDir: string;
  /** VENDOR_NAME: who the bot speaks for (greetings, widget title, warranty and service answers). */
  vendorName: string;
  store: { kind: 'lowdb' } | { kind: 'postgres'; url: string };
  triageConfidenceThreshold: number;
  conversationTtlMs: number;
  /** Passed to botbuilder's ConfigurationBotFrameworkAuthentication; no app id = anonymous (Emulator). */
  botAuth: {
    MicrosoftAppId?: string;
    MicrosoftAppPassword?: string;
    MicrosoftAppType: Env['MicrosoftAppType'];
    MicrosoftAppTenantId?: string;
  };
  /** Human handoff: when staff are at the console (a StaffedHours schedule in an IANA zone), and the
   * average handling time per customer (minutes) that queue-wait estimates are based on. */
  handoff: { staffedHours: string; timeZone: string; averageMinutes: number };
  /** Insights: a support request with no customer message for this long (and no fix, ticket or person) is abandoned (ABANDONED_AFTER_MINUTES). */
  insights: { abandonedAfterMs: number };
  /** The agents: active chats allowed per agent (AGENT_MAX_ACTIVE_CHATS), whether presence decides
   * handoffs (PRESENCE_REQUIRED) and how long a silent console still counts (PRESENCE_TIMEOUT_MINUTES). */
  agents: { maxActiveChats: number; presencePolicy: PresencePolicy; presenceTimeoutMs: number };
  /** The first-response service level: how long before the due time a ticket counts as at risk (SLA_WARN_MINUTES). */
  serviceLevel: { warnBeforeMs: number };
  /** The website widget: how it looks; Azure Direct Line's secret (absent = the bot's own Direct Line);
   * the key that signs the self-hosted Direct Line tokens (required with STORE=postgres; absent on the
   * embedded store = one generated and kept in DATA_DIR). */
  widget: { title: string; color: string; welcome: string; directLineSecret?: string; tokenSecret?: string };
  /** Teams: the channel where handoff requests are posted for staff (optional). */
  teams: { staffConversation?: TeamsStaffConversation };
  /** Per-client rate limits (RATE_*) and the reverse proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES). */
  limits: LimitsConfig;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; a bad value throws one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.') ?? '(environment)';
    // Secrets are never echoed back, not even in an error.
    const shown = /password|secret|token|url/i.test(name) ? '' : ` (got ${JSON.stringify(env[name] ?? null)})`;
    throw new ConfigError(`config: ${name}: ${issue?.message ?? 'invalid'}${shown}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(e.DATA_DIR),
    knowledgeDir: path.resolve(e.KNOWLEDGE_DIR),
    vendorName: e.VENDOR_NAME,
    store: e.STORE === 'postgres' && e.DATABASE_URL ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'lowdb' },
    triageConfidenceThreshold: e.TRIAGE_CONFIDENCE_THRESHOLD,
    conversationTtlMs: e.CONVERSATION_TTL_DAYS * 24 * 60 * 60 * 1000,
    botAuth: {
      MicrosoftAppId: e.MicrosoftAppId,
      MicrosoftAppPassword: e.MicrosoftAppPassword,
      MicrosoftAppType: e.MicrosoftAppType,
      MicrosoftAppTenantId: e.MicrosoftAppTenantId,
    },
    handoff: { staffedHours: e.STAFFED_HOURS, timeZone: e.STAFF_TIMEZONE, averageMinutes: e.HANDOFF_AVG_MINUTES },
    insights: { abandonedAfterMs: e.ABANDONED_AFTER_MINUTES * 60_000 },
    agents: { maxActiveChats: e.AGENT_MAX_ACTIVE_CHATS, presencePolicy: e.PRESENCE_REQUIRED, presenceTimeoutMs: e.PRESENCE_TIMEOUT_MINUTES * 60_000 },
    serviceLevel: { warnBeforeMs: e.SLA_WARN_MINUTES * 60_000 },
    widget: {
      title: e.WIDGET_TITLE ?? e.VENDOR_NAME,
      color: e.WIDGET_COLOR,
      welcome: e.WIDGET_WELCOME,
      directLineSecret: e.DIRECT_LINE_SECRET,
      tokenSecret: e.DIRECT_LINE_TOKEN_SECRET,
    },
    teams: e.TEAMS_STAFF_CONVERSATION ? { staffConversation: e.TEAMS_STAFF_CONVERSATION } : {},
    limits: {
      requestsPerMinute: e.RATE_REQUESTS_PER_MINUTE,
      tokensPerMinute: e.RATE_TOKENS_PER_MINUTE,
      conversationsPerMinute: e.RATE_CONVERSATIONS_PER_MINUTE,
      messagesPerMinute: e.RATE_MESSAGES_PER_MINUTE,
      failedAuthPerMinute: e.RATE_FAILED_AUTH_PER_MINUTE,
      trustedProxies: e.TRUSTED_PROXIES,
    },
  };
}

/** `npm run teams:package` needs only the app id (a GUID), not the bot's password, and the vendor's name. */
export function loadTeamsPackageConfig(env: NodeJS.ProcessEnv = process.env): { appId: string; vendorName: string } {
  const parsed = z
    .object({
      MicrosoftAppId: z.preprocess((v) => (v === '' ? undefined : v), z.guid({ error: 'must be the Azure Bot\'s Microsoft App ID (a GUID)' })),
      VENDOR_NAME: EnvSchema.shape.VENDOR_NAME,
    })
    .safeParse(env);
  if (!parsed.success) {
    const got = env.MicrosoftAppId ? ` (got ${JSON.stringify(env.MicrosoftAppId)})` : ' (not set)';
    throw new ConfigError(`config: MicrosoftAppId: ${parsed.error.issues[0]?.message ?? 'invalid'}${got}`);
  }
  return { appId: parsed.data.MicrosoftAppId, vendorName: parsed.data.VENDOR_NAME };
}
