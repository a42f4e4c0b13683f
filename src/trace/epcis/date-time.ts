/**
 * EPCIS timestamps. EPCIS 2.0 types eventTime, recordTime, declarationTime and the sensor times as
 * xsd:dateTimeStamp (date, time and a mandatory zone offset), and CBV 2.0 §8.9 hashes them as UTC
 * with exactly three fractional digits. Parsing is done by hand (not `Date.parse`) because
 * `Date.parse` accepts many non-standard forms, maps two-digit years to 19xx and truncates
 * fractions instead of rounding them.
 */

/** Parsed timestamp: whole UTC milliseconds since the epoch plus the exact fraction digits. */
interface ParsedStamp {
  /** Epoch milliseconds of the timestamp with the fraction truncated to milliseconds. */
  epochMs: number;
  /** Fraction digits as written ("" when absent). */
  fraction: string;
}

// xsd:dateTimeStamp lexical form: YYYY-MM-DDThh:mm:ss(.s+)?(Z|±hh:mm)
const STRICT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;
// What hashing tolerates on top (what common ISO 8601 parsers accept): 't' or ' ' as separator,
// lowercase 'z', a missing zone (read as UTC) and a missing seconds field.
const LENIENT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?$/;

/**
 * True if `s` is a valid xsd:dateTimeStamp: correct lexical form, a real calendar date (leap years
 * included), hour 00–23, no leap second, and a zone offset within ±14:00.
 */
export function isDateTimeStamp(s: string): boolean {
  return parse(s, STRICT) !== undefined;
}

/**
 * CBV 2.0 §8.9 timestamp normalisation: convert to UTC, express with exactly millisecond precision
 * ("YYYY-MM-DDThh:mm:ss.sssZ"), rounding on the fourth fractional digit (5–9 rounds up, as the CBV
 * reference implementation and its test vectors do). Input that cannot be read as a timestamp is
 * returned trimmed but otherwise unchanged, so the hash still covers it.
 */
export function normaliseTimestamp(raw: string): string {
  if (raw !== lastRaw) remember(raw);
  return lastNormalised;
}

/**
 * Epoch milliseconds of a timestamp as normalised by {@link normaliseTimestamp}, i.e.
 * `Date.parse(normaliseTimestamp(raw))` without formatting and re-parsing the string.
 */
export function timestampEpochMs(raw: string): number {
  if (raw !== lastRaw) remember(raw);
  return lastEpochMs;
}

// Capture hashes each event's eventTime and then indexes it: the last answer is kept for the second call.
let lastRaw: string | undefined;
let lastNormalised = '';
let lastEpochMs = Number.NaN;

function remember(raw: string): void {
  const s = raw.trim();
  const p = parse(s, LENIENT);
  let out: string | undefined;
  let ms = Number.NaN;
  if (p !== undefined) {
    ms = p.epochMs;
    if (p.fraction.length > 3 && p.fraction.charCodeAt(3) >= 53 /* '5' */) ms += 1;
    out = formatUtc(ms);
  }
  lastRaw = raw;
  lastNormalised = out ?? s;
  lastEpochMs = out === undefined ? Date.parse(s) : ms;
}

function parse(s: string, re: RegExp): ParsedStamp | undefined {
  const m = re.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMin = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (om > 59 || oh > 14 || (oh === 14 && om !== 0)) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  const days = daysFromCivil(year, month, day);
  const ms3 = Number(`${fraction}000`.slice(0, 3));
  const epochMs = ((days * 24 + hour) * 60 + minute - offsetMin) * 60_000 + second * 1000 + ms3;
  return { epochMs, fraction };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** "YYYY-MM-DDThh:mm:ss.sssZ" for years 0001–9999, else undefined. */
function formatUtc(epochMs: number): string | undefined {
  const days = Math.floor(epochMs / 86_400_000);
  let rest = epochMs - days * 86_400_000;
  // civil_from_days (inverse of daysFromCivil)
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) return undefined;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const ms = rest - second * 1000;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(ms, 3)}Z`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
