import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Response } from 'restify';
import { sendError } from './errors.js';

/**
 * What each client may do per minute (RATE_* variables). Counted per IP address, except messages,
 * which are counted per conversation.
 */
export interface LimitsConfig {
  /** Any request to any route, per IP (Bot Framework's own servers are exempt once authenticated). */
  requestsPerMinute: number;
  /** Direct Line tokens issued, per IP. */
  tokensPerMinute: number;
  /** New widget conversations (each runs a welcome turn and holds a feed), per IP. */
  conversationsPerMinute: number;
  /** Messages into one conversation, on any channel. */
  messagesPerMinute: number;
  /** Failed authentications (bad staff tokens, bad Bot Framework JWTs), per IP; past it every attempt is refused. */
  failedAuthPerMinute: number;
  /** Proxies whose X-Forwarded-For is believed (proxy-addr syntax: IPs, CIDRs, "loopback", "uniquelocal"). */
  trustedProxies: string[];
}

export const DEFAULT_LIMITS: LimitsConfig = {
  requestsPerMinute: 600,
  tokensPerMinute: 20,
  conversationsPerMinute: 10,
  messagesPerMinute: 30,
  failedAuthPerMinute: 10,
  trustedProxies: [],
};

export type LimitKind = 'requests' | 'tokens' | 'conversations' | 'messages' | 'failedAuth';

/** One allowance: `points` per `duration` seconds, its keys kept apart from the others' by `keyPrefix`. */
export interface LimitWindow {
  points: number;
  duration: number;
  keyPrefix: string;
}

/**
 * Where the counts live, chosen by the composition root with the store: this process's memory, or
 * a table every instance shares (src/storage/postgres/PgClientLimiters.ts).
 */
export type ClientLimiterFactory = (window: LimitWindow) => RateLimiterAbstract;

/** Counts in this process's memory: each key expires with its window (one instance, or the tests). */
export const inMemoryLimiters: ClientLimiterFactory = (window) => new RateLimiterMemory(window);

/** Per-client rate limits (rate-limiter-flexible), counted where `limiters` keeps them. */
export class ClientLimits {
  private readonly limiters: Record<LimitKind, RateLimiterAbstract>;
  private readonly trust: ReturnType<typeof proxyaddr.compile>;

  constructor(
    readonly config: LimitsConfig = DEFAULT_LIMITS,
    limiters: ClientLimiterFactory = inMemoryLimiters,
  ) {
    const perMinute = (points: number, keyPrefix: string) => limiters({ points, duration: 60, keyPrefix });
    this.limiters = {
      requests: perMinute(config.requestsPerMinute, 'req'),
      tokens: perMinute(config.tokensPerMinute, 'tok'),
      conversations: perMinute(config.conversationsPerMinute, 'conv'),
      messages: perMinute(config.messagesPerMinute, 'msg'),
      failedAuth: perMinute(config.failedAuthPerMinute, 'auth'),
    };
    this.trust = proxyaddr.compile(config.trustedProxies);
  }

  /**
   * The client's address: the peer, or — only when the peer is a trusted proxy — the nearest
   * untrusted address in X-Forwarded-For. A client cannot choose its own key by sending the header.
   */
  clientAddress(req: IncomingMessage): string {
    try {
      return proxyaddr(req, this.trust);
    } catch {
      return req.socket.remoteAddress ?? 'unknown';
    }
  }

  /**
   * Takes one from the client's allowance; past it answers 429 with Retry-After (seconds) and
   * returns false, so the route stops there.
   */
  async take(kind: LimitKind, key: string, res: Response): Promise<boolean> {
    try {
      await this.limiters[kind].consume(key);
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      tooMany(res, kind, rejection.msBeforeNext);
      return false;
    }
  }

  /** True (and a 429 sent) when the key has used up its allowance, without taking from it. */
  async refuseIfSpent(kind: LimitKind, key: string, res: Response): Promise<boolean> {
    const state = await this.limiters[kind].get(key);
    if (!state || state.remainingPoints > 0) return false;
    tooMany(res, kind, state.msBeforeNext);
    return true;
  }

  /** Counts a failure against the key (a bad token) without answering. */
  async charge(kind: LimitKind, key: string): Promise<void> {
    await this.limiters[kind].penalty(key, 1);
  }
}

const WHAT: Record<LimitKind, string> = {
  requests: 'requests from your address',
  tokens: 'chat tokens from your address',
  conversations: 'new conversations from your address',
  messages: 'messages in this conversation',
  failedAuth: 'failed sign-ins from your address',
};

function tooMany(res: Response, kind: LimitKind, msBeforeNext: number): void {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  res.header('Retry-After', String(seconds));
  sendError(res, 429, 'too_many_requests', `Too many ${WHAT[kind]}; try again in ${seconds} s.`);
}
