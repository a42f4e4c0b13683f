/**
 * Water level and salinity on the Hậu river at Can Tho. The level is a harmonic tide (the method
 * tide tables use) on top of a seasonal mean level: the Mekong flood lifts the mean in September to
 * November, so spring tides then cross báo động I/II/III (1.80/1.90/2.00 m at the Cần Thơ station),
 * while dry-season highs stay well below. Salinity rides the same tide.
 */
import { dayOfYear, HOUR_MS, localYear, seasonBump } from './clock.ts';
import { clamp, fbm, hashUnit, roundTo, valueNoise } from './noise.ts';

/** One tidal constituent: equilibrium argument V0 = a·T + b·s + c·h + d·p + e (degrees). */
interface Constituent {
  readonly name: string;
  readonly periodH: number;
  /** Amplitude at Cần Thơ, metres (illustrative, of the published order of magnitude). */
  readonly amp: number;
  /** Greenwich phase lag g, degrees (illustrative: puts high water a few hours after Vũng Tàu's). */
  readonly g: number;
  readonly doodson: readonly [number, number, number, number, number];
}

/**
 * The Hậu river tide at Can Tho is mixed, mainly semi-diurnal, with a strong K1 (the South China
 * Sea's diurnal tide): M2 and K1 dominate, O1 and S2 follow. Nodal factors (f, u) are left out; they
 * change amplitudes by a few percent over 18.6 years, which a demo does not need.
 */
export const CONSTITUENTS: readonly Constituent[] = [
  { name: 'M2', periodH: 12.4206012, amp: 0.54, g: 100, doodson: [2, -2, 2, 0, 0] },
  { name: 'S2', periodH: 12.0, amp: 0.2, g: 140, doodson: [2, 0, 0, 0, 0] },
  { name: 'N2', periodH: 12.6583482, amp: 0.1, g: 80, doodson: [2, -3, 2, 1, 0] },
  { name: 'K1', periodH: 23.9344697, amp: 0.4, g: 350, doodson: [1, 0, 1, 0, 90] },
  { name: 'O1', periodH: 25.8193417, amp: 0.26, g: 300, doodson: [1, -2, 1, 0, -90] },
  { name: 'P1', periodH: 24.0658902, amp: 0.08, g: 345, doodson: [1, 0, -1, 0, -90] },
  // Shallow-water overtide: the river steepens the flood and lengthens the ebb.
  { name: 'M4', periodH: 6.2103006, amp: 0.05, g: 210, doodson: [4, -4, 4, 0, 0] },
];

const DEG = Math.PI / 180;
const J2000_MS = Date.UTC(2000, 0, 1, 12);

/** Mean astronomical longitudes (degrees) at an instant: T (solar hour angle + 180°), s, h, p. */
function astro(tMs: number): readonly [number, number, number, number] {
  const d = (tMs - J2000_MS) / 86_400_000;
  const utHours = (((tMs / HOUR_MS) % 24) + 24) % 24;
  const T = 180 + 15 * utHours;
  const s = 218.3164477 + 13.17639648 * d;
  const h = 280.46646 + 0.98564736 * d;
  const p = 83.3532465 + 0.11140353 * d;
  return [T, s, h, p];
}

/** Astronomical tide at Can Tho relative to the mean level, metres (before seasonal damping). */
export function astronomicalTide(tMs: number): number {
  const [T, s, h, p] = astro(tMs);
  let eta = 0;
  for (const c of CONSTITUENTS) {
    const [a, b, cc, dd, e] = c.doodson;
    const v0 = a * T + b * s + cc * h + dd * p + e;
    eta += c.amp * Math.cos((v0 - c.g) * DEG);
  }
  return eta;
}

/** Flood-season weight 0…1, peaking around 10 October; a few years run high, some low. */
export function floodIndex(tMs: number): number {
  const yearFactor = 0.9 + 0.2 * hashUnit(0xf100d, localYear(tMs));
  return yearFactor * seasonBump(dayOfYear(tMs), 286, 40);
}

/**
 * Water level (m, national height datum Hòn Dấu) at the Cần Thơ hydrological station. The flood
 * raises the mean (upstream discharge) and damps the tide a little, as river flow does; the East
 * Sea's seasonal high adds to it from October to January (the "triều cường" months).
 */
export function waterLevel(tMs: number, seed: number): number {
  const flood = floodIndex(tMs);
  const days = tMs / 86_400_000;
  const seaLevel = seasonBump(dayOfYear(tMs), 325, 55); // East Sea's seasonal high, Oct–Jan
  const mean = 0.2 + 0.76 * flood + 0.22 * seaLevel + 0.05 * fbm(days / 4, seed, 1);
  const damping = 1 - 0.12 * flood;
  const surge = 0.02 * valueNoise(tMs / (3 * HOUR_MS), seed, 2);
  return roundTo(mean + damping * astronomicalTide(tMs) + surge, 2);
}

/**
 * Salinity (‰) on the Hậu river. Fresh (about 0.1‰) most of the year; in the dry season the sea
 * pushes up the Bassac and salt reaches Can Tho in February–April, strongest at high water on spring
 * tides. `scale` is the station's exposure: 1 at Cái Răng (downstream), less upstream.
 */
export function salinity(tMs: number, seed: number, scale = 1): number {
  const days = tMs / 86_400_000;
  const fresh = 0.1 + 0.03 * fbm(days / 3, seed, 3);
  const yearPeak = 0.7 + 1.5 * hashUnit(0x5a17, localYear(tMs)); // ‰ at Cái Răng in the worst week
  const season = seasonBump(dayOfYear(tMs), 72, 26);
  const upstreamFlow = 1 + 0.25 * fbm(days / 6, seed, 4);
  // Salt peaks around high-water slack, a little after high water.
  const tide = clamp(0.5 + astronomicalTide(tMs - 1.5 * HOUR_MS) / 1.6, 0, 1);
  const intrusion = scale * yearPeak * season * upstreamFlow * tide ** 1.5;
  return roundTo(Math.max(0.02, fresh + intrusion), 2);
}
