import crypto, { createHash } from 'node:crypto';
import { expandCurie, type PrefixMap, withContextPrefixes } from './jsonld-prefixes.ts';
import { buildPreHashString, PreHashInputError } from './prehash.ts';

/**
 * CBV 2.0 §8.9 "EPCIS Event Hash ID": a name for an EPCIS event computed from the event's own
 * content, `ni:///sha-256;<hex digest>?ver=CBV2.0` (RFC 6920 "ni" URI), identical for the same
 * event in JSON or XML, with or without JSON-LD compaction, EPC URNs or Digital Link URIs.
 *
 * Why we need it: it is the deduplication key and the value we anchor for integrity proofs of
 * traceability events (rice and pangasius lots). Hashing runs on every captured event, so the
 * canonicalisation (prehash.ts) builds one string per event without intermediate copies.
 */

export { PreHashInputError } from './prehash.ts';

/** Digest algorithms allowed in the ni URI (names from the IANA Named Information registry). */
export type EventHashAlgorithm = 'sha-256' | 'sha-384' | 'sha-512' | 'sha3-256' | 'sha3-384' | 'sha3-512';

const NODE_ALGORITHM: Readonly<Record<EventHashAlgorithm, string>> = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};

/** Version of the algorithm, written into every Event Hash ID (CBV 2.0 §8.9). */
export const EVENT_HASH_VERSION = 'CBV2.0';

/** Options of the hash functions. */
export interface EventHashOptions {
  /** Digest algorithm; default 'sha-256'. */
  algorithm?: EventHashAlgorithm;
  /** The `@context` of the enclosing document, for resolving CURIEs used by the event. */
  context?: unknown;
  /**
   * User-extension properties to leave out of the hash (CURIE or IRI), e.g. fields a repository
   * adds on capture. Standard EPCIS fields can never be excluded.
   */
  ignoreFields?: readonly string[];
}

/**
 * The CBV 2.0 §8.9 canonical pre-hash string of one event (what gets hashed). Throws
 * `PreHashInputError` if `event` is not a JSON object or is nested absurdly deep.
 */
export function eventPreHash(event: unknown, options: EventHashOptions = {}): string {
  return preHashIn(event, withContextPrefixes(options.context), options.ignoreFields);
}

/** Pre-hash of `event` whose enclosing document defines `documentPrefixes`. */
function preHashIn(event: unknown, documentPrefixes: PrefixMap, ignoreFields: readonly string[] | undefined): string {
  const prefixes = eventPrefixes(event, documentPrefixes);
  return buildPreHashString(event, { prefixes, ignore: ignoreSet(ignoreFields, prefixes) });
}

/**
 * The Event Hash ID of one event, e.g. "ni:///sha-256;ffa4…1b4b?ver=CBV2.0". Throws
 * `PreHashInputError` for input that is not an event object (validate first).
 */
export function eventHashId(event: unknown, options: EventHashOptions = {}): string {
  return preHashToHashId(eventPreHash(event, options), options.algorithm);
}

/** Wraps a pre-hash string into the ni URI: ni:///{algorithm};{hex digest}?ver=CBV2.0 (RFC 6920). */
export function preHashToHashId(preHash: string, algorithm: EventHashAlgorithm = 'sha-256'): string {
  const nodeName = NODE_ALGORITHM[algorithm];
  if (nodeName === undefined) throw new PreHashInputError(`unsupported digest algorithm '${String(algorithm)}'`);
  const digest = oneShot ? oneShot(nodeName, preHash, 'hex') : createHash(nodeName).update(preHash, 'utf8').digest('hex');
  return `ni:///${algorithm};${digest}?ver=${EVENT_HASH_VERSION}`;
}

// One-shot crypto.hash (Node ≥ 20.12; strings are hashed as UTF-8): about half the cost of
// createHash().update().digest() for one short pre-hash string, and it runs for every event.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

/** Options for whole documents. */
export interface DocumentHashOptions extends EventHashOptions {
  /**
   * Also honour an "ignoreFields" list declared inside the document (a repository convention used
   * by the CBV reference implementation's test data, e.g. "repository-x:ignoreFields"). Off by
   * default: a sender must not be able to decide which of its fields escape the hash.
   */
  honourDocumentIgnoreFields?: boolean;
}

/** One event's hash result within a document. */
export interface DocumentEventHash {
  /** Index in the document's event list. */
  index: number;
  hashId: string;
  preHash: string;
}

/**
 * Event Hash IDs of every event of an EPCISDocument, an EPCISQueryDocument or a bare event, in
 * document order, resolving CURIEs with the document's `@context`. Throws `PreHashInputError` if
 * no event list can be found or an event is not an object.
 */
export function documentEventHashes(doc: unknown, options: DocumentHashOptions = {}): DocumentEventHash[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PreHashInputError('an EPCIS document must be a JSON object');
  }
  const d = doc as Record<string, unknown>;
  // The document's own @context, on top of a caller-supplied one (for plain-JSON documents).
  const prefixes = withContextPrefixes(d['@context'], withContextPrefixes(options.context));
  const body = asObject(d.epcisBody);
  const queryResults = asObject(body?.queryResults);
  let events: unknown;
  if (body && Array.isArray(body.eventList)) events = body.eventList;
  else if (queryResults && Array.isArray(asObject(queryResults.resultsBody)?.eventList)) {
    events = asObject(queryResults.resultsBody)!.eventList;
  } else if (typeof d.type === 'string' && d.type.endsWith('Event')) events = [doc];
  else throw new PreHashInputError('no epcisBody.eventList, query results or bare event found');

  const ignore = [...(options.ignoreFields ?? [])];
  if (options.honourDocumentIgnoreFields) {
    for (const holder of [d, queryResults]) {
      if (!holder) continue;
      for (const [key, value] of Object.entries(holder)) {
        if (localName(expandCurie(key, prefixes)) === 'ignoreFields' && Array.isArray(value)) {
          for (const f of value) if (typeof f === 'string') ignore.push(f);
        }
      }
    }
  }
  return (events as unknown[]).map((ev, index) => {
    const preHash = preHashIn(ev, prefixes, ignore);
    return { index, preHash, hashId: preHashToHashId(preHash, options.algorithm) };
  });
}

function eventPrefixes(event: unknown, documentPrefixes: PrefixMap): PrefixMap {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return documentPrefixes;
  return withContextPrefixes((event as Record<string, unknown>)['@context'], documentPrefixes);
}

function ignoreSet(fields: readonly string[] | undefined, prefixes: PrefixMap): ReadonlySet<string> | undefined {
  if (!fields || fields.length === 0) return undefined;
  const out = new Set<string>();
  for (const f of fields) {
    out.add(f);
    out.add(expandCurie(f, prefixes));
  }
  return out;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function localName(iri: string): string {
  const cut = Math.max(iri.lastIndexOf('/'), iri.lastIndexOf('#'), iri.lastIndexOf(':'));
  return iri.slice(cut + 1);
}
