import { cbvUrnToWebUri } from './cbv-vocabulary.ts';
import { canonicalGs1Uri } from './digital-link.ts';
import { expandCurie, type PrefixMap } from './jsonld-prefixes.ts';

/**
 * Value normalisation of the CBV 2.0 §8.9 Event Hash ID pre-hash string: trimmed strings, numbers
 * without trailing zeros, CURIEs expanded, CBV URNs replaced by CBV Web URIs, GS1 keys as
 * constrained canonical Digital Link URIs. Kept apart from the property-order logic so each rule can
 * be tested on its own.
 */

/**
 * Writes a number as the CBV reference implementation does (its test vectors are the yardstick):
 * integral values as plain integers ("600", not "600.0"), other values in shortest round-trip form,
 * and magnitudes below 1e-4 in exponent form with at least two exponent digits ("1e-05"). This
 * satisfies CBV 2.0 §8.9 "quantitative values SHALL NOT have trailing zeros".
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return Math.abs(x) < 1e21 ? String(x === 0 ? 0 : x) : BigInt(x).toString();
  const ax = Math.abs(x);
  if (ax >= 1e-4) return String(x);
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const sign = exp[0] === '-' ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '');
  return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
}

/** Plain decimal or exponent notation, optionally signed — what counts as a "numeric value". */
const NUMERIC = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * If `s` spells a number, its canonical form (so that "26.0", "26" and the JSON number 26 hash
 * alike, as XML text and JSON numbers must); otherwise undefined.
 */
export function canonicalNumberText(s: string): string | undefined {
  if (s.length === 0 || s.length > 400 || !NUMERIC.test(s)) return undefined;
  const x = Number(s);
  return Number.isFinite(x) ? formatNumber(x) : undefined;
}

/**
 * Canonical form of one string value anywhere in an event: trimmed; CURIE expanded with the
 * document's prefixes; a CBV 1.x URN rewritten as CBV Web URI; numbers canonicalised; EPC URIs and
 * Digital Link URIs made constrained canonical Digital Link URIs.
 */
export function canonicalText(raw: string, prefixes: PrefixMap): string {
  let t = raw.trim();
  if (t.length === 0) return t;
  t = cbvUrnToWebUri(expandCurie(t, prefixes));
  const n = canonicalNumberText(t);
  if (n !== undefined) return n;
  return canonicalGs1Uri(t) ?? t;
}

/**
 * Canonical text of a JSON scalar: strings via `canonicalText`, numbers via `formatNumber`,
 * booleans as "true"/"false" (their xsd:boolean spelling, so JSON and XML agree). Returns
 * undefined for null and for non-scalars.
 */
export function scalarText(v: unknown, prefixes: PrefixMap): string | undefined {
  switch (typeof v) {
    case 'string':
      return canonicalText(v, prefixes);
    case 'number':
      return formatNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    default:
      return undefined;
  }
}
