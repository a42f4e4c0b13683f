/**
 * Deterministic rain showers. In Can Tho's rainy season (May–November) rain mostly comes as
 * convective afternoon showers of one to two hours, sometimes a second one at night; the dry season
 * has almost none. Each local day's showers are drawn from a hash of (seed, day), so every reading
 * and the weather that depends on rain (cooling, humidity, wet leaves) agree without shared state.
 */
import { DAY_MS, dayOfYear, HOUR_MS, MINUTE_MS, VN_UTC_OFFSET_MS } from './clock.ts';
import { hashUnit } from './noise.ts';

export interface Shower {
  readonly startMs: number;
  readonly durationMs: number;
  readonly totalMm: number;
}

/** A convective day is regional: most stations see showers on the same days. */
const REGION_SEED = 0x7a1e;

/** Probability that a day has an afternoon shower, by season (rainy season peaks in Sep–Oct). */
export function showerChance(doy: number): number {
  const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
  const rainy = logistic((doy - 125) / 7) * logistic((330 - doy) / 9);
  const peak = Math.exp(-0.5 * ((doy - 265) / 45) ** 2);
  return 0.04 + 0.5 * rainy + 0.15 * rainy * peak;
}

/** Showers of one local day (0, 1 or 2), in time order. */
export function showersOfDay(day: number, seed: number): Shower[] {
  const midnight = day * DAY_MS - VN_UTC_OFFSET_MS;
  const p = showerChance(dayOfYear(midnight + 12 * HOUR_MS));
  const regional = hashUnit(REGION_SEED, day) < p;
  const local = hashUnit(seed, day, 1);
  const out: Shower[] = [];
  if ((regional && local < 0.8) || local < 0.1 * p) {
    const start = 13.5 + 4.5 * hashUnit(seed, day, 2);
    const dur = 0.4 + 1.6 * hashUnit(seed, day, 3);
    // Exponential-ish totals (most showers a few mm, some 30–60 mm), at most ~50 mm/h on average.
    const total = Math.min(5 + 50 * dur, 2 - 14 * Math.log(1 - 0.98 * hashUnit(seed, day, 4)));
    out.push({ startMs: midnight + start * HOUR_MS, durationMs: dur * HOUR_MS, totalMm: total });
  }
  if (hashUnit(seed, day, 5) < 0.25 * p) {
    const start = 20 + 3 * hashUnit(seed, day, 6);
    const dur = 0.5 + 2 * hashUnit(seed, day, 7);
    const total = 1 - 6 * Math.log(1 - 0.98 * hashUnit(seed, day, 8));
    out.push({ startMs: midnight + start * HOUR_MS, durationMs: dur * HOUR_MS, totalMm: total });
  }
  return out;
}

/** Showers that may touch the 36 h before `tMs` (yesterday's night shower can run past midnight). */
export function recentShowers(tMs: number, seed: number): Shower[] {
  const day = Math.floor((tMs + VN_UTC_OFFSET_MS) / DAY_MS);
  return [...showersOfDay(day - 1, seed), ...showersOfDay(day, seed)];
}

/** Rain that fell from one shower up to `tMs` (mm); the rate is a raised-cosine burst. */
export function showerAmountUntil(s: Shower, tMs: number): number {
  const x = Math.min(Math.max((tMs - s.startMs) / s.durationMs, 0), 1);
  return s.totalMm * (x - Math.sin(2 * Math.PI * x) / (2 * Math.PI));
}

/** Rain rate relative to the shower's mean rate (0 outside, up to 2 at its core). */
export function showerIntensity(s: Shower, tMs: number): number {
  const x = (tMs - s.startMs) / s.durationMs;
  return x <= 0 || x >= 1 ? 0 : 1 - Math.cos(2 * Math.PI * x);
}

/**
 * How strongly recent rain acts now, 0…1: rising over 20 minutes once a shower starts, then fading
 * with time constant `tauH` after it ends; bigger showers count more. Cooling, humidity, dust
 * washout and lighter traffic all read it.
 */
export function rainInfluence(tMs: number, seed: number, tauH: number): number {
  let effect = 0;
  for (const s of recentShowers(tMs, seed)) {
    const end = s.startMs + s.durationMs;
    const size = Math.min(1, s.totalMm / 12);
    if (tMs >= s.startMs && tMs <= end) effect = Math.max(effect, size * Math.min(1, (tMs - s.startMs) / (20 * MINUTE_MS)));
    else if (tMs > end) effect = Math.max(effect, size * Math.exp(-(tMs - end) / (tauH * HOUR_MS)));
  }
  return effect;
}
