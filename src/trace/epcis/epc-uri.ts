/**
 * Converts EPC URIs (pure identity "urn:epc:id:…", class "urn:epc:class:lgtin:…" and pattern
 * "urn:epc:idpat:…", GS1 EPC Tag Data Standard 2.0 §6–§8) into canonical GS1 Digital Link URIs
 * ("https://id.gs1.org/…", GS1 Digital Link URI Syntax 1.2 §4.11).
 *
 * Needed by the CBV 2.0 §8.9 Event Hash ID ("EPC URIs … SHALL be converted into the corresponding
 * canonical GS1 Digital Link URI"), so that an event written with URNs and the same event written
 * with Digital Link URIs hash identically. Pure string work on attacker-controlled input: every
 * pattern is linear-time and every length is checked before slicing.
 */

const DL = 'https://id.gs1.org/';

// One character of the GS1 AI encodable character set 82 as it appears in an EPC URI: the
// URI-safe characters literally, everything else %-escaped (TDS 2.0 §5, Table 5-1).
const CS82 = /^(?:[A-Za-z0-9!'()*+,\-.:;=_]|%[0-9A-Fa-f]{2})+$/;
// Component/Part reference of a CPI: digits, upper-case letters, '-', and %23 ('#') / %2F ('/').
const CPREF = /^(?:[0-9A-Z-]|%2[3Ff])+$/;
const DIGITS = /^[0-9]+$/;

/** Number of characters a %-escaped component stands for. */
function unitLength(s: string): number {
  let n = s.length;
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) n -= 2;
  return n;
}

function cs82(s: string, max: number): boolean {
  return s.length > 0 && CS82.test(s) && unitLength(s) <= max;
}

function digits(s: string, min: number, max: number): boolean {
  return s.length >= min && s.length <= max && DIGITS.test(s);
}

/** GS1 General Specifications §7.9.1 mod-10 check digit over a string of digits. */
export function gs1CheckDigit(body: string): string {
  let sum = 0;
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = 4 - w) sum += (body.charCodeAt(i) - 48) * w;
  return String((10 - (sum % 10)) % 10);
}

/**
 * Percent-encodes the characters that GS1 Digital Link requires escaped in path values and that
 * may appear literally in EPC URIs (! ( ) * + , :); existing %-escapes are kept as they are.
 */
export function digitalLinkEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '!': out += '%21'; break;
      case '(': out += '%28'; break;
      case ')': out += '%29'; break;
      case '*': out += '%2A'; break;
      case '+': out += '%2B'; break;
      case ',': out += '%2C'; break;
      case ':': out += '%3A'; break;
      default: out += ch;
    }
  }
  return out;
}

/** Company prefix (6–12 digits) + reference making a fixed-length all-digit key body. */
function keyBody(cp: string, ref: string, total: number): string | undefined {
  if (!digits(cp, 6, 12) || cp.length + ref.length !== total) return undefined;
  if (ref.length > 0 && !DIGITS.test(ref)) return undefined;
  return cp + ref;
}

/** GTIN-14 from company prefix and indicator+item reference (TDS 2.0 §6.3.1). */
function gtin(cp: string, iir: string): string | undefined {
  if (!digits(cp, 6, 12) || iir.length < 1 || cp.length + iir.length !== 13 || !DIGITS.test(iir)) return undefined;
  const body = iir[0] + cp + iir.slice(1);
  return body + gs1CheckDigit(body);
}

/** Key with check digit appended: company prefix + reference of `total` digits. */
function withCheck(cp: string, ref: string, total: number): string | undefined {
  const body = keyBody(cp, ref, total);
  return body === undefined ? undefined : body + gs1CheckDigit(body);
}

/** Splits at the first `n` dots; the last part keeps any further dots. */
function split(body: string, n: number): string[] | undefined {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < n; i++) {
    const dot = body.indexOf('.', from);
    if (dot < 0) return undefined;
    parts.push(body.slice(from, dot));
    from = dot + 1;
  }
  parts.push(body.slice(from));
  return parts;
}

type Converter = (p: string[]) => string | undefined;

