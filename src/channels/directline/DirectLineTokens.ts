import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a Direct Line token grants: one conversation, as one user, until `exp` (epoch seconds). */
export interface DirectLineGrant {
  conversationId: string;
  userId: string;
  exp: number;
}

const GrantSchema = z.object({
  c: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  u: z.string().regex(/^web_[A-Za-z0-9_-]{8,64}$/),
  e: z.number().int().positive(),
});

/** How long a stream token (the `t` of a `streamUrl`) may wait to be used: connect within a minute, as with Azure. */
export const STREAM_TOKEN_SECONDS = 60;

export type TokenCheck = { ok: true; grant: DirectLineGrant } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const b64 = (buf: Buffer) => buf.toString('base64url');

/**
 * Signed, short-lived tokens for the self-hosted Direct Line endpoint: `base64url(payload).base64url(hmac)`,
 * HMAC-SHA256 over the payload with a server secret. A token names exactly one conversation, so a
 * visitor holding it can read and write that conversation and no other.
 */
export class DirectLineTokens {
  private readonly key: Buffer;
  /** Stream tokens are signed with a key derived from the main one, so neither kind passes for the other. */
  private readonly streamKey: Buffer;

  constructor(
    /**
     * DIRECT_LINE_TOKEN_SECRET, or the one kept in DATA_DIR (tokenSecret.ts); every instance that
     * serves the widget must use the same one. Without any, random (tokens die with the process).
     */
    secret: string | undefined,
    private readonly lifetimeSeconds: number = 30 * 60,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
    this.streamKey = createHmac('sha256', this.key).update('directline-stream-token/v1').digest();
  }

  get expiresIn(): number {
    return this.lifetimeSeconds;
  }

  static newConversationId(): string {
    return b64(randomBytes(18));
  }

  static newUserId(): string {
    // Not "dl_…": Web Chat reserves that prefix for user ids embedded in Azure's JWT tokens.
    return `web_${b64(randomBytes(12))}`;
  }

  issue(conversationId: string, userId: string): string {
    return this.issueWith(this.key, conversationId, userId, this.nowSeconds() + this.lifetimeSeconds);
  }

  verify(token: string): TokenCheck {
    return this.verifyWith(this.key, token);
  }

  /**
   * A token for the query string of one conversation's `streamUrl` (browsers cannot set headers on a
   * WebSocket): short-lived, and not usable as a Bearer token (nor a Bearer token as a stream token).
   */
  issueStream(conversationId: string, userId: string): string {
    return this.issueWith(this.streamKey, conversationId, userId, this.nowSeconds() + Math.min(STREAM_TOKEN_SECONDS, this.lifetimeSeconds));
  }

  verifyStream(token: string): TokenCheck {
    return this.verifyWith(this.streamKey, token);
  }

  private issueWith(key: Buffer, conversationId: string, userId: string, exp: number): string {
    const payload = b64(Buffer.from(JSON.stringify({ c: conversationId, u: userId, e: exp })));
    return `${payload}.${this.sign(key, payload)}`;
  }

  private verifyWith(key: Buffer, token: string): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
    const [payload, signature] = parts as [string, string];
    const expected = Buffer.from(this.sign(key, payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad_signature' };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const parsed = GrantSchema.safeParse(decoded);
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    if (parsed.data.e <= this.nowSeconds()) return { ok: false, reason: 'expired' };
    return { ok: true, grant: { conversationId: parsed.data.c, userId: parsed.data.u, exp: parsed.data.e } };
  }

  private sign(key: Buffer, payload: string): string {
    return b64(createHmac('sha256', key).update(payload).digest());
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}
