import { canonicalGs1Uri, gs1CheckDigit } from './epcis/index.ts';

/**
 * GS1 identifiers as the trace module stores and compares them: every EPC, EPC class and location
 * is kept in its CBV 2.0 §8.9 canonical Digital Link form (`https://id.gs1.org/…`), so an EPC URN
 * (`urn:epc:class:lgtin:…`) and a Digital Link URI of the same object match (GS1 Digital Link 1.2).
 * Values that carry no GS1 key are kept as written.
 */

/** Canonical Digital Link of a GS1 identifier, or the value itself. */
export function canonicalId(v: string): string {
  return canonicalGs1Uri(v) ?? v;
}

/** GTIN-8/12/13/14 → GTIN-14 when the check digit is right, else null. */
export function normaliseGtin(s: string): string | null {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(s)) return null;
  const g = s.padStart(14, '0');
  return gs1CheckDigit(g.slice(0, 13)) === g[13] ? g : null;
}

/** Characters left as they are in a Digital Link path value (the rest is %-escaped). */
const KEEP = /[A-Za-z0-9'\-.;=_]/;

/** Percent-encodes a key value for a Digital Link path the way the canonical form writes it. */
function escapeValue(v: string): string {
  let out = '';
  for (const ch of v) {
    if (KEEP.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The canonical Digital Link of a lot (`01` + `10`), or of one item (`01` + `21`); null if invalid. */
export function lotUri(gtin14: string, lot: string, serial?: string | null): string | null {
  if (lot.length === 0 || lot.length > 20) return null;
  const path = serial ? `01/${gtin14}/21/${escapeValue(serial)}` : `01/${gtin14}/10/${escapeValue(lot)}`;
  return canonicalGs1Uri(`https://id.gs1.org/${path}`) ?? null;
}

/** The GLN in a canonical location ID (`https://id.gs1.org/414/<gln>[/254/<ext>]`), or null. */
export function glnOf(canonical: string | null | undefined): string | null {
  const m = canonical ? /^https:\/\/id\.gs1\.org\/414\/(\d{13})(?:\/|$)/.exec(canonical) : null;
  return m ? m[1]! : null;
}

/** The (GTIN, lot) of a canonical lot class URI, or null. */
export function lotOf(canonical: string): { gtin: string; lot: string } | null {
  const m = /^https:\/\/id\.gs1\.org\/01\/(\d{14})\/10\/([^/]+)$/.exec(canonical);
  if (!m) return null;
  try {
    return { gtin: m[1]!, lot: decodeURIComponent(m[2]!) };
  } catch {
    return null;
  }
}
