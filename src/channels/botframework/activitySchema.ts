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

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * True when the URL, parsed (not string-matched), names this machine: localhost, 127.0.0.1 or [::1].
 * WHATWG parsing normalises tricks such as "http://2130706433" to 127.0.0.1; 0.0.0.0, 127.0.0.2,
 * [::ffff:127.0.0.1] and "localhost.example.com" stay outside.
 */
export function isLoopbackUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (parsed.username || parsed.password) return false;
  return LOOPBACK_HOSTNAMES.has(parsed.hostname);
}
