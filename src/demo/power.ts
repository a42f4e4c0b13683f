/**
 * Electric load at two kinds of site. A market (chợ) wakes before dawn, is busiest in the morning,
 * and lights up again in the evening, over a refrigeration base load. An irrigation/drainage pumping
 * station (trạm bơm điện) switches whole pumps on and off and, like real ones under EVN's
 * time-of-use tariff, pumps mostly in the cheap night hours (22:00–04:00) and stops in the peak
 * hours (9:30–11:30 and 17:00–20:00, Monday–Saturday); it works hardest in the dry-season
 * irrigation and the flood-season drainage.
 */
import { dayOfYear, hourBump, localHour, localWeekday, MINUTE_MS, seasonBump } from './clock.ts';
import { clamp, hashUnit, roundTo, valueNoise } from './noise.ts';

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

function marketKw(tMs: number, seed: number, scale: number): number {
  const h = localHour(tMs);
  const open = logistic((h - 3.8) / 0.3) * logistic((19.5 - h) / 0.5);
  const activity = open * (0.6 + 0.4 * hourBump(h, 7, 2.2));
  const heat = seasonBump(dayOfYear(tMs), 110, 45);
  const fridge = 22 + 3 * valueNoise(tMs / (40 * MINUTE_MS), seed, 1);
  const kw = fridge + 55 * activity + 38 * hourBump(h, 18.8, 1.3) + 12 * heat * hourBump(h, 13, 3);
  return scale * kw * (1 + 0.03 * valueNoise(tMs / (5 * MINUTE_MS), seed, 2));
}

const PUMP_KW = 45;
const PUMPS = 3;
const HALF_HOUR = 30 * MINUTE_MS;

/** EVN time-of-use slot of an instant (Sundays have no peak hours). */
export function touSlot(tMs: number): 'offpeak' | 'normal' | 'peak' {
  const h = localHour(tMs);
  if (h >= 22 || h < 4) return 'offpeak';
  const peak = (h >= 9.5 && h < 11.5) || (h >= 17 && h < 20);
  return peak && localWeekday(tMs) !== 0 ? 'peak' : 'normal';
}

function pumpKw(tMs: number, seed: number, scale: number): number {
  const doy = dayOfYear(tMs);
  const demand = 0.35 + 0.65 * Math.max(seasonBump(doy, 45, 40), 0.8 * seasonBump(doy, 280, 35));
  const u = hashUnit(seed, Math.floor(tMs / HALF_HOUR));
  const slot = touSlot(tMs);
  const pumps = slot === 'offpeak' ? Math.round(PUMPS * demand * (0.8 + 0.4 * u)) : slot === 'normal' ? Math.round(1.6 * demand * (0.5 + u)) : 0;
  const running = clamp(pumps, 0, PUMPS) * PUMP_KW * (0.93 + 0.03 * valueNoise(tMs / (10 * MINUTE_MS), seed, 3));
  return scale * (running + 2.5 + 0.3 * valueNoise(tMs / (15 * MINUTE_MS), seed, 4));
}

/** Active power, kW. */
export function powerKw(site: 'market' | 'pump', tMs: number, seed: number, scale = 1): number {
  return roundTo(site === 'market' ? marketKw(tMs, seed, scale) : pumpKw(tMs, seed, scale), 1);
}

/** Energy used in the `intervalMs` ending at `tMs`, kWh (the meter's load-profile register). */
export function energyKwh(site: 'market' | 'pump', tMs: number, seed: number, intervalMs: number, scale = 1): number {
  const steps = 6;
  let sum = 0;
  for (let i = 0; i < steps; i++) {
    const t = tMs - intervalMs + ((i + 0.5) * intervalMs) / steps;
    sum += site === 'market' ? marketKw(t, seed, scale) : pumpKw(t, seed, scale);
  }
  return roundTo((sum / steps) * (intervalMs / 3_600_000), 2);
}
