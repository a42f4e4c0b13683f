import { digitalLinkEscape, epcUriToDigitalLink } from './epc-uri.ts';

/**
 * "Constrained canonical" GS1 Digital Link URIs as CBV 2.0 §8.9 requires them in the Event Hash
 * pre-hash string: (I) any domain replaced by https://id.gs1.org, (II) query string and fragment
 * dropped, (III) only the finest level of identification kept, i.e. one of the key/qualifier
 * combinations 00, 01, 01+21, 01+10, 01+235, 253, 255, 401, 402, 414, 414+254, 417, 8003, 8004,
 * 8006, 8006+21, 8006+10, 8010, 8010+8011, 8017, 8018 (CPV is removed; a lot is dropped when a
 * serial is present). GTIN-8/12/13 are zero-padded to GTIN-14 (GS1 Digital Link 1.2 §4.11).
 */

const DL = 'https://id.gs1.org/';

/** Primary key path codes (AI or GS1 Digital Link short name) → AI. */
const PRIMARY: ReadonlyMap<string, string> = new Map([
  ['00', '00'], ['sscc', '00'], ['01', '01'], ['gtin', '01'], ['253', '253'], ['gdti', '253'],
  ['255', '255'], ['gcn', '255'], ['401', '401'], ['ginc', '401'], ['402', '402'], ['gsin', '402'],
  ['414', '414'], ['gln', '414'], ['417', '417'], ['party', '417'], ['8003', '8003'], ['grai', '8003'],
  ['8004', '8004'], ['giai', '8004'], ['8006', '8006'], ['itip', '8006'], ['8010', '8010'],
  ['cpid', '8010'], ['8017', '8017'], ['gsrnp', '8017'], ['8018', '8018'], ['gsrn', '8018'],
]);

/** Key qualifier path codes → AI. */
const QUALIFIER: ReadonlyMap<string, string> = new Map([
  ['22', '22'], ['cpv', '22'], ['10', '10'], ['lot', '10'], ['21', '21'], ['ser', '21'],
  ['235', '235'], ['254', '254'], ['8011', '8011'],
]);

/** Qualifiers each key may carry, in the order GS1 Digital Link requires them. */
const QUALIFIER_ORDER: Readonly<Record<string, readonly string[]>> = {
  '01': ['22', '10', '21'],
  '8006': ['22', '10', '21'],
  '414': ['254'],
  '8010': ['8011'],
};

