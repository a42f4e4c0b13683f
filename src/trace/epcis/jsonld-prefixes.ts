/**
 * The small part of JSON-LD that EPCIS needs without a JSON-LD processor: reading prefix
 * definitions from inline `@context` objects and expanding compact IRIs (CURIEs) such as
 * "example:myField" or "gs1:Temperature" (JSON-LD 1.1 §4.4 "Compact IRIs").
 *
 * Remote contexts are never fetched (no network from a validator, and attacker-chosen URLs must
 * not be dereferenced). The prefixes that the standard EPCIS 2.0 context defines are built in, so
 * documents that reference it by URL behave as if it had been loaded.
 */

/** Prefix → namespace IRI. */
export type PrefixMap = ReadonlyMap<string, string>;

/** Prefixes defined by the normative EPCIS 2.0 JSON-LD context (epcis-context.jsonld). */
export const EPCIS_DEFAULT_PREFIXES: PrefixMap = new Map([
  ['epcis', 'https://ref.gs1.org/epcis/'],
  ['cbv', 'https://ref.gs1.org/cbv/'],
  ['cbvmda', 'urn:epcglobal:cbv:mda:'],
  ['gs1', 'https://gs1.org/voc/'],
  ['rdfs', 'http://www.w3.org/2000/01/rdf-schema#'],
  ['owl', 'http://www.w3.org/2002/07/owl#'],
  ['xsd', 'http://www.w3.org/2001/XMLSchema#'],
  ['dcterms', 'http://purl.org/dc/terms/'],
]);

/** Maximum number of prefix definitions read from one context (attacker-controlled input). */
const MAX_PREFIXES = 256;

/**
 * Returns `inherited` extended with the prefix definitions of `context` (a string, an object or
 * an array of both; anything else is ignored). Later definitions win, as in JSON-LD. Only simple
 * term definitions whose value is an absolute IRI ("ex": "https://ns.example.com/") and expanded
 * definitions with an "@id" are read; keywords ("@vocab", "@version" …) are skipped.
 */
export function withContextPrefixes(context: unknown, inherited: PrefixMap = EPCIS_DEFAULT_PREFIXES): PrefixMap {
  if (context === undefined || context === null || typeof context === 'string') return inherited;
  const list = Array.isArray(context) ? context : [context];
  let out: Map<string, string> | undefined;
  let count = 0;
  for (const entry of list) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
    for (const key of Object.keys(entry)) {
      if (key.startsWith('@') || key.includes(':')) continue;
      const def = (entry as Record<string, unknown>)[key];
      let iri: unknown = def;
      if (def !== null && typeof def === 'object' && !Array.isArray(def)) iri = (def as Record<string, unknown>)['@id'];
      if (typeof iri !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(iri)) continue;
      if (++count > MAX_PREFIXES) return out ?? inherited;
      out ??= new Map(inherited);
      out.set(key, iri);
    }
  }
  return out ?? inherited;
}

/**
 * Expands a compact IRI "prefix:suffix" when `prefix` is defined (and the suffix does not start
 * with "//", which marks an absolute IRI such as "https://…"). Anything else is returned unchanged.
 */
export function expandCurie(value: string, prefixes: PrefixMap): string {
  const colon = value.indexOf(':');
  if (colon <= 0) return value;
  if (value.startsWith('//', colon + 1)) return value;
  const ns = prefixes.get(value.slice(0, colon));
  return ns === undefined ? value : ns + value.slice(colon + 1);
}

/**
 * Writes a property name as "{namespace}localName", the form CBV 2.0 §8.9 uses for user extension
 * keys in the pre-hash string. A CURIE uses its prefix's namespace; an absolute IRI is split after
 * its last '#' or '/'; names that are neither are returned unchanged.
 */
export function qualifiedKey(key: string, prefixes: PrefixMap): string {
  const colon = key.indexOf(':');
  if (colon <= 0) return key;
  if (!key.startsWith('//', colon + 1)) {
    const ns = prefixes.get(key.slice(0, colon));
    if (ns !== undefined) return `{${ns}}${key.slice(colon + 1)}`;
  }
  if (key.startsWith('//', colon + 1) || key.startsWith('urn:')) {
    const cut = Math.max(key.lastIndexOf('#'), key.lastIndexOf('/'));
    if (cut > colon && cut < key.length - 1) return `{${key.slice(0, cut + 1)}}${key.slice(cut + 1)}`;
  }
  return key;
}
