import { expect, test } from 'vitest';
import { StaffedHours, StaffedHoursError } from '../../src/domain/handoff/StaffedHours.js';

// 4 March 2024 is a Monday. Berlin is UTC+1 until the switch to summer time (UTC+2) on Sunday 31 March.
const at = (iso: string) => new Date(iso);

test('weekday hours in UTC: open inside, closed before, at the end and at the weekend', () => {
  const hours = new StaffedHours('Mon-Fri 08:00-18:00');
  expect(hours.isOpen(at('2024-03-04T08:00:00Z'))).toBe(true);
  expect(hours.isOpen(at('2024-03-04T17:59:59Z'))).toBe(true);
  expect(hours.isOpen(at('2024-03-04T07:59:59Z'))).toBe(false);
  expect(hours.isOpen(at('2024-03-04T18:00:00Z'))).toBe(false);
  expect(hours.isOpen(at('2024-03-09T10:00:00Z'))).toBe(false); // Saturday
  expect(hours.timeZone).toBe('UTC');
});

test('next opening: now when open, later today, tomorrow, after the weekend', () => {
  const hours = new StaffedHours('Mon-Fri 08:00-18:00; Sat 09:00-13:00');
  expect(hours.nextOpening(at('2024-03-04T10:00:00Z'))).toEqual(at('2024-03-04T10:00:00Z'));
  expect(hours.nextOpening(at('2024-03-04T06:15:00Z'))).toEqual(at('2024-03-04T08:00:00Z'));
  expect(hours.nextOpening(at('2024-03-04T18:00:00Z'))).toEqual(at('2024-03-05T08:00:00Z'));
  expect(hours.nextOpening(at('2024-03-08T19:00:00Z'))).toEqual(at('2024-03-09T09:00:00Z'));
  expect(hours.nextOpening(at('2024-03-09T13:00:00Z'))).toEqual(at('2024-03-11T08:00:00Z'));
  expect(hours.isOpen(at('2024-03-09T12:59:00Z'))).toBe(true);
});

test('hours are read in the staff time zone', () => {
  const berlin = new StaffedHours('Mon-Fri 08:00-18:00', 'Europe/Berlin');
  expect(berlin.isOpen(at('2024-03-04T07:00:00Z'))).toBe(true); // 08:00 in Berlin
  expect(berlin.isOpen(at('2024-03-04T06:59:00Z'))).toBe(false);
  expect(berlin.isOpen(at('2024-03-04T17:00:00Z'))).toBe(false); // 18:00 in Berlin
  expect(berlin.nextOpening(at('2024-03-04T05:00:00Z'))).toEqual(at('2024-03-04T07:00:00Z'));
  // Sunday 23:30 UTC is already Monday 00:30 in Berlin, still before the opening.
  expect(berlin.nextOpening(at('2024-03-10T23:30:00Z'))).toEqual(at('2024-03-11T07:00:00Z'));

  const kolkata = new StaffedHours('Mon-Fri 09:30-17:30', 'Asia/Kolkata'); // UTC+05:30
  expect(kolkata.isOpen(at('2024-03-04T04:00:00Z'))).toBe(true);
  expect(kolkata.nextOpening(at('2024-03-04T12:00:00Z'))).toEqual(at('2024-03-05T04:00:00Z'));

  // New York on Friday 22:00 local is Saturday 03:00 UTC: a Saturday-only window is Saturday local.
  const newYork = new StaffedHours('Sat 09:00-13:00', 'America/New_York');
  expect(newYork.isOpen(at('2024-03-09T03:00:00Z'))).toBe(false);
  expect(newYork.nextOpening(at('2024-03-09T03:00:00Z'))).toEqual(at('2024-03-09T14:00:00Z')); // EST, UTC-5
});

