/**
 * Calendar dates as 'YYYY-MM-DD' strings, with integer arithmetic only: no `Date`, so no time
 * zone or daylight-saving surprises. Arithmetic works on years 0001..9999 (always four digits, so
 * string order = date order); dates coming from outside are further limited to 1900..2999
 * (`dateProblem`), which covers any warranty we will ever see.
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

export interface CalendarDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Why `text` is not a date we accept as input, or `null` when it is one. */
export function dateProblem(text: string): string | null {
  const problem = calendarProblem(text);
  if (problem !== null) return problem;
  const year = Number(text.slice(0, 4));
  if (year < MIN_YEAR || year > MAX_YEAR) return `${text}: the year must be between ${MIN_YEAR} and ${MAX_YEAR}`;
  return null;
}

/** Why `text` is not a real calendar day 0001-01-01..9999-12-31, or `null`. */
function calendarProblem(text: string): string | null {
  const m = ISO_DATE.exec(text);
  if (!m) return `"${text}" is not a date in the form YYYY-MM-DD`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1) return `${text}: there is no year 0`;
  if (month < 1 || month > 12) return `${text} is not a calendar date (there is no month ${month})`;
  if (day < 1 || day > daysInMonth(year, month)) return `${text} is not a calendar date (${monthName(month)} ${year} has ${daysInMonth(year, month)} days)`;
  return null;
}

export function isCalendarDate(text: string): boolean {
  return dateProblem(text) === null;
}

/** Parses a real calendar date; throws (a programming error: inputs are checked first) on anything else. */
export function parseDate(text: string): CalendarDate {
  const problem = calendarProblem(text);
  if (problem !== null) throw new RangeError(`calendar.parseDate(): ${problem}`);
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

export function formatDate({ year, month, day }: CalendarDate): string {
  if (year < 1 || year > 9999) throw new RangeError(`calendar.formatDate(): year ${year} is outside 0001..9999`);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The same day of the month `months` later, clamped to the last day of the target month:
 * 2024-01-31 + 1 → 2024-02-29, 2023-01-31 + 1 → 2023-02-28, 2024-02-29 + 12 → 2025-02-28.
 */
export function addMonths(date: string, months: number): string {
  if (!Number.isInteger(months)) throw new RangeError(`calendar.addMonths(): months must be an integer (got ${months})`);
  const { year, month, day } = parseDate(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return formatDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** Days since 1970-01-01 (negative before), by Howard Hinnant's days_from_civil. */
export function toDayNumber(date: string): number {
  const { year, month, day } = parseDate(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of `toDayNumber` (civil_from_days). */
export function fromDayNumber(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return formatDate({ year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day });
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** `to - from` in days (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** -1, 0 or 1. Valid 'YYYY-MM-DD' strings with four-digit years order like the dates they name. */
export function compareDates(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function monthName(month: number): string {
  return ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][month - 1] ?? `month ${month}`;
}

/** The calendar day (UTC) of an instant, as YYYY-MM-DD: what "today" means for a warranty check. */
export function calendarDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}