const CS82 = /^(?:[A-Za-z0-9!'()*+,\-.:;=_]|%[0-9A-Fa-f]{2})+$/;
const CS39 = /^(?:[0-9A-Z-]|%2[3Ff])+$/;
const D = /^[0-9]+$/;

function units(s: string): number {
  let n = s.length;
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) n -= 2;
  return n;
}

function text(s: string, max: number): boolean {
  return CS82.test(s) && units(s) <= max;
}

/** Canonical primary key value (GTIN padded), or undefined if the value does not fit the key. */
function primaryValue(ai: string, v: string): string | undefined {
  switch (ai) {
    case '01':
      return D.test(v) && (v.length === 8 || v.length === 12 || v.length === 13 || v.length === 14)
        ? v.padStart(14, '0')
        : undefined;
    case '00':
    case '8006':
    case '8017':
    case '8018':
      return D.test(v) && v.length === 18 ? v : undefined;
    case '402':
      return D.test(v) && v.length === 17 ? v : undefined;
    case '414':
    case '417':
      return D.test(v) && v.length === 13 ? v : undefined;
    case '253':
      return v.length >= 13 && D.test(v.slice(0, 13)) && (v.length === 13 || text(v.slice(13), 17)) ? digitalLinkEscape(v) : undefined;
    case '255':
      return D.test(v) && v.length >= 13 && v.length <= 25 ? v : undefined;
    case '8003':
      return v.length >= 14 && D.test(v.slice(0, 14)) && (v.length === 14 || text(v.slice(14), 16)) ? digitalLinkEscape(v) : undefined;
    case '401':
    case '8004':
      return /^[0-9]{4}/.test(v) && text(v, 30) ? digitalLinkEscape(v) : undefined;
    case '8010':
      return /^[0-9]{4}/.test(v) && CS39.test(v) && units(v) <= 30 ? v : undefined;
    default:
      return undefined;
  }
}

function qualifierValue(ai: string, v: string): string | undefined {
  switch (ai) {
    case '22':
    case '10':
    case '21':
    case '254':
      return text(v, 20) ? digitalLinkEscape(v) : undefined;
    case '235':
      return text(v, 28) ? digitalLinkEscape(v) : undefined;
    case '8011':
      return D.test(v) && v.length <= 12 ? v : undefined;
    default:
      return undefined;
  }
}

/** Reads key + qualifiers from path segments starting at `i`; undefined if they do not parse. */
function fromSegments(segs: readonly string[], i: number): string | undefined {
  const ai = PRIMARY.get(segs[i]!);
  if (ai === undefined || i + 1 >= segs.length) return undefined;
  const value = primaryValue(ai, segs[i + 1]!);
  if (value === undefined) return undefined;
  const rest = segs.length - (i + 2);
  if (rest % 2 !== 0) return undefined;
  const found = new Map<string, string>();
  let lastRank = -1;
  const allowed = QUALIFIER_ORDER[ai];
  for (let j = i + 2; j < segs.length; j += 2) {
    const q = QUALIFIER.get(segs[j]!);
    if (q === undefined) return undefined;
    if (ai === '01' && q === '235' && found.size === 0 && j + 2 === segs.length) {
      const tpx = qualifierValue(q, segs[j + 1]!);
      return tpx === undefined ? undefined : `${DL}01/${value}/235/${tpx}`;
    }
    const rank = allowed ? allowed.indexOf(q) : -1;
    if (rank <= lastRank) return undefined; // not allowed for this key, repeated or out of order
    const qv = qualifierValue(q, segs[j + 1]!);
    if (qv === undefined) return undefined;
    found.set(q, qv);
    lastRank = rank;
  }
  let out = `${DL}${ai}/${value}`;
  if (found.has('21')) out += `/21/${found.get('21')}`;
  else if (found.has('10')) out += `/10/${found.get('10')}`;
  if (found.has('254')) out += `/254/${found.get('254')}`;
  if (found.has('8011')) out += `/8011/${found.get('8011')}`;
  return out;
}

/**
 * Constrained canonical form of a GS1 Digital Link URI (see module comment), or undefined when
 * `uri` is not an http(s) URI whose path holds a GS1 primary key with valid qualifiers.
 */
export function constrainDigitalLink(uri: string): string | undefined {
  const m = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^/?#]*(\/[^?#]*)/.exec(uri);
  if (!m) return undefined;
  const segs = m[1]!.split('/');
  segs.shift();
  if (segs.length > 0 && segs[segs.length - 1] === '') segs.pop();
  for (let i = 0; i + 1 < segs.length; i++) {
    if (!PRIMARY.has(segs[i]!)) continue;
    const out = fromSegments(segs, i);
    if (out !== undefined) return out;
  }
  return undefined;
}

/**
 * The CBV 2.0 §8.9 canonical form of any URI that carries a GS1 key: EPC URIs are converted to
 * Digital Link, Digital Link URIs are constrained. Returns undefined for every other value.
 */
export function canonicalGs1Uri(value: string): string | undefined {
  const hit = memo.get(value);
  if (hit !== undefined) return hit === NONE ? undefined : hit;
  let out: string | undefined;
  if (value.startsWith('urn:epc:')) out = epcUriToDigitalLink(value);
  else if (value.length > 8 && (value.charCodeAt(0) | 32) === 104 /* h */) out = constrainDigitalLink(value);
  else return undefined;
  if (value.length <= 512) {
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(value, out ?? NONE);
  }
  return out;
}

// Locations, lot classes and parties repeat across the events of a supply chain, and event hashing
// and indexing canonicalise every identifier: a bounded memo of recent answers saves the parse.
const MEMO_SIZE = 20_000;
const NONE = '\u0000';
const memo = new Map<string, string>();
