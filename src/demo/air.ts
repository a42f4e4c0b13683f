/**
 * Fine dust (PM2.5, PM10) at a roadside air-quality station. In Can Tho, as in other Vietnamese
 * cities, motorbike traffic makes two daily peaks (about 7–8 h and 17–19 h local time); the dry
 * season (December–April) is dustier, with calm, stable nights that trap evening emissions, and
 * rain washes particles out. PM10 adds coarse road dust on top of the fine fraction.
 */
import { dayOfYear, DAY_MS, hourBump, localHour, localWeekday, MINUTE_MS, seasonBump } from './clock.ts';
import { clamp, fbm, roundTo, valueNoise } from './noise.ts';
import { rainInfluence } from './rain.ts';

/** Pollution episodes are regional: both city stations rise and fall together. */
const REGION = 0xa1e5;

/** Relative daily shape (about 0.5 at midday … 1.4 at the evening rush). */
function diurnal(tMs: number): number {
  const h = localHour(tMs);
  const wd = localWeekday(tMs);
  const weekend = wd === 0 || wd === 6;
  const inversion = seasonBump(dayOfYear(tMs), 20, 55);
  return (
    0.62 +
    0.55 * (weekend ? 0.55 : 1) * hourBump(h, 7.4, 1.0) +
    0.12 * hourBump(h, 11.8, 0.7) +
    0.6 * hourBump(h, 18.1, 1.3) +
    0.3 * inversion * hourBump(h, 22.5, 2.5) -
    0.14 * hourBump(h, 13.8, 2.0)
  );
}

function pm25Raw(tMs: number, seed: number, scale: number): number {
  const days = tMs / DAY_MS;
  const base = 20 + 16 * seasonBump(dayOfYear(tMs), 35, 50);
  const episode = Math.exp(0.35 * fbm(days / 2.5, REGION, 1) + 0.1 * fbm(days / 1.5, seed, 2));
  const washout = 1 - 0.45 * rainInfluence(tMs, seed, 3);
  const jitter = 1 + 0.06 * valueNoise(tMs / (15 * MINUTE_MS), seed, 3);
  return Math.max(2, scale * base * episode * diurnal(tMs) * washout * jitter);
}

/** PM2.5, µg/m³; `scale` is the site's exposure (1 = busy central roadside). */
export function pm25(tMs: number, seed: number, scale = 1): number {
  return roundTo(pm25Raw(tMs, seed, scale), 1);
}

/** PM10, µg/m³: 1.5–2 × PM2.5, more coarse dust at rush hours, less after rain. */
export function pm10(tMs: number, seed: number, scale = 1): number {
  const h = localHour(tMs);
  const rush = hourBump(h, 7.4, 1.0) + hourBump(h, 18.1, 1.3);
  const ratio = 1.6 + 0.15 * fbm(tMs / (1.5 * DAY_MS), seed, 4) + 0.2 * rush - 0.15 * rainInfluence(tMs, seed, 3);
  return roundTo(pm25Raw(tMs, seed, scale) * clamp(ratio, 1.45, 2.05), 1);
}
