import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOUR_MS, localHour, localWeekday } from './clock.ts';
import { seedOf } from './noise.ts';
import { DEMO_INTERVAL_MS, SIGNAL_NAMES, type SignalName, sampleTimes, valueAt } from './signals.ts';

const DAYS = 30;
const OCT_2024 = Date.UTC(2024, 9, 1) - 7 * HOUR_MS; // 1 Oct 2024 00:00 in Can Tho: flood season
const JAN_2025 = Date.UTC(2025, 0, 1) - 7 * HOUR_MS; // dry season
const MAR_2025 = Date.UTC(2025, 2, 1) - 7 * HOUR_MS; // dry season, salinity intrusion
const AUG_2024 = Date.UTC(2024, 7, 1) - 7 * HOUR_MS; // rainy season
const SEED = seedOf('test-station');

function series(signal: SignalName, from: number, days = DAYS, seed = SEED, scale?: number): { t: number; v: number }[] {
  return sampleTimes(signal, from, from + days * 24 * HOUR_MS).map((t) => ({ t, v: valueAt(signal, t, seed, scale === undefined ? {} : { scale }) }));
}

/** Mean per local hour of day (0…23). */
function hourlyMeans(points: { t: number; v: number }[]): number[] {
  const sum = new Array<number>(24).fill(0);
  const n = new Array<number>(24).fill(0);
  for (const p of points) {
    const h = Math.floor(localHour(p.t));
    sum[h]! += p.v;
    n[h]! += 1;
  }
  return sum.map((s, h) => s / n[h]!);
}

const argmax = (xs: number[]): number => xs.indexOf(Math.max(...xs));
const argmin = (xs: number[]): number => xs.indexOf(Math.min(...xs));
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const hours = (hm: number[], from: number, to: number): number[] => hm.slice(from, to + 1);

/**
 * Amplitude spectrum of an hourly record at the DFT grid k/N cycles per hour, after removing a
 * linear trend (the seasonal mean level would otherwise leak into the tidal band).
 */
function amplitudeSpectrum(y: number[], kFrom: number, kTo: number): { k: number; amp: number }[] {
  const n = y.length;
  const xm = (n - 1) / 2;
  const ym = mean(y);
  let sxy = 0;
  let sxx = 0;
  y.forEach((v, i) => {
    sxy += (i - xm) * (v - ym);
    sxx += (i - xm) ** 2;
  });
  const r = y.map((v, i) => v - ym - (sxy / sxx) * (i - xm));
  const out: { k: number; amp: number }[] = [];
  for (let k = kFrom; k <= kTo; k++) {
    let re = 0;
    let im = 0;
    r.forEach((v, i) => {
      re += v * Math.cos((2 * Math.PI * k * i) / n);
      im -= v * Math.sin((2 * Math.PI * k * i) / n);
    });
    out.push({ k, amp: (2 * Math.hypot(re, im)) / n });
  }
  return out;
}

test('water level: the two largest spectral peaks (6–30 h) are M2 (12.42 h) and K1 (23.93 h)', () => {
  // A 30-day hourly record resolves frequency to 1/720 cycles per hour (Rayleigh criterion): enough
  // to separate M2 from S2 (2 bins apart) and K1 from O1 (2.2 bins), but a peak can only be placed
  // at the nearest grid bin, so the tolerance is half a bin in frequency (k within ±0.5 of 720/P).
  // Checked in the flood season and the dry season (different K1–P1 beat phases).
  for (const from of [OCT_2024, MAR_2025]) {
    const N = DAYS * 24;
    const y = Array.from({ length: N }, (_, i) => valueAt('water_level', from + i * HOUR_MS, SEED));
    const spec = amplitudeSpectrum(y, Math.ceil(N / 30), Math.floor(N / 6));
    const peaks = spec.filter((p, i) => i > 0 && i < spec.length - 1 && p.amp > spec[i - 1]!.amp && p.amp >= spec[i + 1]!.amp).sort((a, b) => b.amp - a.amp);
    const [first, second, third] = peaks;
    assert.ok(first && second && third);
    assert.ok(Math.abs(first.k - N / 12.4206012) <= 0.5, `largest peak at ${(N / first.k).toFixed(2)} h`);
    assert.ok(Math.abs(second.k - N / 23.9344697) <= 0.5, `second peak at ${(N / second.k).toFixed(2)} h`);
    assert.ok(second.amp > 1.15 * third.amp, 'K1 stands clear of the next constituent (O1)');
    assert.ok(first.amp > 0.3 && first.amp < 0.8, `M2 amplitude ${first.amp.toFixed(2)} m`);
  }
});

test('water level: flood-season spring tides cross báo động I; dry-season highs stay below it', () => {
  const oct = series('water_level', OCT_2024).map((p) => p.v);
  const jan = series('water_level', JAN_2025).map((p) => p.v);
  const flood = Math.max(...oct);
  assert.ok(flood >= 1.8, `flood-season max ${flood} m`);
  assert.ok(flood < 2.4, `flood-season max ${flood} m is implausible`);
  assert.ok(Math.max(...jan) < 1.8, `dry-season max ${Math.max(...jan)} m`);
  const range = flood - Math.min(...oct);
  assert.ok(range > 1.5 && range < 2.6, `flood-season range ${range.toFixed(2)} m (about 2 m)`);
  assert.ok(mean(oct) > mean(jan) + 0.4, 'flood raises the mean level');
});

