import type { Activity } from 'botbuilder';
import { describe, expect, test } from 'vitest';
import { customerClockOf, customerTime, dayAndTime, relativeTime } from '../../dialogs/rendering/CustomerTime.js';
import { loadConfig } from '../../src/config.js';
import { fillManifest } from '../../src/channels/teams/appPackage.js';

// Tuesday 1 December 2026, 08:46 UTC: a fixed clock, never today's date.
const NOW = new Date('2026-12-01T08:46:00Z');

describe('times in the customer\'s terms (dialogs/rendering/CustomerTime.ts)', () => {
  test('no zone known: UTC, and the zone is said', () => {
    expect(customerTime('2026-12-01T10:46:00Z', NOW)).toBe('today at 10:46 UTC (in about 2 hours)');
    expect(customerTime('2026-12-01T09:06:00Z', NOW)).toBe('today at 09:06 UTC (in about 20 minutes)');
    expect(customerTime('2026-12-02T08:00:00Z', NOW)).toBe('tomorrow at 08:00 UTC');
    expect(customerTime('2026-11-30T16:20:00Z', NOW)).toBe('yesterday at 16:20 UTC');
    expect(customerTime('2026-12-07T08:00:00Z', NOW)).toBe('Mon 7 Dec at 08:00 UTC');
    expect(customerTime('2027-01-04T08:00:00Z', NOW)).toBe('Mon, 4 Jan 2027 at 08:00 UTC');
    expect(customerTime(NOW, NOW)).toBe('today at 08:46 UTC');
  });

  test('en-US in New York: a 12-hour clock, the day as it is there, no zone said', () => {
    const clock = { locale: 'en-US', timeZone: 'America/New_York' };
    expect(customerTime('2026-12-01T10:46:00Z', NOW, clock)).toBe('today at 05:46 AM (in about 2 hours)');
    // 02:00 UTC on the 1st is still the 30th in New York.
    expect(dayAndTime(new Date('2026-12-01T02:00:00Z'), NOW, clock)).toBe('yesterday at 09:00 PM');
    expect(dayAndTime(new Date('2026-12-07T13:00:00Z'), NOW, clock)).toBe('Mon, Dec 7 at 08:00 AM');
  });

  test('de-DE in Ho Chi Minh City: a 24-hour clock, the day there', () => {
    const clock = { locale: 'de-DE', timeZone: 'Asia/Ho_Chi_Minh' };
    // 18:00 UTC is 01:00 the next day in Vietnam (UTC+7).
    expect(dayAndTime(new Date('2026-12-01T18:00:00Z'), NOW, clock)).toBe('tomorrow at 01:00');
    expect(customerTime('2026-12-01T10:46:00Z', NOW, clock)).toBe('today at 17:46 (in about 2 hours)');
  });

  test('relative words only within half a day', () => {
    expect(relativeTime(new Date('2026-12-01T08:47:00Z'), NOW)).toBe('in about 1 minute');
    expect(relativeTime(new Date('2026-12-01T05:46:00Z'), NOW)).toBe('about 3 hours ago');
    expect(relativeTime(new Date('2026-12-02T08:46:00Z'), NOW)).toBeNull();
  });

  test('the clock from the activity: Web Chat fields first, Teams clientInfo next; bad values are ignored', () => {
    expect(customerClockOf({ locale: 'en-US', localTimezone: 'America/New_York' } as Partial<Activity>)).toEqual({ locale: 'en-US', timeZone: 'America/New_York' });
    expect(customerClockOf({ entities: [{ type: 'clientInfo', locale: 'vi-VN', timezone: 'Asia/Ho_Chi_Minh' }] } as Partial<Activity>)).toEqual({ locale: 'vi-VN', timeZone: 'Asia/Ho_Chi_Minh' });
    expect(customerClockOf({ locale: 'not a locale!!', localTimezone: 'Mars/Olympus' } as Partial<Activity>)).toEqual({});
    expect(customerTime('2026-12-01T10:46:00Z', NOW, customerClockOf({ localTimezone: 'Mars/Olympus' } as Partial<Activity>))).toBe('today at 10:46 UTC (in about 2 hours)');
  });

  test('an unparseable time is an error naming the function, never "Invalid Date"', () => {
    expect(() => customerTime('soon', NOW)).toThrow(/^customerTime\(\): not a time: soon/);
  });
});

describe('VENDOR_NAME', () => {
  test('defaults to CamSupport, titles the widget unless WIDGET_TITLE says otherwise, and is checked', () => {
    expect(loadConfig({}).vendorName).toBe('CamSupport');
    expect(loadConfig({ VENDOR_NAME: 'Acme Vision' })).toMatchObject({ vendorName: 'Acme Vision', widget: { title: 'Acme Vision' } });
    expect(loadConfig({ VENDOR_NAME: 'Acme Vision', WIDGET_TITLE: 'Acme help' }).widget.title).toBe('Acme help');
    expect(() => loadConfig({ VENDOR_NAME: 'x'.repeat(31) })).toThrow(/^config: VENDOR_NAME: /);
  });

  test('the Teams manifest names the app after the vendor (JSON-escaped)', () => {
    const template = '{"id":"${{MICROSOFT_APP_ID}}","bots":[{"botId":"${{MICROSOFT_APP_ID}}"}],"name":{"short":"${{VENDOR_NAME}}","full":"${{VENDOR_NAME}}: support"}}';
    const manifest = JSON.parse(fillManifest(template, '00000000-0000-0000-0000-000000000001', 'Acme "Vision"')) as { name: { short: string; full: string } };
    expect(manifest.name).toEqual({ short: 'Acme "Vision"', full: 'Acme "Vision": support' });
  });
});
