/**
 * Weather at a rice-field station: air temperature, relative humidity, rainfall and leaf wetness.
 * The four are one coupled system, as in the field: temperature follows the sun (coolest near
 * dawn, warmest early afternoon), humidity follows from a slowly varying dew point (so it falls as
 * the air warms), afternoon showers cool the air and wet the leaves, and dew wets them at night.
 * Leaf wetness and night humidity are what rice blast (bệnh đạo ôn) warnings read.
 */
import { DAY_MS, dayOfYear, HOUR_MS, localDay, localHour, MINUTE_MS, seasonBump } from './clock.ts';
import { clamp, fbm, roundTo, valueNoise } from './noise.ts';
import { rainInfluence, recentShowers, showerAmountUntil, showerIntensity, showersOfDay } from './rain.ts';

const T_MIN_HOUR = 5.8;
const T_MAX_HOUR = 13.8;
const REGION = 0x3e47;

/** Daily minimum and maximum (°C) of a local day: hottest in April, coolest around New Year. */
function extremes(day: number, seed: number): { min: number; max: number } {
  const doy = dayOfYear(day * DAY_MS);
  const regional = 0.8 * fbm(day / 3, REGION, 1) + 0.3 * valueNoise(day, seed, 2);
  const showery = showersOfDay(day, seed).some((s) => s.totalMm > 3) ? 1.2 : 0;
  const max = 30.9 + 3.1 * seasonBump(doy, 105, 32) - 0.9 * seasonBump(doy, 5, 35) + regional - showery;
  const min = 24.4 + 1.1 * seasonBump(doy, 115, 40) - 1.9 * seasonBump(doy, 10, 35) + 0.5 * regional;
  return { min, max };
}

/** Raised-cosine step 1→0 that cools fast in the evening and slowly towards dawn. */
function cooling(x: number): number {
  const w = 1 - (1 - x) ** 1.6;
  return (1 + Math.cos(Math.PI * w)) / 2;
}

/** Air temperature (°C, unrounded) before showers: the clear-sky diurnal cycle. */
function clearSkyTemperature(tMs: number, seed: number): number {
  const day = localDay(tMs);
  const h = localHour(tMs);
  if (h < T_MIN_HOUR) {
    const prev = extremes(day - 1, seed).max;
    const x = (h + 24 - T_MAX_HOUR) / (24 - T_MAX_HOUR + T_MIN_HOUR);
    const min = extremes(day, seed).min;
    return min + (prev - min) * cooling(x);
  }
  const today = extremes(day, seed);
  if (h < T_MAX_HOUR) {
    const x = (h - T_MIN_HOUR) / (T_MAX_HOUR - T_MIN_HOUR);
    return today.min + ((today.max - today.min) * (1 - Math.cos(Math.PI * x))) / 2;
  }
  const nextMin = extremes(day + 1, seed).min;
  const x = (h - T_MAX_HOUR) / (24 - T_MAX_HOUR + T_MIN_HOUR);
  return nextMin + (today.max - nextMin) * cooling(x);
}

function airTemperatureRaw(tMs: number, seed: number): number {
  const clear = clearSkyTemperature(tMs, seed);
  const daytime = clamp((clear - 24) / 7, 0.2, 1);
  const jitter = 0.15 * valueNoise(tMs / (20 * MINUTE_MS), seed, 3);
  return clear - 4 * daytime * rainInfluence(tMs, seed, 2) + jitter;
}

/** Dew point (°C): drier air in the dry season, near-saturated air during and after rain. */
function dewPoint(tMs: number, seed: number, airT: number): number {
  const doy = dayOfYear(tMs);
  const days = tMs / DAY_MS;
  const base = 24.4 - 3.2 * seasonBump(doy, 35, 45) + 0.6 * fbm(days / 2.5, REGION, 4) - 0.6 * Math.max(0, Math.sin((Math.PI * (localHour(tMs) - 8)) / 12));
  const wet = rainInfluence(tMs, seed, 3);
  return Math.min(airT - 0.2, base + (airT - base) * 0.9 * wet);
}

const saturation = (t: number): number => 6.112 * Math.exp((17.62 * t) / (243.12 + t));

/** Air temperature, °C (0.1 °C resolution). */
export function airTemperature(tMs: number, seed: number): number {
  return roundTo(airTemperatureRaw(tMs, seed), 1);
}

function relativeHumidityRaw(tMs: number, seed: number): number {
  const t = airTemperatureRaw(tMs, seed);
  return clamp((100 * saturation(dewPoint(tMs, seed, t))) / saturation(t), 30, 99);
}

/** Relative humidity, % (0.1 % resolution). */
export function relativeHumidity(tMs: number, seed: number): number {
  return roundTo(relativeHumidityRaw(tMs, seed), 1);
}

/** Rain in the `intervalMs` ending at `tMs`, mm, counted in 0.2 mm tips as a tipping-bucket gauge does. */
export function rainfall(tMs: number, seed: number, intervalMs: number): number {
  let tips = 0;
  for (const s of recentShowers(tMs, seed)) {
    tips += Math.floor(showerAmountUntil(s, tMs) / 0.2) - Math.floor(showerAmountUntil(s, tMs - intervalMs) / 0.2);
  }
  return roundTo(tips * 0.2, 1);
}

/**
 * Leaf wetness, % of the sensor surface wet. Dew forms on clear nights when the air is within about
 * 2 °C of its dew point and burns off within two hours of sunrise; rain wets the leaf at once and it
 * dries in one to three hours.
 */
export function leafWetness(tMs: number, seed: number): number {
  const t = airTemperatureRaw(tMs, seed);
  const depression = t - dewPoint(tMs, seed, t);
  const sun = clamp(Math.sin((Math.PI * (localHour(tMs) - 6)) / 12.3), 0, 1);
  const dew = clamp((2.2 - depression) / 1.4, 0, 1) * clamp(1 - (sun - 0.15) / 0.35, 0, 1);
  let rain = 0;
  for (const s of recentShowers(tMs, seed)) {
    const end = s.startMs + s.durationMs;
    if (showerIntensity(s, tMs) > 0) rain = 1;
    else if (tMs > end) rain = Math.max(rain, Math.exp(-(tMs - end) / ((sun > 0 ? 1.2 : 3) * HOUR_MS)));
  }
  return roundTo(100 * Math.max(dew, rain), 0);
}
