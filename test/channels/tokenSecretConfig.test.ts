import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const SECRET = 'a-token-secret-of-at-least-32-characters!';

test('STORE=postgres needs DIRECT_LINE_TOKEN_SECRET: one line naming it, the value never echoed', () => {
  const run = () => loadConfig({ STORE: 'postgres', DATABASE_URL: 'postgres://u@h/db' });
  expect(run).toThrow(ConfigError);
  expect(run).toThrow(/^config: DIRECT_LINE_TOKEN_SECRET: is required when STORE=postgres/);
  expect(() => run()).not.toThrow(/\n/);
  expect(loadConfig({ STORE: 'postgres', DATABASE_URL: 'postgres://u@h/db', DIRECT_LINE_TOKEN_SECRET: SECRET }).widget.tokenSecret).toBe(SECRET);
});

test('the embedded store starts without it (the key is then kept in DATA_DIR)', () => {
  expect(loadConfig({}).widget.tokenSecret).toBeUndefined();
  expect(() => loadConfig({ DIRECT_LINE_TOKEN_SECRET: 'short' })).toThrow(/^config: DIRECT_LINE_TOKEN_SECRET: must be at least 32 characters$/);
});
