import { RateLimiterMemory, RateLimiterPostgres, RLWrapperTimeouts } from 'rate-limiter-flexible';
import type { ClientLimiterFactory } from '../../http/ClientLimits.js';
import type { PgDatabase } from './PgDatabase.js';

/** Created by migration 080; one table for every kind of limit (keys carry the kind's prefix). */
export const CLIENT_LIMITS_TABLE = 'client_limits';

/**
 * A count that takes longer than this is given up for the in-memory one: a stalled database (no
 * error, no answer) must not stall every request behind its limit.
 */
export const LIMIT_COUNT_TIMEOUT_MS = 500;

/**
 * Per-client limits counted in PostgreSQL, so N instances give a client its allowance once, not N
 * times. Each limiter has an in-memory insurance limiter with the same allowance: while the database
 * errs, requests are still limited (per instance) rather than refused with a 500 or let through.
 *
 * A database that hangs instead of erring is treated the same after LIMIT_COUNT_TIMEOUT_MS.
 *
 * Expired windows are deleted by the library's own timer (rows that ended over an hour ago, every
 * five minutes, errors ignored); one limiter per instance runs it, since they share the table.
 */
export function pgClientLimiters(database: PgDatabase): ClientLimiterFactory {
  let cleanerStarted = false;
  return (window) => {
    const clearExpiredByTimeout = !cleanerStarted;
    cleanerStarted = true;
    const insuranceLimiter = new RateLimiterMemory(window);
    const counted = new RateLimiterPostgres({
      ...window,
      storeClient: database.pool,
      storeType: 'pool',
      tableName: CLIENT_LIMITS_TABLE,
      // The table comes from the numbered migrations, never from the library's CREATE TABLE.
      tableCreated: true,
      clearExpiredByTimeout,
      insuranceLimiter,
    });
    // The same insurance behind the timeout, so an error and a stall count in one place.
    return new RLWrapperTimeouts({ limiter: counted, timeoutMs: LIMIT_COUNT_TIMEOUT_MS, insuranceLimiter });
  };
}
