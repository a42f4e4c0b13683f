/**
 * Water quality in an aquaculture pond (pangasius / shrimp). Dissolved oxygen swings daily with
 * photosynthesis: algae add oxygen from sunrise to mid-afternoon, and all night respiration uses it
 * up, so DO is lowest just before dawn — the hour farmers lose fish. A cloudy day makes little
 * oxygen and the next dawn dips lower, sometimes under 3 mg/L (aerators on) and rarely near 2. pH
 * follows the same carbon cycle (CO2 drawn down by day), and un-ionised ammonia follows pH and
 * temperature from a slowly varying total ammonia level.
 */
import { DAY_MS, dayOfYear, diurnalCycle, HOUR_MS, localDay, localHour, MINUTE_MS, seasonBump } from './clock.ts';
import { clamp, fbm, hashUnit, roundTo, valueNoise } from './noise.ts';
import { showersOfDay } from './rain.ts';

const DAWN = 5.7;
const PEAK = 15;

/** Sunshine of a local day, 0.3 (overcast, raining) … 1 (clear). */
function sunshine(day: number, seed: number): number {
  const rainy = showersOfDay(day, seed).length > 0 ? 0.25 : 0;
  return clamp(0.97 - 0.4 * hashUnit(seed, day, 11) - rainy, 0.3, 1);
}

/** Pond water temperature (°C, unrounded): coolest about 7 h, warmest about 15–16 h, lagging the air. */
function waterTemperatureRaw(tMs: number, seed: number): number {
  const doy = dayOfYear(tMs);
  const mean = 29.4 + 1.9 * seasonBump(doy, 110, 40) - 1.8 * seasonBump(doy, 10, 35) + 0.5 * fbm(tMs / (3 * DAY_MS), seed, 12);
  const cloud = sunshine(localDay(tMs), seed);
  const amp = 0.5 + 0.9 * cloud;
  return mean + amp * (2 * diurnalCycle(localHour(tMs), 7, 15.5) - 1);
}

/** Dawn minimum (mg/L) of a day: lower after a dull day and in warm water. */
function dawnMinimum(day: number, seed: number): number {
  const prevSun = sunshine(day - 1, seed);
  const warm = waterTemperatureRaw(day * DAY_MS - 7 * HOUR_MS + DAWN * HOUR_MS, seed) - 29;
  return Math.max(2.2, 4.1 + 0.35 * fbm(day / 5, seed, 13) - 1.9 * (1 - prevSun) - 0.15 * warm);
}

/** Afternoon maximum (mg/L): the day's photosynthesis on top of the dawn level. */
function afternoonMaximum(day: number, seed: number): number {
  return dawnMinimum(day, seed) + 5 * sunshine(day, seed);
}

/** Night-time decline: fast while the water is warm, slower towards dawn. */
function decline(x: number): number {
  return (1 + Math.cos(Math.PI * (1 - (1 - x) ** 1.3))) / 2;
}

function dissolvedOxygenRaw(tMs: number, seed: number): number {
  const day = localDay(tMs);
  const h = localHour(tMs);
  let value: number;
  if (h < DAWN) {
    const from = afternoonMaximum(day - 1, seed);
    const to = dawnMinimum(day, seed);
    value = to + (from - to) * decline((h + 24 - PEAK) / (24 - PEAK + DAWN));
  } else if (h < PEAK) {
    const lo = dawnMinimum(day, seed);
    const hi = afternoonMaximum(day, seed);
    value = lo + ((hi - lo) * (1 - Math.cos((Math.PI * (h - DAWN)) / (PEAK - DAWN)))) / 2;
  } else {
    const from = afternoonMaximum(day, seed);
    const to = dawnMinimum(day + 1, seed);
    value = to + (from - to) * decline((h - PEAK) / (24 - PEAK + DAWN));
  }
  return Math.max(0.5, value + 0.12 * valueNoise(tMs / (30 * MINUTE_MS), seed, 14));
}

/** Dissolved oxygen, mg/L. */
export function pondDissolvedOxygen(tMs: number, seed: number): number {
  return roundTo(dissolvedOxygenRaw(tMs, seed), 2);
}

function phRaw(tMs: number, seed: number): number {
  const dox = dissolvedOxygenRaw(tMs - 30 * MINUTE_MS, seed);
  return clamp(6.85 + 0.16 * dox + 0.04 * valueNoise(tMs / HOUR_MS, seed, 15), 6.3, 9);
}

/** pH: about 7.2 at dawn, about 8.2 on a sunny afternoon. */
export function pondPh(tMs: number, seed: number): number {
  return roundTo(phRaw(tMs, seed), 2);
}

/** Water temperature, °C. */
export function pondTemperature(tMs: number, seed: number): number {
  return roundTo(waterTemperatureRaw(tMs, seed), 1);
}

/**
 * Un-ionised ammonia NH3 (mg/L) = total ammonia-N × the NH3 fraction, with pKa from Emerson et al.
 * (1975): pKa = 0.09018 + 2729.92 / T(K). Total ammonia wanders over days and rises a little after
 * the two daily feedings.
 */
export function pondAmmonia(tMs: number, seed: number): number {
  const h = localHour(tMs);
  const feeding = Math.exp(-0.5 * ((h - 9.5) / 1.5) ** 2) + Math.exp(-0.5 * ((h - 18.5) / 1.5) ** 2);
  const tan = clamp(0.36 + 0.22 * fbm(tMs / (4 * DAY_MS), seed, 16) + 0.04 * feeding, 0.08, 1.2);
  const pKa = 0.09018 + 2729.92 / (waterTemperatureRaw(tMs, seed) + 273.15);
  const fraction = 1 / (1 + 10 ** (pKa - phRaw(tMs, seed)));
  return roundTo(tan * fraction, 3);
}
