import type { Migration } from './index.js';

/**
 * Per-client rate-limit counts shared by every instance (rate-limiter-flexible's RateLimiterPostgres,
 * which is given `tableCreated: true` and so never issues DDL itself). One row per limited key
 * (`req:<ip>`, `msg:<conversation>`…): points used in the window and when the window ends (epoch ms).
 * `key` is text, not the library's varchar(255): conversation ids of some channels are long.
 * The index on `expire` serves the periodic delete of windows that ended over an hour ago.
 */
export const clientLimits: Migration = {
  version: 80,
  name: 'client_limits',
  sql: `
    CREATE TABLE client_limits (
      key text PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire bigint
    );
    CREATE INDEX client_limits_expire ON client_limits (expire);
  `,
};
