import { EMPTY_TREE_HASH, nodeHash } from '../log/merkle.ts';
import { treeHashIndexes } from '../log/merkle.ts';

/**
 * The right border of an RFC 9162 tree: the complete subtrees whose sizes are the binary digits of
 * the tree size, largest (leftmost) first. It is all an appender needs: appending leaf n merges it
 * with the border subtrees of levels 0, 1, … that n completes, producing exactly the stored hashes
 * of `storedHashesForAppend` (leaf hash first, then one per completed level), and the root is the
 * border folded right to left (RFC 9162 §2.1.1). O(log n) memory, no reads while appending.
 */
export class Frontier {
  private constructor(
    private _size: number,
    private readonly levels: number[],
    private readonly hashes: Uint8Array[],
  ) {}

  /** An empty tree. */
  static empty(): Frontier {
    return new Frontier(0, [], []);
  }

  /**
   * The border of a tree of `size` leaves from its stored hashes, read at
   * `Frontier.indexes(size)` (= treeHashIndexes(size), largest subtree first).
   */
  static fromStored(size: number, hashes: readonly Uint8Array[]): Frontier {
    const levels: number[] = [];
    for (let l = 52; l >= 0; l--) if (Math.floor(size / 2 ** l) % 2 === 1) levels.push(l);
    if (levels.length !== hashes.length) throw new Error(`frontier of size ${size} needs ${levels.length} hashes, got ${hashes.length}`);
    return new Frontier(size, levels, hashes.map((h) => new Uint8Array(h)));
  }

  /** The stored hash indexes {@link fromStored} needs. */
  static indexes(size: number): number[] {
    return treeHashIndexes(size);
  }

  get size(): number {
    return this._size;
  }

  clone(): Frontier {
    return new Frontier(this._size, [...this.levels], [...this.hashes]);
  }

  /**
   * Appends one leaf (its RFC 9162 leaf hash) and returns the hashes to store, in stored-index
   * order starting at storedHashIndex(0, oldSize).
   */
  append(leafHash: Uint8Array): Uint8Array[] {
    const out = [leafHash];
    let h = leafHash;
    let level = 0;
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === level) {
      this.levels.pop();
      h = nodeHash(this.hashes.pop()!, h);
      out.push(h);
      level++;
    }
    this.levels.push(level);
    this.hashes.push(h);
    this._size++;
    return out;
  }

  /** RFC 9162 MTH of the whole tree. */
  root(): Uint8Array {
    if (this.hashes.length === 0) return EMPTY_TREE_HASH;
    let h = this.hashes[this.hashes.length - 1]!;
    for (let i = this.hashes.length - 2; i >= 0; i--) h = nodeHash(this.hashes[i]!, h);
    return h;
  }
}
