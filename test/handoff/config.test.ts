import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

test('handoff settings default to weekday office hours in UTC and 6 minutes per customer', () => {
  expect(loadConfig({}).handoff).toEqual({ staffedHours: 'Mon-Fri 08:00-18:00', timeZone: 'UTC', averageMinutes: 6 });
  expect(loadConfig({ STAFFED_HOURS: '', STAFF_TIMEZONE: '', HANDOFF_AVG_MINUTES: '' }).handoff.staffedHours).toBe('Mon-Fri 08:00-18:00');
});

test('handoff settings are read from the environment', () => {
  const config = loadConfig({ STAFFED_HOURS: 'Mon-Fri 08:00-18:00; Sat 09:00-13:00', STAFF_TIMEZONE: 'Europe/Berlin', HANDOFF_AVG_MINUTES: '4.5' });
  expect(config.handoff).toEqual({ staffedHours: 'Mon-Fri 08:00-18:00; Sat 09:00-13:00', timeZone: 'Europe/Berlin', averageMinutes: 4.5 });
  expect(loadConfig({ STAFFED_HOURS: '24x7' }).handoff.staffedHours).toBe('24x7');
});

test('a bad schedule, zone or average is one line naming the variable', () => {
  expect(() => loadConfig({ STAFFED_HOURS: 'Mon-Fry 08:00-18:00' })).toThrow(ConfigError);
  expect(() => loadConfig({ STAFFED_HOURS: 'Mon-Fry 08:00-18:00' })).toThrow(
    'config: STAFFED_HOURS: unknown day "Fry" (use Mon, Tue, Wed, Thu, Fri, Sat, Sun) (got "Mon-Fry 08:00-18:00")',
  );
  expect(() => loadConfig({ STAFFED_HOURS: 'Mon 18:00-08:00' })).toThrow(/^config: STAFFED_HOURS: .*overnight/);
  expect(() => loadConfig({ STAFF_TIMEZONE: 'Mars/Olympus' })).toThrow(/^config: STAFF_TIMEZONE: unknown time zone "Mars\/Olympus"/);
  expect(() => loadConfig({ HANDOFF_AVG_MINUTES: '0' })).toThrow(/^config: HANDOFF_AVG_MINUTES: /);
  expect(() => loadConfig({ HANDOFF_AVG_MINUTES: 'soon' })).toThrow(/^config: HANDOFF_AVG_MINUTES: /);
});
