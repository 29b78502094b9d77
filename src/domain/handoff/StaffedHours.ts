/**
 * When people are at the agent console: a weekly schedule in an IANA time zone.
 *
 * Schedule syntax (case-insensitive, whitespace-tolerant):
 * - `24x7` (or `24/7`): always staffed;
 * - otherwise segments separated by `;`, each `<days> <ranges>`: days are `Mon`…`Sun` (or full names),
 *   comma-separated, with ranges like `Mon-Fri` (a range may wrap: `Fri-Mon`); ranges are
 *   `HH:MM-HH:MM`, comma-separated, start before end (`24:00` ends at midnight). Overnight ranges
 *   are not supported: write `Fri 22:00-24:00; Sat 00:00-06:00` instead.
 *
 * Example: `Mon-Fri 08:00-12:00,13:00-18:00; Sat 09:00-13:00`.
 *
 * Local weekday and time come from Intl.DateTimeFormat, so daylight-saving changes follow the zone.
 */

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const FULL_DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const MINUTES_PER_DAY = 24 * 60;
const DAY_LABELS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** A bad schedule or time zone; the message names the offending part. */
export class StaffedHoursError extends Error {
  /** @param reason what is wrong, without the prefix and the schedule (config prints the value itself) */
  constructor(
    message: string,
    readonly reason: string = message,
  ) {
    super(message);
    this.name = 'StaffedHoursError';
  }
}

/** Minutes since local midnight, start inclusive, end exclusive. */
interface Window {
  start: number;
  end: number;
}

interface LocalTime {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Minutes since local midnight. */
  minutes: number;
  seconds: number;
}

export class StaffedHours {
  /** Windows per weekday (index 0 = Sunday); null = always open (24x7). */
  private readonly week: Window[][] | null;
  private readonly format: Intl.DateTimeFormat;

  /** Throws StaffedHoursError on a bad schedule or an unknown time zone. */
  constructor(
    readonly schedule: string,
    readonly timeZone: string = 'UTC',
  ) {
    this.format = zoneFormat(timeZone);
    this.week = parseSchedule(schedule);
  }

  /** True when `at` falls in a staffed window. */
  isOpen(at: Date): boolean {
    if (this.week === null) return true;
    const local = this.localTime(at);
    return (this.week[local.weekday] ?? []).some((w) => w.start <= local.minutes && local.minutes < w.end);
  }

  /** The start of the next staffed window after `at`, or `at` itself when staffed now. */
  nextOpening(at: Date): Date {
    if (this.isOpen(at)) return at;
    const week = this.week ?? [];
    const local = this.localTime(at);
    let best: number | null = null;
    // Eight local days cover a once-a-week window that started earlier today.
    for (let offset = 0; offset <= 7 && best === null; offset += 1) {
      const date = new Date(Date.UTC(local.year, local.month - 1, local.day + offset));
      for (const w of week[date.getUTCDay()] ?? []) {
        const instant = this.zonedToUtc(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), w.start);
        if (instant > at.getTime() && (best === null || instant < best)) best = instant;
      }
    }
    if (best === null) throw new StaffedHoursError(`StaffedHours.nextOpening(): no staffed window in "${this.schedule}"`);
    return new Date(best);
  }

  /** The schedule as given, with its zone: "Mon-Fri 08:00-18:00 (Europe/Berlin)". */
  toString(): string {
    return `${this.schedule.trim()} (${this.timeZone})`;
  }

  private localTime(at: Date): LocalTime {
    const parts: Record<string, string> = {};
    for (const p of this.format.formatToParts(at)) parts[p.type] = p.value;
    const weekday = DAY_NAMES.indexOf((parts.weekday ?? '').toLowerCase().slice(0, 3) as (typeof DAY_NAMES)[number]);
    // Some engines print midnight as 24 even with hourCycle h23.
    const hour = Number(parts.hour) % 24;
    return {
      year: Number(parts.year),
      month: Number(parts.month),
      day: Number(parts.day),
      weekday,
      minutes: hour * 60 + Number(parts.minute),
      seconds: Number(parts.second),
    };
  }

  /** Offset of the zone at `instant`, in ms (local wall time minus UTC). */
  private offsetAt(instant: number): number {
    const l = this.localTime(new Date(instant));
    const wall = Date.UTC(l.year, l.month - 1, l.day, 0, l.minutes, l.seconds);
    return wall - (instant - (((instant % 1000) + 1000) % 1000));
  }

  /** The instant at which the local clock in the zone shows that date and time (month 0-based). */
  private zonedToUtc(year: number, month: number, day: number, minutes: number): number {
    const wall = Date.UTC(year, month, day, 0, minutes);
    // Two passes settle the offset, also next to a daylight-saving change.
    const guess = wall - this.offsetAt(wall);
    return wall - this.offsetAt(guess);
  }
}

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    const why = `unknown time zone "${timeZone}" (use an IANA name such as "Europe/Berlin" or "UTC")`;
    throw new StaffedHoursError(`StaffedHours: ${why}`, why);
  }
}

