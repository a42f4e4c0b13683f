import { AppError } from '../../core/errors.ts';
import { formatInstant } from '../read/serialize.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A bucket width that tiles hours and days exactly. */
export interface Interval {
  readonly text: string;
  readonly ms: number;
}

const ALLOWED: Record<string, number[]> = { m: [1, 2, 5, 10, 15, 20, 30], h: [1, 2, 3, 4, 6, 8, 12], d: [1, 7] };

/** Parses `1m`, `15m`, `1h`, `1d`, `7d`... (widths that divide the next unit, so buckets align). */
export function parseInterval(text: string | null): Interval {
  const m = /^(\d{1,2})(m|h|d)$/.exec(text ?? '');
  if (!m || !ALLOWED[m[2]!]!.includes(Number(m[1]))) {
    throw new AppError('INVALID_AGGREGATION', `interval must be one of ${Object.entries(ALLOWED).flatMap(([u, ns]) => ns.map((n) => `${n}${u}`)).join(', ')}`);
  }
  const n = Number(m[1]);
  return { text: text!, ms: n * (m[2] === 'm' ? MINUTE : m[2] === 'h' ? HOUR : DAY) };
}

/**
 * A fixed UTC offset in minutes. Asia/Ho_Chi_Minh (the default: Can Tho's zone) is UTC+7 with no
 * daylight saving, so day buckets are exact unions of UTC hours.
 */
export function parseZone(text: string | null): { name: string; offsetMin: number } {
  if (text === null || text === '' || text === 'Asia/Ho_Chi_Minh' || text === 'Asia/Saigon') return { name: 'Asia/Ho_Chi_Minh', offsetMin: 420 };
  if (text === 'UTC' || text === 'Z') return { name: 'UTC', offsetMin: 0 };
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (m) {
    const off = (Number(m[2]) * 60 + Number(m[3])) * (m[1] === '-' ? -1 : 1);
    if (Math.abs(off) <= 14 * 60 && off % 60 === 0) return { name: text, offsetMin: off };
  }
  throw new AppError('INVALID_AGGREGATION', 'tz must be Asia/Ho_Chi_Minh, UTC or a whole-hour offset like +07:00');
}

/** Start of the bucket holding `t`, with buckets aligned to local midnight of the zone. */
export function bucketStart(t: number, iv: Interval, offsetMin: number): number {
  const off = offsetMin * MINUTE;
  return Math.floor((t + off) / iv.ms) * iv.ms - off;
}

/** ISO 8601 with the zone's offset, e.g. 2025-10-01T00:00:00+07:00, for people in Can Tho. */
export function isoInZone(t: number, offsetMin: number): string {
  return `${formatInstant(t + offsetMin * MINUTE).slice(0, 19)}${zoneSuffix(offsetMin)}`;
}

function zoneSuffix(offsetMin: number): string {
  if (offsetMin === 0) return 'Z';
  const a = Math.abs(offsetMin);
  return `${offsetMin < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

export { HOUR, MINUTE, DAY };
