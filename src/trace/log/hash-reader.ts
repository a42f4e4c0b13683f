import { LogFormatError } from './errors.ts';
import { HASH_SIZE } from './hashing.ts';
import type { StoredHashIndex } from './stored-index.ts';

/**
 * Abstract access to the log's stored complete-subtree hashes (see {@link StoredHashIndex}).
 *
 * Why an interface: the same proof code runs over an in-memory array (tests), a database table keyed
 * by stored index, or hash tiles fetched over HTTP. Every operation in this library asks for all the
 * hashes it needs in one call (O(log n) of them), so a storage backend can answer with a single
 * batched query. Implementations must return exactly one 32-byte hash per requested index, in order.
 */
export interface HashReader {
  readHashes(indexes: readonly StoredHashIndex[]): Promise<Uint8Array[]> | Uint8Array[];
}

/**
 * Reads through a {@link HashReader} and checks its answer (count and hash sizes), because a broken
 * backend must not be able to produce a proof or root that silently mixes in garbage.
 */
export async function readHashesChecked(reader: HashReader, indexes: readonly StoredHashIndex[]): Promise<Uint8Array[]> {
  if (indexes.length === 0) return [];
  const hashes = await reader.readHashes(indexes);
  checkHashes(indexes, hashes);
  return hashes;
}

/** Validates a reader's answer; exported for the synchronous `...From` helpers. */
export function checkHashes(indexes: readonly StoredHashIndex[], hashes: readonly Uint8Array[]): void {
  if (!Array.isArray(hashes) || hashes.length !== indexes.length) {
    throw new LogFormatError('BAD_STORAGE', `hash reader returned ${Array.isArray(hashes) ? hashes.length : 'no'} hashes for ${indexes.length} indexes`);
  }
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i];
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new LogFormatError('BAD_STORAGE', `hash reader returned a malformed hash for stored index ${indexes[i]}`);
    }
  }
}
