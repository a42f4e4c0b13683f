/**
 * The demo's signal catalogue: one name per kind of series, a deterministic `valueAt` for each and
 * the sampling interval the simulator and the 30-day back-fill use. The network (network.ts) names
 * a signal per datastream; the lead's seeder and live feed call `valueAt` with the station's seed,
 * so the back-fill and the live values join seamlessly and re-running the seed gives the same data.
 */
import { MINUTE_MS } from './clock.ts';
import { pm10, pm25 } from './air.ts';
import { pondAmmonia, pondDissolvedOxygen, pondPh, pondTemperature } from './pond.ts';
import { energyKwh, powerKw } from './power.ts';
import { salinity, waterLevel } from './tide.ts';
import { trafficCount } from './traffic.ts';
import { airTemperature, leafWetness, rainfall, relativeHumidity } from './weather.ts';

/** Sampling interval per signal: 1 min for the flood-critical water level, 5–15 min for the rest. */
export const DEMO_INTERVAL_MS = {
  water_level: MINUTE_MS,
  salinity: 5 * MINUTE_MS,
  pm25: 5 * MINUTE_MS,
  pm10: 5 * MINUTE_MS,
  air_temperature: 5 * MINUTE_MS,
  relative_humidity: 5 * MINUTE_MS,
  rainfall: 5 * MINUTE_MS,
  leaf_wetness: 5 * MINUTE_MS,
  pond_do: 5 * MINUTE_MS,
  pond_ph: 5 * MINUTE_MS,
  pond_nh3: 5 * MINUTE_MS,
  pond_temperature: 5 * MINUTE_MS,
  traffic_count: 5 * MINUTE_MS,
  power_market: 5 * MINUTE_MS,
  power_pump: 5 * MINUTE_MS,
  energy_market: 15 * MINUTE_MS,
  energy_pump: 15 * MINUTE_MS,
} as const satisfies Record<string, number>;

/** Name of a generator; a datastream's `signal`. */
export type SignalName = keyof typeof DEMO_INTERVAL_MS;

/** Every signal name, for validation of the network and of telemetry. */
export const SIGNAL_NAMES = Object.keys(DEMO_INTERVAL_MS) as readonly SignalName[];

/** Per-datastream tuning: `scale` is site exposure (salt reach, traffic volume, dust, load size). */
export interface SignalParams {
  readonly scale?: number;
}

/**
 * The value of a signal at an instant for one station. Pure and deterministic: same arguments,
 * same number. `stationSeed` is shared by all datastreams of a station (e.g. `seedOf(station.key)`),
 * which keeps its series physically consistent (rain cools the air and wets the leaves of the same
 * station; PM10 rides on that station's PM2.5). Interval-type values (rain, traffic, energy) are
 * totals for the interval that ends at `tMs`.
 */
export function valueAt(signal: SignalName, tMs: number, stationSeed: number, params: SignalParams = {}): number {
  const scale = params.scale ?? 1;
  switch (signal) {
    case 'water_level':
      return waterLevel(tMs, stationSeed);
    case 'salinity':
      return salinity(tMs, stationSeed, scale);
    case 'pm25':
      return pm25(tMs, stationSeed, scale);
    case 'pm10':
      return pm10(tMs, stationSeed, scale);
    case 'air_temperature':
      return airTemperature(tMs, stationSeed);
    case 'relative_humidity':
      return relativeHumidity(tMs, stationSeed);
    case 'rainfall':
      return rainfall(tMs, stationSeed, DEMO_INTERVAL_MS.rainfall);
    case 'leaf_wetness':
      return leafWetness(tMs, stationSeed);
    case 'pond_do':
      return pondDissolvedOxygen(tMs, stationSeed);
    case 'pond_ph':
      return pondPh(tMs, stationSeed);
    case 'pond_nh3':
      return pondAmmonia(tMs, stationSeed);
    case 'pond_temperature':
      return pondTemperature(tMs, stationSeed);
    case 'traffic_count':
      return trafficCount(tMs, stationSeed, scale);
    case 'power_market':
      return powerKw('market', tMs, stationSeed, scale);
    case 'power_pump':
      return powerKw('pump', tMs, stationSeed, scale);
    case 'energy_market':
      return energyKwh('market', tMs, stationSeed, DEMO_INTERVAL_MS.energy_market, scale);
    case 'energy_pump':
      return energyKwh('pump', tMs, stationSeed, DEMO_INTERVAL_MS.energy_pump, scale);
  }
}

/**
 * Sampling instants of a signal in [fromMs, toMs), aligned to its interval (so every node of a
 * cluster, and every re-run, stamps the same phenomenonTimes).
 */
export function sampleTimes(signal: SignalName, fromMs: number, toMs: number): number[] {
  const step = DEMO_INTERVAL_MS[signal];
  const out: number[] = [];
  for (let t = Math.ceil(fromMs / step) * step; t < toMs; t += step) out.push(t);
  return out;
}
