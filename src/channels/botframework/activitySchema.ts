import { z } from 'zod';

const Account = z.object({ id: z.string().min(1, 'must not be empty').max(256) }).loose();

/**
 * What /api/messages accepts before the Bot Framework adapter sees it. Unknown fields pass
 * through (channels add their own), but the fields the bot relies on must be there and sane.
 */
export const IncomingActivitySchema = z
  .object({
    type: z.string().min(1, 'must not be empty').max(64),
    id: z.string().max(256).optional(),
    channelId: z.string().min(1, 'must not be empty').max(64),
    serviceUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    conversation: z.object({ id: z.string().min(1, 'must not be empty').max(512) }).loose(),
    from: Account,
    recipient: Account.optional(),
    text: z.string().max(10_000, 'is longer than 10000 characters').optional(),
    deliveryMode: z.enum(['normal', 'notification', 'expectReplies', 'ephemeral']).optional(),
    membersAdded: z.array(Account).optional(),
  })
  .loose();

export type IncomingActivity = z.infer<typeof IncomingActivitySchema>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * With no app id the endpoint is anonymous, so a caller could make the bot POST its replies to any
 * serviceUrl. Unauthenticated replies therefore go only to this machine (the Emulator) or back in
 * the HTTP response (expectReplies).
 */
export function anonymousServiceUrlAllowed(activity: IncomingActivity): boolean {
  if (activity.deliveryMode === 'expectReplies') return true;
  return LOOPBACK_HOSTS.has(new URL(activity.serviceUrl).hostname);
}
