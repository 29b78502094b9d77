import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

test('no configuration at all gives the embedded, anonymous defaults', () => {
  const config = loadConfig({});
  expect(config.port).toBe(3978);
  expect(config.store).toEqual({ kind: 'lowdb' });
  expect(config.dataDir.endsWith('/data')).toBe(true);
  expect(config.botAuth.MicrosoftAppId).toBeUndefined();
});

test('empty strings (a copied .env.example) count as unset', () => {
  expect(loadConfig({ PORT: '', MicrosoftAppId: '', DATABASE_URL: '' }).port).toBe(3978);
});

test('a bad value is one line naming the variable', () => {
  expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
  expect(() => loadConfig({ PORT: 'abc' })).toThrow(/^config: PORT: .*"abc"/);
  expect(() => loadConfig({ TRIAGE_CONFIDENCE_THRESHOLD: '2' })).toThrow(/TRIAGE_CONFIDENCE_THRESHOLD/);
  expect(() => loadConfig({ STORE: 'mysql' })).toThrow(/STORE/);
});

test('postgres needs a URL, and an app id needs its password', () => {
  expect(() => loadConfig({ STORE: 'postgres' })).toThrow(/DATABASE_URL: is required/);
  expect(loadConfig({ STORE: 'postgres', DATABASE_URL: 'postgres://u@h/db', DIRECT_LINE_TOKEN_SECRET: 'x'.repeat(32) }).store).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
  expect(() => loadConfig({ MicrosoftAppId: 'abc' })).toThrow(/MicrosoftAppPassword/);
});

test('secrets are never echoed in the error', () => {
  let message = '';
  try {
    loadConfig({ STORE: 'postgres', DATABASE_URL: 'mysql://user:hunter2@host/db' });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/DATABASE_URL/);
  expect(message).not.toMatch(/hunter2/);
});
