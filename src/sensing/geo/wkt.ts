import { AppError } from '../../core/errors.ts';
import type { GeoJsonGeometry, Position } from './geojson.ts';

/**
 * Well-Known Text (OGC 06-103r4 §7) reader and writer for the 2D/3D geometry types SensorThings
 * filters use: POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON and
 * GEOMETRYCOLLECTION, optionally wrapped as `geography'…'` / `geometry'…'` and prefixed with
 * `SRID=4326;` (EWKT). Only WGS 84 (4326) is accepted since stored GeoJSON is WGS 84 (RFC 7946).
 * The reader is iterative over tokens with a bounded nesting depth; it never throws anything but
 * AppError('INVALID_GEOMETRY').
 */

const MAX_WKT_LENGTH = 1_000_000;
const MAX_COORDS = 100_000;
const MAX_COLLECTION_DEPTH = 8;

type Tok = { kind: 'word' | 'num' | 'punct'; text: string; pos: number };

function bad(msg: string): AppError {
  return new AppError('INVALID_GEOMETRY', `Invalid WKT geometry: ${msg}`);
}

function tokenize(s: string, offset: number): Tok[] {
  const out: Tok[] = [];
  const re = /\s+|([A-Za-z]+)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|([(),])/y;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw bad(`unexpected character ${JSON.stringify(s[i])} at position ${offset + i + 1}`);
    if (m[1] !== undefined) out.push({ kind: 'word', text: m[1].toUpperCase(), pos: offset + i + 1 });
    else if (m[2] !== undefined) out.push({ kind: 'num', text: m[2], pos: offset + i + 1 });
    else if (m[3] !== undefined) out.push({ kind: 'punct', text: m[3], pos: offset + i + 1 });
    i = re.lastIndex;
  }
  return out;
}

class WktReader {
  private i = 0;
  private coords = 0;
  private dim = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private where(): string {
    const t = this.peek();
    return t ? `at position ${t.pos} (${JSON.stringify(t.text)})` : 'at the end';
  }
  private expect(text: string): void {
    const t = this.peek();
    if (!t || t.text !== text) throw bad(`expected "${text}" ${this.where()}`);
    this.i++;
  }
  private accept(text: string): boolean {
    if (this.peek()?.text === text) {
      this.i++;
      return true;
    }
    return false;
  }
  done(): boolean {
    return this.i >= this.toks.length;
  }
  trailing(): never {
    throw bad(`unexpected text after the geometry ${this.where()}`);
  }

  geometry(depth: number): GeoJsonGeometry {
    const t = this.peek();
    if (t?.kind !== 'word') throw bad(`expected a geometry type ${this.where()}`);
    this.i++;
    const dims = this.dims();
    if (this.peek()?.text === 'EMPTY') throw bad(`EMPTY geometries are not supported (${t.text} EMPTY)`);
    switch (t.text) {
      case 'POINT': {
        this.expect('(');
        const c = this.position(dims);
        this.expect(')');
        return { type: 'Point', coordinates: c };
      }
      case 'LINESTRING':
        return { type: 'LineString', coordinates: this.line() };
      case 'POLYGON':
        return { type: 'Polygon', coordinates: this.polygon() };
      case 'MULTIPOINT':
        return { type: 'MultiPoint', coordinates: this.list(() => this.multiPointMember(dims)) };
      case 'MULTILINESTRING':
        return { type: 'MultiLineString', coordinates: this.list(() => this.line()) };
      case 'MULTIPOLYGON':
        return { type: 'MultiPolygon', coordinates: this.list(() => this.polygon()) };
      case 'GEOMETRYCOLLECTION': {
        if (depth >= MAX_COLLECTION_DEPTH) throw bad(`GEOMETRYCOLLECTION nested more than ${MAX_COLLECTION_DEPTH} levels`);
        return { type: 'GeometryCollection', geometries: this.list(() => this.geometry(depth + 1)) };
      }
      default:
        throw bad(`unknown geometry type ${t.text} at position ${t.pos}`);
    }
  }

  /** Optional Z / M / ZM marker: Z is accepted (3D); M values have no place in GeoJSON. */
  private dims(): 2 | 3 | undefined {
    const t = this.peek();
    if (t?.kind !== 'word') return undefined;
    if (t.text === 'Z') {
      this.i++;
      return 3;
    }
    if (t.text === 'M' || t.text === 'ZM') throw bad(`measured (${t.text}) coordinates are not supported`);
    return undefined;
  }

  private list<T>(item: () => T): T[] {
    this.expect('(');
    const out = [item()];
    while (this.accept(',')) out.push(item());
    this.expect(')');
    return out;
  }

