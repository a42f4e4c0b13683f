import { storedHashesForAppendFrom, storedHashesForAppendIndexes } from './append.ts';
import { LogFormatError } from './errors.ts';
import type { HashReader } from './hash-reader.ts';
import { HASH_SIZE, isHash } from './hashing.ts';
import { type StoredHashIndex, storedHashIndex } from './stored-index.ts';
import { treeHashFrom, treeHashIndexes } from './tree-hash.ts';

/**
 * An in-memory stored-hash log: the reference {@link HashReader} for tests and small tools.
 *
 * Why one flat, doubling byte buffer: appending must stay cheap at >10,000 leaves/s, so hashes are
 * copied into a single growing Uint8Array rather than kept as millions of small objects; reads
 * return views into it (old views stay valid after a resize because the log is append-only).
 */
export class MemoryHashStore implements HashReader {
  #buf = new Uint8Array(HASH_SIZE * 64);
  #count = 0; // stored hashes
  #size = 0; // leaves

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Number of stored hashes (equals storedHashCount(size)). */
  get storedCount(): number {
    return this.#count;
  }

  /** Views into the store's buffer (no copy): callers must treat them as read-only. */
  readHashes(indexes: readonly StoredHashIndex[]): Uint8Array[] {
    const out: Uint8Array[] = new Array(indexes.length);
    for (let i = 0; i < indexes.length; i++) {
      const idx = indexes[i]!;
      if (!Number.isSafeInteger(idx) || idx < 0 || idx >= this.#count) {
        throw new LogFormatError('BAD_STORAGE', `stored hash ${idx} does not exist (have ${this.#count})`);
      }
      out[i] = this.#buf.subarray(idx * HASH_SIZE, (idx + 1) * HASH_SIZE);
    }
    return out;
  }

  /** Appends one leaf (given its RFC 9162 leaf hash) and returns its index. */
  append(leaf: Uint8Array): number {
    if (!isHash(leaf)) throw new LogFormatError('BAD_HASH', 'leaf hash must be 32 bytes');
    const n = this.#size;
    const hashes = storedHashesForAppendFrom(n, leaf, this.readHashes(storedHashesForAppendIndexes(n)));
    const start = storedHashIndex(0, n);
    if (start !== this.#count) throw new LogFormatError('BAD_STORAGE', 'stored hash sequence out of step');
    this.#ensure(this.#count + hashes.length);
    for (const h of hashes) {
      this.#buf.set(h, this.#count * HASH_SIZE);
      this.#count++;
    }
    this.#size = n + 1;
    return n;
  }

  /** RFC 9162 MTH of the first `size` leaves (default: all). */
  root(size: number = this.#size): Uint8Array {
    if (size > this.#size) throw new LogFormatError('BAD_ARGUMENT', `tree size ${size} is beyond the log's ${this.#size} leaves`);
    return treeHashFrom(size, this.readHashes(treeHashIndexes(size)));
  }

  #ensure(hashes: number): void {
    if (hashes * HASH_SIZE <= this.#buf.length) return;
    let cap = this.#buf.length;
    while (cap < hashes * HASH_SIZE) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#count * HASH_SIZE));
    this.#buf = next;
  }
}
