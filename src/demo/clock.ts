/**
 * Local-time helpers for the demo signals. Every daily rhythm in Can Tho (rush hours, dawn, the
 * afternoon shower) follows Asia/Ho_Chi_Minh wall-clock time, which is UTC+7 all year (Viet Nam has
 * no daylight saving), so a fixed offset is exact and keeps the generators pure and fast.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** Asia/Ho_Chi_Minh is UTC+07:00 with no DST. */
export const VN_UTC_OFFSET_MS = 7 * HOUR_MS;

const mod = (x: number, m: number): number => ((x % m) + m) % m;

/** Fractional local hour of day, 0 ≤ h < 24. */
export function localHour(tMs: number): number {
  return mod((tMs + VN_UTC_OFFSET_MS) / HOUR_MS, 24);
}

/** Local calendar day number (days since 1970-01-01 local), the key for per-day events. */
export function localDay(tMs: number): number {
  return Math.floor((tMs + VN_UTC_OFFSET_MS) / DAY_MS);
}

/** Local weekday, 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function localWeekday(tMs: number): number {
  return mod(localDay(tMs) + 4, 7);
}

/** Local calendar year, for year-to-year variation (one dry season is harsher than another). */
export function localYear(tMs: number): number {
  return new Date(tMs + VN_UTC_OFFSET_MS).getUTCFullYear();
}

/** Fractional local day of year, 0 at 1 January 00:00 local. */
export function dayOfYear(tMs: number): number {
  const local = tMs + VN_UTC_OFFSET_MS;
  const start = Date.UTC(new Date(local).getUTCFullYear(), 0, 1);
  return (local - start) / DAY_MS;
}

/**
 * Seasonal weight 0…1: a Gaussian bump around `centerDoy` that wraps over New Year, so the dry
 * season (December to April) is one smooth bump rather than two half-bumps.
 */
export function seasonBump(doy: number, centerDoy: number, widthDays: number): number {
  const d = mod(doy - centerDoy + 182.625, 365.25) - 182.625;
  return Math.exp(-0.5 * (d / widthDays) ** 2);
}

/** Bump 0…1 around a local hour, wrapping over midnight: the building block of daily profiles. */
export function hourBump(hour: number, center: number, width: number): number {
  const d = mod(hour - center + 12, 24) - 12;
  return Math.exp(-0.5 * (d / width) ** 2);
}

/**
 * Daily cycle 0…1 with its minimum at `minHour` and maximum at `maxHour` (local), rising and
 * falling along raised cosines of different lengths: the lopsided day of a heated body (quick
 * morning warming, long night cooling).
 */
export function diurnalCycle(hour: number, minHour: number, maxHour: number): number {
  const rise = mod(maxHour - minHour, 24);
  const since = mod(hour - minHour, 24);
  if (since <= rise) return (1 - Math.cos((Math.PI * since) / rise)) / 2;
  return (1 + Math.cos((Math.PI * (since - rise)) / (24 - rise))) / 2;
}