  private multiPointMember(dims: 2 | 3 | undefined): Position {
    if (this.accept('(')) {
      const c = this.position(dims);
      this.expect(')');
      return c;
    }
    return this.position(dims);
  }

  private position(dims: 2 | 3 | undefined): Position {
    const c: number[] = [];
    while (this.peek()?.kind === 'num') {
      const v = Number(this.toks[this.i]!.text);
      if (!Number.isFinite(v)) throw bad(`coordinate out of range ${this.where()}`);
      c.push(v);
      this.i++;
    }
    if (c.length < 2 || c.length > 3) throw bad(`a position has 2 or 3 numbers ${this.where()}`);
    if (dims === 3 && c.length !== 3) throw bad(`a Z geometry needs 3 numbers per position ${this.where()}`);
    if (this.dim && c.length !== this.dim) throw bad(`positions mix 2 and 3 dimensions ${this.where()}`);
    this.dim = c.length;
    if (++this.coords > MAX_COORDS) throw bad(`more than ${MAX_COORDS} positions`);
    return c;
  }

  private line(): Position[] {
    const pts = this.list(() => this.position(undefined));
    if (pts.length < 2) throw bad('a LINESTRING needs at least 2 positions');
    return pts;
  }

  private polygon(): Position[][] {
    return this.list(() => {
      const ring = this.list(() => this.position(undefined));
      const a = ring[0]!;
      const b = ring[ring.length - 1]!;
      if (ring.length < 4) throw bad('a POLYGON ring needs at least 4 positions');
      if (a[0] !== b[0] || a[1] !== b[1]) throw bad('a POLYGON ring must end where it starts');
      return ring;
    });
  }
}

/**
 * Parses WKT / EWKT (optionally inside `geography'…'` or `geometry'…'`) into a GeoJSON geometry.
 * Structure only: topological validity (self-intersection) is checked by `parseGeometryLiteral`.
 */
export function parseWkt(input: string): GeoJsonGeometry {
  if (typeof input !== 'string') throw bad('not a string');
  if (input.length > MAX_WKT_LENGTH) throw bad(`longer than ${MAX_WKT_LENGTH} characters`);
  let s = input.trim();
  let offset = input.length - input.trimStart().length;
  const wrap = /^(geography|geometry)'([\s\S]*)'$/i.exec(s);
  if (wrap) {
    offset += wrap[1]!.length + 1;
    s = wrap[2]!.replace(/''/g, "'");
  }
  const srid = /^\s*SRID\s*=\s*(\d+)\s*;/i.exec(s);
  if (srid) {
    if (srid[1] !== '4326') throw bad(`only SRID=4326 (WGS 84) is supported, not SRID=${srid[1]}`);
    offset += srid[0].length;
    s = s.slice(srid[0].length);
  }
  const r = new WktReader(tokenize(s, offset));
  const g = r.geometry(0);
  if (!r.done()) r.trailing();
  return g;
}

function num(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}
function pos(p: Position): string {
  return p.map(num).join(' ');
}
function seq(ps: Position[]): string {
  return `(${ps.map(pos).join(', ')})`;
}

function firstPosition(g: GeoJsonGeometry): Position | undefined {
  if (g.type === 'GeometryCollection') return g.geometries.length ? firstPosition(g.geometries[0]!) : undefined;
  let c: unknown = g.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) ? (c as Position) : undefined;
}

/** WKT of a GeoJSON geometry; numbers in JavaScript's shortest round-trip form (exact doubles). */
export function toWkt(g: GeoJsonGeometry): string {
  const z = firstPosition(g)?.length === 3 ? ' Z' : '';
  switch (g.type) {
    case 'Point':
      return `POINT${z} (${pos(g.coordinates)})`;
    case 'LineString':
      return `LINESTRING${z} ${seq(g.coordinates)}`;
    case 'Polygon':
      return `POLYGON${z} (${g.coordinates.map(seq).join(', ')})`;
    case 'MultiPoint':
      return `MULTIPOINT${z} (${g.coordinates.map((p) => `(${pos(p)})`).join(', ')})`;
    case 'MultiLineString':
      return `MULTILINESTRING${z} (${g.coordinates.map(seq).join(', ')})`;
    case 'MultiPolygon':
      return `MULTIPOLYGON${z} (${g.coordinates.map((pg) => `(${pg.map(seq).join(', ')})`).join(', ')})`;
    case 'GeometryCollection':
      return `GEOMETRYCOLLECTION${z} (${g.geometries.map(toWkt).join(', ')})`;
  }
}