test('salinity: near fresh in the flood season, dry-season intrusion, stronger downstream', () => {
  const oct = series('salinity', OCT_2024).map((p) => p.v);
  const mar = series('salinity', MAR_2025).map((p) => p.v);
  assert.ok(Math.max(...oct) < 0.3, `flood-season max ${Math.max(...oct)} ‰`);
  assert.ok(mean(mar) > 2 * mean(oct), 'dry-season intrusion');
  assert.ok(Math.max(...mar) < 6, 'stays plausible for Can Tho');
  const upstream = series('salinity', MAR_2025, DAYS, SEED, 0.15).map((p) => p.v);
  assert.ok(mean(upstream) < mean(mar));
});

test('pond DO: lowest near dawn (4–7 h), highest in the afternoon, sometimes below 3 mg/L', () => {
  for (const from of [AUG_2024, JAN_2025]) {
    const pts = series('pond_do', from);
    const hm = hourlyMeans(pts);
    const lo = argmin(hm);
    const hi = argmax(hm);
    assert.ok(lo >= 4 && lo <= 7, `DO minimum at ${lo} h`);
    assert.ok(hi >= 13 && hi <= 17, `DO maximum at ${hi} h`);
    assert.ok(hm[hi]! - hm[lo]! > 2, 'strong daily swing');
  }
  const season = series('pond_do', Date.UTC(2024, 5, 1), 120).map((p) => p.v);
  const low = season.filter((v) => v < 3).length / season.length;
  assert.ok(low > 0 && low < 0.1, `share of readings below 3 mg/L: ${low}`);
});

test('pond pH follows DO (higher in the afternoon); NH3 low; water temperature lags the air', () => {
  const ph = hourlyMeans(series('pond_ph', AUG_2024));
  assert.ok(argmax(ph) >= 13 && argmax(ph) <= 18, `pH max at ${argmax(ph)} h`);
  assert.ok(Math.max(...ph) <= 8.5 && Math.min(...ph) >= 6.5);
  const nh3 = series('pond_nh3', AUG_2024).map((p) => p.v);
  assert.ok(mean(nh3) < 0.05 && Math.min(...nh3) >= 0);
  const tw = hourlyMeans(series('pond_temperature', AUG_2024));
  const air = hourlyMeans(series('air_temperature', AUG_2024));
  assert.ok(argmax(tw) >= 14 && argmax(tw) <= 18, `water temperature max at ${argmax(tw)} h`);
  assert.ok(argmin(tw) >= 6 && argmin(tw) <= 8, `water temperature min at ${argmin(tw)} h`);
  assert.ok(argmax(tw) > argmax(air) && argmin(tw) > argmin(air), 'water lags the air');
});

test('PM2.5: morning and evening rush-hour peaks above midday and night; PM10 ≈ 1.5–2 × PM2.5', () => {
  for (const from of [JAN_2025, AUG_2024]) {
    const hm = hourlyMeans(series('pm25', from));
    const morning = Math.max(...hours(hm, 6, 9));
    const evening = Math.max(...hours(hm, 17, 19));
    const midday = mean(hours(hm, 12, 14));
    const night = mean(hours(hm, 1, 4));
    assert.ok(argmax(hours(hm, 5, 10)) + 5 >= 7 && argmax(hours(hm, 5, 10)) + 5 <= 8, 'morning peak at 7–8 h');
    for (const peak of [morning, evening]) {
      assert.ok(peak > 1.2 * midday, `peak ${peak.toFixed(1)} vs midday ${midday.toFixed(1)}`);
      assert.ok(peak > 1.1 * night, `peak ${peak.toFixed(1)} vs night ${night.toFixed(1)}`);
    }
  }
  const a = series('pm25', JAN_2025).map((p) => p.v);
  const b = series('pm10', JAN_2025).map((p) => p.v);
  const ratio = mean(b) / mean(a);
  assert.ok(ratio >= 1.5 && ratio <= 2, `PM10/PM2.5 ${ratio.toFixed(2)}`);
  assert.ok(mean(a) > 1.3 * mean(series('pm25', AUG_2024).map((p) => p.v)), 'dry season is dustier');
});

test('weather: temperature minimum near dawn, maximum early afternoon; humidity the inverse', () => {
  for (const from of [JAN_2025, AUG_2024]) {
    const t = hourlyMeans(series('air_temperature', from));
    assert.ok(argmin(t) >= 4 && argmin(t) <= 6, `T min at ${argmin(t)} h`);
    assert.ok(argmax(t) >= 12 && argmax(t) <= 15, `T max at ${argmax(t)} h`);
    const rh = hourlyMeans(series('relative_humidity', from));
    assert.ok(argmin(rh) >= 12 && argmin(rh) <= 15, `RH min at ${argmin(rh)} h`);
    assert.ok(Math.max(...rh) <= 100 && Math.min(...rh) > 30);
  }
});

