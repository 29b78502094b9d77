import type { Activity } from 'botbuilder';

/**
 * Times told to a customer in their terms: relative where that is natural ("in about 2 hours",
 * "today at 10:46"), in their locale's clock format and their time zone when the channel says
 * which (Web Chat's `localTimezone`, Teams' `clientInfo` entity); otherwise in UTC, with the zone
 * said so the customer can convert. The bot speaks English, so the words stay English; the locale
 * decides the clock (en-US "10:46 AM", en-GB "10:46") and the date ("Wed, Dec 2" / "Wed 2 Dec").
 */
export interface CustomerClock {
  /** BCP 47 tag, e.g. "en-US"; absent = the bot's own ("en-GB": a 24-hour clock). */
  readonly locale?: string;
  /** IANA zone, e.g. "Europe/Berlin"; absent = UTC, said as such. */
  readonly timeZone?: string;
}

const DEFAULT_LOCALE = 'en-GB';
const DAY_MS = 24 * 60 * 60 * 1000;

const validZone = (zone: unknown): string | undefined => {
  if (typeof zone !== 'string' || zone.trim() === '') return undefined;
  try {
    // Valid if Intl accepts it; kept as given (ICU would rename Asia/Ho_Chi_Minh to Asia/Saigon).
    new Intl.DateTimeFormat('en', { timeZone: zone.trim() });
    return zone.trim();
  } catch {
    return undefined;
  }
};

const validLocale = (locale: unknown): string | undefined => {
  if (typeof locale !== 'string' || locale.trim() === '') return undefined;
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    return undefined;
  }
};

/** The customer's locale and zone as the channel reports them; what is missing or invalid is left out. */
export function customerClockOf(activity: Partial<Activity> | undefined): CustomerClock {
  if (!activity) return {};
  const clientInfo = (activity.entities ?? []).find((e) => e.type === 'clientInfo') as { locale?: unknown; timezone?: unknown } | undefined;
  const timeZone = validZone(activity.localTimezone) ?? validZone(clientInfo?.timezone);
  const locale = validLocale(activity.locale) ?? validLocale(clientInfo?.locale);
  return { ...(locale ? { locale } : {}), ...(timeZone ? { timeZone } : {}) };
}

/** The calendar day of `at` in `zone`, as a day number (days since 1970-01-01 there). */
function dayNumber(at: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Math.round(Date.UTC(get('year'), get('month') - 1, get('day')) / DAY_MS);
}

function clockTime(at: Date, locale: string, zone: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(at);
}

/** "today at 10:46", "tomorrow at 08:00", "Mon 7 Dec at 08:00" (the year only when it is not this one). */
export function dayAndTime(at: Date, now: Date, clock: CustomerClock = {}): string {
  const zone = clock.timeZone ?? 'UTC';
  const locale = clock.locale ?? DEFAULT_LOCALE;
  const days = dayNumber(at, zone) - dayNumber(now, zone);
  const time = clockTime(at, locale, zone);
  const sameYear = new Intl.DateTimeFormat('en', { timeZone: zone, year: 'numeric' }).format(at) === new Intl.DateTimeFormat('en', { timeZone: zone, year: 'numeric' }).format(now);
  const day =
    days === 0
      ? 'today'
      : days === 1
        ? 'tomorrow'
        : days === -1
          ? 'yesterday'
          : new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) }).format(at);
  // With no zone from the customer, say which zone the time is in.
  return `${day} at ${time}${clock.timeZone ? '' : ' UTC'}`;
}

/** "in about 2 hours", "in about 20 minutes", "about 3 hours ago"; null beyond half a day (a day and time says it better). */
export function relativeTime(at: Date, now: Date): string | null {
  const minutes = Math.round((at.getTime() - now.getTime()) / 60_000);
  const size = Math.abs(minutes);
  if (size > 12 * 60) return null;
  if (size < 1) return 'now';
  const amount = size < 60 ? `${size} minute${size === 1 ? '' : 's'}` : `${Math.round(size / 60)} hour${Math.round(size / 60) === 1 ? '' : 's'}`;
  return minutes > 0 ? `in about ${amount}` : `about ${amount} ago`;
}

/**
 * A moment as a customer reads it: "today at 10:46 UTC (in about 2 hours)" within half a day,
 * "tomorrow at 08:00" / "Mon 7 Dec at 08:00 UTC" beyond.
 */
export function customerTime(at: Date | string, now: Date, clock: CustomerClock = {}): string {
  const when = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(when.getTime())) throw new RangeError(`customerTime(): not a time: ${String(at)}`);
  const relative = relativeTime(when, now);
  const absolute = dayAndTime(when, now, clock);
  return relative && relative !== 'now' ? `${absolute} (${relative})` : absolute;
}
