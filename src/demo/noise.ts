/**
 * Deterministic, seeded noise for the demo signals. No Math.random: the same (signal, time, seed)
 * always gives the same value, so a back-fill and the live feed agree, re-seeding is idempotent and
 * tests are reproducible. Value noise interpolates hashed lattice values, which gives the smooth,
 * correlated wander of real sensors rather than white jitter.
 */

function fmix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** 32-bit hash of a seed and two integers (MurmurHash3's finaliser applied per word). */
export function hash32(seed: number, i: number, j = 0): number {
  let h = fmix((seed ^ 0x9e3779b9) >>> 0);
  h = fmix((h ^ Math.imul(i | 0, 0x27d4eb2d)) >>> 0);
  h = fmix((h ^ Math.imul(j | 0, 0x165667b1)) >>> 0);
  return h;
}

/** Uniform in [0, 1) from a seed and two integers: the dice of per-day events. */
export function hashUnit(seed: number, i: number, j = 0): number {
  return hash32(seed, i, j) / 4294967296;
}

/** Standard normal from a seed and two integers (Box–Muller on two hashed uniforms). */
export function hashNormal(seed: number, i: number, j = 0): number {
  const u1 = (hash32(seed, i, j) + 1) / 4294967297;
  const u2 = hashUnit(seed ^ 0x5bd1e995, i, j);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Smooth 1-D value noise in [-1, 1] with unit lattice spacing; `salt` separates independent streams. */
export function valueNoise(x: number, seed: number, salt = 0): number {
  const i = Math.floor(x);
  const f = x - i;
  const a = hashUnit(seed, i, salt);
  const b = hashUnit(seed, i + 1, salt);
  const fade = f * f * f * (f * (f * 6 - 15) + 10);
  return 2 * (a + (b - a) * fade) - 1;
}

/** Fractal (multi-octave) value noise in about [-1, 1]: slow wander with finer detail on top. */
export function fbm(x: number, seed: number, salt = 0, octaves = 3): number {
  let sum = 0;
  let norm = 0;
  for (let k = 0; k < octaves; k++) {
    const amp = 0.5 ** k;
    sum += amp * valueNoise(x * 2 ** k, seed, salt * 16 + k);
    norm += amp;
  }
  return sum / norm;
}

/**
 * Stable 32-bit seed from a text key (FNV-1a over UTF-16 code units), so a station's signals depend
 * only on its `key` and survive reordering the network.
 */
export function seedOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Round to a number of decimals, as a sensor's resolution would. */
export function roundTo(x: number, decimals: number): number {
  const p = 10 ** decimals;
  return Math.round(x * p) / p;
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
