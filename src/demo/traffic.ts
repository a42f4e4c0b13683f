/**
 * Vehicles per 5 minutes at an urban traffic counter (mostly motorbikes). Weekdays peak when school
 * and offices start (about 6:30–7:30) and when they let out (about 16:30–18:00), with a smaller
 * lunch-time swell as many go home to eat; Ninh Kiều stays busy into the evening. Weekends have a
 * late, weak morning and a livelier evening; rain thins the motorbikes.
 */
import { DAY_MS, hourBump, localHour, localWeekday } from './clock.ts';
import { fbm, hashNormal } from './noise.ts';
import { rainInfluence } from './rain.ts';

const FIVE_MIN = 300_000;
const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** Expected count per 5 minutes at scale 1 (a main street such as 30 Tháng 4). */
export function expectedTraffic(tMs: number): number {
  const h = localHour(tMs);
  const wd = localWeekday(tMs);
  const awake = logistic((h - 5.7) / 0.35) * logistic((22.3 - h) / 0.7);
  if (wd === 0 || wd === 6) {
    const morning = wd === 6 ? 0.7 : 0.4;
    return 8 + 150 * awake + 190 * morning * hourBump(h, 8.3, 1.1) + 150 * hourBump(h, 17.8, 1.1) + 110 * hourBump(h, 20, 1.6);
  }
  return (
    8 +
    150 * awake +
    190 * hourBump(h, 7.0, 0.7) +
    70 * hourBump(h, 11.6, 0.7) +
    60 * hourBump(h, 13.2, 0.6) +
    200 * hourBump(h, 17.3, 0.9) +
    60 * hourBump(h, 20, 1.4)
  );
}

/** Counted vehicles in the 5 minutes ending at `tMs` (an integer, Poisson-like scatter). */
export function trafficCount(tMs: number, seed: number, scale = 1): number {
  const dayFactor = 1 + 0.06 * fbm(tMs / (3 * DAY_MS), seed, 1);
  const rain = 1 - 0.3 * rainInfluence(tMs, seed, 1);
  const lambda = scale * expectedTraffic(tMs) * dayFactor * rain;
  const bucket = Math.floor(tMs / FIVE_MIN);
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * hashNormal(seed, bucket)));
}
