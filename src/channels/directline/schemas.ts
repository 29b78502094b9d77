import { z } from 'zod';

/** Conversation ids we issue are base64url; anything else is a 404 before any lookup. */
export const ConversationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'is not a conversation id of this server');

export const WatermarkQuerySchema = z.object({
  watermark: z
    .string()
    .regex(/^\d{0,12}$/, 'must be a whole number')
    .optional()
    // Web Chat's first poll sends an empty watermark: everything.
    .transform((w) => (w ? Number(w) : 0)),
});

const ClientAccount = z.object({ id: z.string().max(256).optional(), name: z.string().max(256).optional() });

/**
 * What a visitor may post (Web Chat's outgoing activity). Only these fields are kept: the server
 * sets from.id, conversation, channelId, serviceUrl and recipient itself.
 */
export const ClientActivitySchema = z.object({
  type: z.enum(['message', 'event', 'typing']),
  text: z.string().max(10_000, 'is longer than 10000 characters').optional(),
  textFormat: z.enum(['plain', 'markdown', 'xml']).optional(),
  locale: z.string().max(32).optional(),
  localTimestamp: z.string().max(64).optional(),
  localTimezone: z.string().max(64).optional(),
  name: z.string().max(128).optional(),
  value: z.unknown().optional(),
  from: ClientAccount.optional(),
  entities: z.array(z.record(z.string(), z.unknown())).max(10).optional(),
  channelData: z
    .object({ clientActivityID: z.string().max(128).optional(), clientTimestamp: z.string().max(64).optional(), postBack: z.boolean().optional() })
    .optional(),
  attachments: z.array(z.unknown()).max(0, 'file uploads are not supported by this Direct Line endpoint').optional(),
});

export type ClientActivity = z.infer<typeof ClientActivitySchema>;

/** What the bot (through the in-process connector) may append to a feed. */
export const BotActivitySchema = z
  .object({
    type: z.string().min(1).max(64),
    text: z.string().max(100_000).optional(),
  })
  .loose();

export const RefreshBodySchema = z.object({}).loose().optional();