test('the next opening across a daylight-saving change uses the new offset', () => {
  const berlin = new StaffedHours('Mon-Fri 08:00-18:00', 'Europe/Berlin');
  // Friday 29 March 18:30 CET; Monday 1 April 08:00 is CEST (UTC+2).
  expect(berlin.nextOpening(at('2024-03-29T17:30:00Z'))).toEqual(at('2024-04-01T06:00:00Z'));
  expect(berlin.isOpen(at('2024-04-01T06:00:00Z'))).toBe(true);
  expect(berlin.isOpen(at('2024-04-01T05:59:00Z'))).toBe(false);
  // New York springs forward on Sunday 10 March 2024.
  const ny = new StaffedHours('Mon 08:00-17:00', 'America/New_York');
  expect(ny.nextOpening(at('2024-03-09T12:00:00Z'))).toEqual(at('2024-03-11T12:00:00Z')); // EDT, UTC-4
});

test('24x7 is always open', () => {
  for (const schedule of ['24x7', '24/7', ' 24X7 ']) {
    const hours = new StaffedHours(schedule, 'Europe/Berlin');
    expect(hours.isOpen(at('2024-03-10T03:00:00Z'))).toBe(true);
    expect(hours.nextOpening(at('2024-03-10T03:00:00Z'))).toEqual(at('2024-03-10T03:00:00Z'));
  }
});

test('day lists, full names, wrapping ranges, split days and 24:00', () => {
  const hours = new StaffedHours('mon,wed 08:00-12:00,13:00-17:00; Friday-Sun 10:00-24:00');
  expect(hours.isOpen(at('2024-03-04T09:00:00Z'))).toBe(true); // Monday morning
  expect(hours.isOpen(at('2024-03-04T12:30:00Z'))).toBe(false); // lunch
  expect(hours.nextOpening(at('2024-03-04T12:30:00Z'))).toEqual(at('2024-03-04T13:00:00Z'));
  expect(hours.isOpen(at('2024-03-05T09:00:00Z'))).toBe(false); // Tuesday
  expect(hours.isOpen(at('2024-03-09T23:59:00Z'))).toBe(true); // Saturday, until midnight
  expect(hours.isOpen(at('2024-03-10T12:00:00Z'))).toBe(true); // Sunday (Fri-Sun)
  expect(hours.nextOpening(at('2024-03-11T00:00:00Z'))).toEqual(at('2024-03-11T08:00:00Z'));
  expect(String(hours)).toBe('mon,wed 08:00-12:00,13:00-17:00; Friday-Sun 10:00-24:00 (UTC)');
});

test('a weekly window that started earlier today opens again in seven days', () => {
  const hours = new StaffedHours('Mon 08:00-09:00');
  expect(hours.nextOpening(at('2024-03-04T10:00:00Z'))).toEqual(at('2024-03-11T08:00:00Z'));
});

test.each([
  ['', /empty schedule/],
  ['Mon-Fry 08:00-18:00', /unknown day "Fry"/],
  ['Mon-Fri 8-18', /"Mon-Fri 8-18" is not "<days> <HH:MM-HH:MM>"|bad time range "8-18"/],
  ['Mon-Fri', /is not "<days> <HH:MM-HH:MM>"/],
  ['Mon 25:00-26:00', /bad time in "25:00-26:00"/],
  ['Mon 08:60-09:00', /bad time/],
  ['Mon 18:00-08:00', /ends before it starts \(overnight ranges are not supported/],
  ['Mon 08:00-08:00', /ends before it starts/],
  ['Mon 08:00-12:00; Mon 11:00-13:00', /Mon 11:00-13:00 overlaps 08:00-12:00/],
  ['Mon-Tue-Wed 08:00-09:00', /bad day range/],
])('schedule %j is rejected with a clear message', (schedule, message) => {
  const error = (() => {
    try {
      new StaffedHours(schedule);
      return null;
    } catch (err) {
      return err;
    }
  })();
  expect(error).toBeInstanceOf(StaffedHoursError);
  expect((error as Error).message).toMatch(/^StaffedHours: /);
  expect((error as Error).message).toMatch(message);
});

test('an unknown time zone is rejected', () => {
  expect(() => new StaffedHours('24x7', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
  expect(() => new StaffedHours('24x7', 'Mars/Olympus')).toThrow(StaffedHoursError);
});