test('weather: afternoon showers in the rainy season, little rain in the dry season; leaves wet at night', () => {
  const wet = series('rainfall', AUG_2024);
  const dry = series('rainfall', JAN_2025);
  const total = (pts: { v: number }[]): number => pts.reduce((s, p) => s + p.v, 0);
  assert.ok(total(wet) > 80 && total(wet) < 600, `August total ${total(wet)} mm`);
  assert.ok(total(dry) < 0.25 * total(wet), `January total ${total(dry)} mm`);
  const afternoon = total(wet.filter((p) => localHour(p.t) >= 13 && localHour(p.t) < 20));
  assert.ok(afternoon > 0.6 * total(wet), 'mostly afternoon showers');
  for (const p of wet) assert.ok(Math.abs(p.v / 0.2 - Math.round(p.v / 0.2)) < 1e-9, 'whole 0.2 mm tips');
  const lw = hourlyMeans(series('leaf_wetness', AUG_2024));
  assert.ok(mean(hours(lw, 1, 5)) > 60, 'dew at night');
  assert.ok(mean(hours(lw, 10, 12)) < 10, 'dry by late morning');
});

test('traffic: weekday rush hours, quiet nights, a weaker weekend morning', () => {
  const pts = series('traffic_count', OCT_2024);
  for (const p of pts) assert.ok(Number.isInteger(p.v) && p.v >= 0);
  const isWeekend = (t: number): boolean => localWeekday(t) === 0 || localWeekday(t) === 6;
  const wd = hourlyMeans(pts.filter((p) => !isWeekend(p.t)));
  const we = hourlyMeans(pts.filter((p) => isWeekend(p.t)));
  const morning = Math.max(...hours(wd, 6, 8));
  const evening = Math.max(...hours(wd, 16, 18));
  assert.ok(morning > 1.2 * mean(hours(wd, 12, 14)) && evening > 1.2 * mean(hours(wd, 12, 14)));
  assert.ok(mean(hours(wd, 1, 4)) < 0.1 * morning, 'quiet nights');
  assert.ok(Math.max(...hours(we, 6, 7)) < 0.8 * Math.max(...hours(wd, 6, 7)), 'weekend mornings start later');
});

test('power: the market has day and evening peaks; the pumps avoid peak-tariff hours', () => {
  const market = hourlyMeans(series('power_market', OCT_2024));
  const day = Math.max(...hours(market, 5, 10));
  const evening = Math.max(...hours(market, 17, 20));
  for (const peak of [day, evening]) assert.ok(peak > 1.2 * mean(hours(market, 13, 15)) && peak > 2 * mean(hours(market, 0, 2)));
  const pump = series('power_pump', JAN_2025);
  const inPeak = pump.filter((p) => localWeekday(p.t) !== 0 && ((localHour(p.t) >= 9.5 && localHour(p.t) < 11.5) || (localHour(p.t) >= 17 && localHour(p.t) < 20)));
  const offPeak = pump.filter((p) => localHour(p.t) >= 22 || localHour(p.t) < 4);
  assert.ok(Math.max(...inPeak.map((p) => p.v)) < 5, 'no pump runs in peak hours');
  assert.ok(mean(offPeak.map((p) => p.v)) > 60, 'pumping at night');
  // Energy per 15 min matches the power curve it integrates.
  const energy = series('energy_pump', JAN_2025).reduce((s, p) => s + p.v, 0);
  const integral = pump.reduce((s, p) => s + (p.v * DEMO_INTERVAL_MS.power_pump) / HOUR_MS, 0);
  assert.ok(Math.abs(energy - integral) / integral < 0.02, `${energy.toFixed(0)} vs ${integral.toFixed(0)} kWh`);
});

test('determinism: same inputs give the same outputs; seeds and signals give distinct series', () => {
  const t0 = Date.UTC(2025, 3, 15, 3, 17);
  for (const signal of SIGNAL_NAMES) {
    const a = Array.from({ length: 50 }, (_, i) => valueAt(signal, t0 + i * DEMO_INTERVAL_MS[signal], SEED));
    const b = Array.from({ length: 50 }, (_, i) => valueAt(signal, t0 + i * DEMO_INTERVAL_MS[signal], SEED));
    assert.deepEqual(a, b, signal);
    for (const v of a) assert.ok(Number.isFinite(v), `${signal} gives ${v}`);
  }
  const s1 = series('pm25', JAN_2025, 2, seedOf('kk-ninh-kieu')).map((p) => p.v);
  const s2 = series('pm25', JAN_2025, 2, seedOf('kk-cai-rang')).map((p) => p.v);
  assert.notDeepEqual(s1, s2);
});

test('sampleTimes aligns to the signal interval and covers [from, to)', () => {
  const from = Date.UTC(2025, 0, 1, 0, 2, 30);
  const ts = sampleTimes('salinity', from, from + HOUR_MS);
  assert.equal(ts.length, 12);
  for (const t of ts) assert.equal(t % DEMO_INTERVAL_MS.salinity, 0);
  assert.ok(ts[0]! >= from && ts.at(-1)! < from + HOUR_MS);
});
