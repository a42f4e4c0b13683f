/**
 * Time literals of $filter: ISO 8601 instants (with `Z`, an offset, or none meaning UTC), dates,
 * times of day and day-time durations, all converted to integer milliseconds. Functions return
 * null for text that is not a valid value (the lexer turns that into INVALID_FILTER).
 */

export const DAY_MS = 86_400_000;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the range calendar functions accept. */
export const MIN_CALENDAR_MS = -62_135_596_800_000;
export const MAX_CALENDAR_MS = 253_402_300_799_999;
/** Durations are bounded so that time arithmetic can never overflow 64-bit integers in SQL. */
export const MAX_DURATION_MS = 1e13;

function daysInMonth(y: number, m: number): number {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

function fractionMs(frac: string | undefined): number {
  return frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
}

/** Epoch ms for a UTC calendar instant, or null when a field is out of range. */
export function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

export const DATETIME_RE = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?/y;
export const DATE_RE = /(\d{4})-(\d{2})-(\d{2})(?![\dT])/y;
export const TIME_RE = /(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?/y;

/** Epoch ms of a DATETIME_RE match. */
export function datetimeFromMatch(m: RegExpExecArray): number | null {
  const base = utcMs(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0, fractionMs(m[7]));
  if (base === null) return null;
  const z = m[8];
  if (!z || z === 'Z') return base;
  const oh = +z.slice(1, 3);
  const om = +z.slice(4, 6);
  if (oh > 23 || om > 59) return null;
  const off = (oh * 60 + om) * 60_000;
  return z[0] === '+' ? base - off : base + off;
}

export function dateFromMatch(m: RegExpExecArray): number | null {
  return utcMs(+m[1]!, +m[2]!, +m[3]!);
}

export function timeOfDayFromMatch(m: RegExpExecArray): number | null {
  const h = +m[1]!;
  const mi = +m[2]!;
  const s = m[3] ? +m[3] : 0;
  if (h > 23 || mi > 59 || s > 59) return null;
  return ((h * 60 + mi) * 60 + s) * 1000 + fractionMs(m[4]);
}

/** A whole ISO 8601 instant string (for string literals compared with times). */
export function parseDateTimeText(s: string): number | null {
  DATETIME_RE.lastIndex = 0;
  const m = DATETIME_RE.exec(s);
  return m && m[0].length === s.length ? datetimeFromMatch(m) : null;
}

export type DurationResult = { ms: number } | { error: string };

/** `P[nW][nD][T[nH][nM][n[.f]S]]`, optionally negative; years and months have no fixed length. */
export function parseDuration(text: string): DurationResult {
  if (/^-?P(\d+Y|\d+M|\d+Y\d+M)/.test(text)) return { error: `duration '${text}': years and months have no fixed length; use days (P30D)` };
  const m = /^(-)?P(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,12})(?:\.(\d{1,9}))?S)?)?$/.exec(text);
  if (!m || text.endsWith('T') || /^-?P$/.test(text)) return { error: `'${text}' is not an ISO 8601 duration such as P1DT2H30M` };
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  const ms = ((((n(2) * 7 + n(3)) * 24 + n(4)) * 60 + n(5)) * 60 + n(6)) * 1000 + fractionMs(m[7]);
  if (ms > MAX_DURATION_MS) return { error: `duration '${text}' is longer than ${MAX_DURATION_MS} ms` };
  return { ms: m[1] ? -ms : ms };
}

/** ISO 8601 text of epoch ms (UTC). */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}