function parseSchedule(schedule: string): Window[][] | null {
  const text = schedule.trim();
  if (/^24\s*[x/]\s*7$/i.test(text)) return null;
  const fail = (why: string): never => {
    throw new StaffedHoursError(`StaffedHours: "${schedule}": ${why}`, why);
  };
  if (text === '') fail('empty schedule (e.g. "Mon-Fri 08:00-18:00" or "24x7")');
  const week: Window[][] = DAY_NAMES.map(() => []);
  for (const raw of text.split(';')) {
    const segment = raw.trim();
    if (segment === '') continue;
    const m = /^([a-z][a-z\s,-]*?)\s+(\d.*)$/i.exec(segment);
    if (!m) fail(`"${segment}" is not "<days> <HH:MM-HH:MM>" (e.g. "Mon-Fri 08:00-18:00")`);
    const [, daysText = '', rangesText = ''] = m ?? [];
    const days = parseDays(daysText, fail);
    const windows = rangesText.split(',').map((r) => parseRange(r.trim(), fail));
    for (const day of days) {
      for (const w of windows) {
        const clash = week[day]?.find((o) => w.start < o.end && o.start < w.end);
        if (clash) fail(`${DAY_LABELS[day]} ${clock(w.start)}-${clock(w.end)} overlaps ${clock(clash.start)}-${clock(clash.end)}`);
        week[day]?.push(w);
      }
    }
  }
  if (week.every((d) => d.length === 0)) fail('no staffed hours');
  for (const d of week) d.sort((a, b) => a.start - b.start);
  return week;
}

function dayIndex(name: string, fail: (why: string) => never): number {
  const lower = name.trim().toLowerCase();
  const short = DAY_NAMES.indexOf(lower as (typeof DAY_NAMES)[number]);
  if (short >= 0) return short;
  const full = FULL_DAY_NAMES.indexOf(lower as (typeof FULL_DAY_NAMES)[number]);
  if (full >= 0) return full;
  return fail(`unknown day "${name.trim()}" (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)`);
}

function parseDays(text: string, fail: (why: string) => never): number[] {
  const days = new Set<number>();
  for (const item of text.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') fail(`empty day in "${text.trim()}"`);
    const [from, to, extra] = trimmed.split('-');
    if (extra !== undefined) fail(`bad day range "${trimmed}"`);
    const a = dayIndex(from ?? '', fail);
    if (to === undefined) {
      days.add(a);
      continue;
    }
    const b = dayIndex(to, fail);
    // A range may wrap around the week: Fri-Mon = Fri, Sat, Sun, Mon.
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return [...days];
}

function parseRange(text: string, fail: (why: string) => never): Window {
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return fail(`bad time range "${text}" (expected HH:MM-HH:MM, e.g. 08:00-18:00)`);
  const start = toMinutes(Number(m[1]), Number(m[2]), text, fail);
  const end = toMinutes(Number(m[3]), Number(m[4]), text, fail);
  if (start >= MINUTES_PER_DAY) fail(`"${text}" starts at 24:00 (use 00:00 of the next day)`);
  if (end <= start) fail(`"${text}" ends before it starts (overnight ranges are not supported: split them at 24:00)`);
  return { start, end };
}

function toMinutes(hours: number, minutes: number, text: string, fail: (why: string) => never): number {
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) fail(`bad time in "${text}"`);
  return hours * 60 + minutes;
}

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
