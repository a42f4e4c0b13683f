import { withContextPrefixes } from '../../epcis/jsonld-prefixes.ts';
import { buildPreHashString } from '../../epcis/prehash.ts';
import { sha256, toHex, utf8 } from './bytes.ts';

/**
 * CBV 2.0 §8.9 Event Hash ID computed in the browser: the same canonical pre-hash string as
 * src/trace/epcis/event-hash.ts (whose prehash.ts is pure and bundles for the browser), hashed
 * with WebCrypto instead of node:crypto. Prefixes: the EPCIS defaults, the enclosing document's
 * `@context` when known, then the event's own `@context`.
 */
export async function eventHashIdWeb(event: unknown, documentContext?: unknown): Promise<string> {
  const ctx = event !== null && typeof event === 'object' && !Array.isArray(event) ? (event as Record<string, unknown>)['@context'] : undefined;
  const preHash = buildPreHashString(event, { prefixes: withContextPrefixes(ctx, withContextPrefixes(documentContext)) });
  return `ni:///sha-256;${toHex(await sha256(utf8(preHash)))}?ver=CBV2.0`;
}
