import { isUint } from './bits.ts';
import { LogFormatError } from './errors.ts';
import { type HashReader, readHashesChecked } from './hash-reader.ts';
import { HASH_SIZE } from './hashing.ts';
import { type StoredHashIndex, storedHashIndex } from './stored-index.ts';

/** C2SP tlog-tiles: each tile spans 8 tree levels, so a full tile holds 2^8 = 256 hashes. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile (8,192 bytes). */
export const TILE_WIDTH = 256;
/** Largest tile level a path may name (tlog-tiles: 0–63). */
export const MAX_TILE_LEVEL = 63;

/**
 * A hash tile: `width` consecutive tree hashes at tree level 8·level, starting with hash
 * index·256 (tlog-tiles §Merkle Tree). width < 256 marks a partial tile.
 */
export interface Tile {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** Full and partial tile counts at one tile level for a given tree size. */
export interface TileLevel {
  readonly level: number;
  readonly fullTiles: number;
  readonly partialWidth: number;
}

function bad(why: string): LogFormatError {
  return new LogFormatError('MALFORMED_TILE_PATH', why);
}

/**
 * Encodes a tile index as tlog-tiles path elements: zero-padded 3-digit groups, all but the last
 * prefixed with `x` (1234067 → `x001/x234/067`), so a file system never holds both a file and a
 * directory of the same name.
 */
export function encodeTileIndex(n: number): string {
  if (!isUint(n)) throw bad(`bad tile index ${n}`);
  let s = String(n % 1000).padStart(3, '0');
  let rest = Math.floor(n / 1000);
  while (rest > 0) {
    s = `x${String(rest % 1000).padStart(3, '0')}/${s}`;
    rest = Math.floor(rest / 1000);
  }
  return s;
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw bad(`bad tile width ${width}`);
}

function suffix(width: number): string {
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

/** tlog-tiles path of a hash tile: `tile/<L>/<N>[.p/<W>]` (relative to the log prefix). */
export function tilePath(tile: Tile): string {
  if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > MAX_TILE_LEVEL) throw bad(`bad tile level ${tile.level}`);
  checkWidth(tile.width);
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${suffix(tile.width)}`;
}

/** tlog-tiles path of an entry bundle: `tile/entries/<N>[.p/<W>]`. */
export function entriesPath(index: number, width: number = TILE_WIDTH): string {
  checkWidth(width);
  return `tile/entries/${encodeTileIndex(index)}${suffix(width)}`;
}

const INDEX_PATH = /^(?:x[0-9]{3}\/)*[0-9]{3}$/;

function decodeTileIndex(s: string): number {
  if (s.length > 28 || !INDEX_PATH.test(s)) throw bad('bad tile index path');
  const n = Number(s.replaceAll('x', '').replaceAll('/', ''));
  if (!Number.isSafeInteger(n) || encodeTileIndex(n) !== s) throw bad('tile index path is not canonical');
  return n;
}

/**
 * Parses a tile or entry-bundle path (as found after the log prefix in a request URL), accepting
 * only the canonical encoding: level 0–63 without leading zeros, canonical index groups, and a
 * partial width 1–255 without leading zeros.
 */
export function parseTilePath(path: string): ({ kind: 'hash' } & Tile) | { kind: 'entries'; index: number; width: number } {
  if (typeof path !== 'string' || path.length > 64) throw bad('bad tile path');
  const m = /^tile\/(entries|0|[1-9][0-9]?)\/([x0-9/]+?)(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!m) throw bad('bad tile path');
  const index = decodeTileIndex(m[2]!);
  let width = TILE_WIDTH;
  if (m[3] !== undefined) {
    width = Number(m[3]);
    if (width >= TILE_WIDTH) throw bad('partial tile width must be 1-255');
  }
  if (m[1] === 'entries') return { kind: 'entries', index, width };
  const level = Number(m[1]);
  if (level > MAX_TILE_LEVEL) throw bad('tile level must be 0-63');
  return { kind: 'hash', level, index, width };
}

/**
 * For each tile level, how many full tiles and what partial width a tree of `size` leaves has
 * (tlog-tiles §Partial Tiles: the partial tile at level l has floor(size / 256^l) mod 256 hashes).
 * Levels stop where no hash exists; the list is empty for the empty tree.
 */
export function tileLevelsForSize(size: number): TileLevel[] {
  if (!isUint(size)) throw new LogFormatError('BAD_ARGUMENT', `bad tree size ${size}`);
  const out: TileLevel[] = [];
  for (let level = 0; ; level++) {
    const hashes = Math.floor(size / TILE_WIDTH ** level);
    if (hashes === 0) break;
    out.push({ level, fullTiles: Math.floor(hashes / TILE_WIDTH), partialWidth: hashes % TILE_WIDTH });
  }
  return out;
}

/** Every tile (full, then the partial one if any, per level) that represents a tree of `size`. */
export function* tilesForSize(size: number): Generator<Tile> {
  for (const l of tileLevelsForSize(size)) {
    for (let index = 0; index < l.fullTiles; index++) yield { level: l.level, index, width: TILE_WIDTH };
    if (l.partialWidth > 0) yield { level: l.level, index: l.fullTiles, width: l.partialWidth };
  }
}

/**
 * The stored hashes a tile consists of: tree level 8·L, hashes N·256 … N·256+W−1. Each is a
 * complete subtree of 256^L leaves — exactly the stored hashes of {@link StoredHashIndex}.
 */
export function tileHashIndexes(tile: Tile): StoredHashIndex[] {
  checkWidth(tile.width);
  if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > MAX_TILE_LEVEL || !isUint(tile.index)) throw bad('bad tile');
  const out: StoredHashIndex[] = new Array(tile.width);
  for (let i = 0; i < tile.width; i++) out[i] = storedHashIndex(TILE_HEIGHT * tile.level, tile.index * TILE_WIDTH + i);
  return out;
}

/** The bytes of a hash tile: its W hashes concatenated (W·32 bytes; 8,192 for a full tile). */
export async function readTile(tile: Tile, reader: HashReader): Promise<Uint8Array> {
  const hashes = await readHashesChecked(reader, tileHashIndexes(tile));
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  for (let i = 0; i < hashes.length; i++) out.set(hashes[i]!, i * HASH_SIZE);
  return out;
}

/** Largest log entry an entry bundle can hold (big-endian uint16 length prefix). */
export const MAX_BUNDLE_ENTRY = 0xffff;

/** Serializes an entry bundle: each entry as a big-endian uint16 length then its bytes (tlog-tiles §Log entries). */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length < 1 || entries.length > TILE_WIDTH) throw new LogFormatError('MALFORMED_BUNDLE', 'a bundle holds 1-256 entries');
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_BUNDLE_ENTRY) throw new LogFormatError('MALFORMED_BUNDLE', 'entry longer than 65535 bytes');
    total += 2 + e.length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const e of entries) {
    out[pos] = e.length >>> 8;
    out[pos + 1] = e.length & 0xff;
    out.set(e, pos + 2);
    pos += 2 + e.length;
  }
  return out;
}

/** Parses an entry bundle; `width` (when known from the path) must match the entry count. */
export function parseEntryBundle(bytes: Uint8Array, width?: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 2 > bytes.length) throw new LogFormatError('MALFORMED_BUNDLE', 'truncated entry length');
    const len = (bytes[pos]! << 8) | bytes[pos + 1]!;
    if (pos + 2 + len > bytes.length) throw new LogFormatError('MALFORMED_BUNDLE', 'truncated entry');
    if (out.length === TILE_WIDTH) throw new LogFormatError('MALFORMED_BUNDLE', 'more than 256 entries');
    out.push(bytes.subarray(pos + 2, pos + 2 + len));
    pos += 2 + len;
  }
  if (width !== undefined && out.length !== width) throw new LogFormatError('MALFORMED_BUNDLE', `bundle has ${out.length} entries, expected ${width}`);
  return out;
}