/** urn:epc:id:<scheme>:… — one converter per GS1 key scheme of TDS 2.0 §6.3. */
const ID: Readonly<Record<string, readonly [number, Converter]>> = {
  sgtin: [2, ([cp, iir, ser]) => {
    const g = gtin(cp!, iir!);
    return g && cs82(ser!, 20) ? `01/${g}/21/${digitalLinkEscape(ser!)}` : undefined;
  }],
  sscc: [1, ([cp, sr]) => {
    if (!sr || !DIGITS.test(sr)) return undefined;
    const body = keyBody(cp!, sr, 17);
    return body && `00/${sr[0]}${cp}${sr.slice(1)}${gs1CheckDigit(sr[0] + cp + sr.slice(1))}`;
  }],
  sgln: [2, ([cp, lr, ext]) => {
    const gln = withCheck(cp!, lr!, 12);
    if (!gln || !cs82(ext!, 20)) return undefined;
    return ext === '0' ? `414/${gln}` : `414/${gln}/254/${digitalLinkEscape(ext!)}`;
  }],
  grai: [2, ([cp, at, ser]) => {
    const body = keyBody(cp!, at!, 12);
    return body && cs82(ser!, 16) ? `8003/0${body}${gs1CheckDigit(body)}${digitalLinkEscape(ser!)}` : undefined;
  }],
  giai: [1, ([cp, iar]) => (digits(cp!, 6, 12) && cs82(iar!, 30 - cp!.length) ? `8004/${cp}${digitalLinkEscape(iar!)}` : undefined)],
  gsrn: [1, ([cp, sr]) => { const k = withCheck(cp!, sr!, 17); return k && `8018/${k}`; }],
  gsrnp: [1, ([cp, sr]) => { const k = withCheck(cp!, sr!, 17); return k && `8017/${k}`; }],
  gdti: [2, ([cp, dt, ser]) => {
    const k = withCheck(cp!, dt!, 12);
    return k && cs82(ser!, 17) ? `253/${k}${digitalLinkEscape(ser!)}` : undefined;
  }],
  cpi: [2, ([cp, cpr, ser]) => {
    if (!digits(cp!, 6, 12) || !cpr || !CPREF.test(cpr) || cp!.length + unitLength(cpr) > 30) return undefined;
    return digits(ser!, 1, 12) ? `8010/${cp}${cpr}/8011/${ser}` : undefined;
  }],
  sgcn: [2, ([cp, cr, ser]) => {
    const k = withCheck(cp!, cr!, 12);
    return k && digits(ser!, 1, 12) ? `255/${k}${ser}` : undefined;
  }],
  ginc: [1, ([cp, cr]) => (digits(cp!, 6, 12) && cs82(cr!, 30 - cp!.length) ? `401/${cp}${digitalLinkEscape(cr!)}` : undefined)],
  gsin: [1, ([cp, sr]) => { const k = withCheck(cp!, sr!, 16); return k && `402/${k}`; }],
  itip: [4, ([cp, iir, piece, total, ser]) => {
    const g = gtin(cp!, iir!);
    if (!g || !digits(piece!, 2, 2) || !digits(total!, 2, 2) || !cs82(ser!, 20)) return undefined;
    return `8006/${g}${piece}${total}/21/${digitalLinkEscape(ser!)}`;
  }],
  upui: [2, ([cp, iir, tpx]) => {
    const g = gtin(cp!, iir!);
    return g && cs82(tpx!, 28) ? `01/${g}/235/${digitalLinkEscape(tpx!)}` : undefined;
  }],
  pgln: [1, ([cp, pr]) => { const k = withCheck(cp!, pr!, 12); return k && `417/${k}`; }],
};

/** urn:epc:class:lgtin:… (TDS 2.0 §8). */
const LGTIN: readonly [number, Converter] = [2, ([cp, iir, lot]) => {
  const g = gtin(cp!, iir!);
  return g && cs82(lot!, 20) ? `01/${g}/10/${digitalLinkEscape(lot!)}` : undefined;
}];

/** urn:epc:idpat:<scheme>:… with the serial/extension replaced by '*' (TDS 2.0 §8). */
const IDPAT: Readonly<Record<string, readonly [number, Converter]>> = {
  sgtin: [2, ([cp, iir, star]) => { const g = star === '*' ? gtin(cp!, iir!) : undefined; return g && `01/${g}`; }],
  grai: [2, ([cp, at, star]) => {
    const body = star === '*' ? keyBody(cp!, at!, 12) : undefined;
    return body && `8003/0${body}${gs1CheckDigit(body)}`;
  }],
  gdti: [2, ([cp, dt, star]) => { const k = star === '*' ? withCheck(cp!, dt!, 12) : undefined; return k && `253/${k}`; }],
  sgcn: [2, ([cp, cr, star]) => { const k = star === '*' ? withCheck(cp!, cr!, 12) : undefined; return k && `255/${k}`; }],
  cpi: [2, ([cp, cpr, star]) => {
    if (star !== '*' || !digits(cp!, 6, 12) || !cpr || !CPREF.test(cpr) || cp!.length + unitLength(cpr) > 30) return undefined;
    return `8010/${cp}${cpr}`;
  }],
  itip: [4, ([cp, iir, piece, total, star]) => {
    const g = star === '*' ? gtin(cp!, iir!) : undefined;
    return g && digits(piece!, 2, 2) && digits(total!, 2, 2) ? `8006/${g}${piece}${total}` : undefined;
  }],
  upui: [2, ([cp, iir, star]) => { const g = star === '*' ? gtin(cp!, iir!) : undefined; return g && `01/${g}`; }],
};

/**
 * Canonical GS1 Digital Link URI for an EPC pure-identity, EPC class or EPC pattern URI, or
 * undefined when `uri` is not a well-formed EPC URI of a GS1 key scheme (GID, USDoD, ADI, BIC,
 * IMOVN and malformed URIs are left for the caller to keep as they are).
 */
export function epcUriToDigitalLink(uri: string): string | undefined {
  if (!uri.startsWith('urn:epc:')) return undefined;
  let table: Readonly<Record<string, readonly [number, Converter]>>;
  let rest: string;
  if (uri.startsWith('urn:epc:id:')) {
    table = ID;
    rest = uri.slice(11);
  } else if (uri.startsWith('urn:epc:idpat:')) {
    table = IDPAT;
    rest = uri.slice(14);
  } else if (uri.startsWith('urn:epc:class:lgtin:')) {
    table = { lgtin: LGTIN };
    rest = uri.slice(14);
  } else {
    return undefined;
  }
  const colon = rest.indexOf(':');
  if (colon <= 0) return undefined;
  const scheme = rest.slice(0, colon);
  const entry = Object.hasOwn(table, scheme) ? table[scheme] : undefined;
  if (!entry) return undefined;
  const parts = split(rest.slice(colon + 1), entry[0]);
  if (!parts) return undefined;
  const path = entry[1](parts);
  return path ? DL + path : undefined;
}
