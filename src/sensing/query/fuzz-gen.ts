import { ENTITIES, type EntityDef, type EntityName } from '../model/entities.ts';

/**
 * Grammar-based generator of $filter / $orderby texts for the differential fuzz test (test
 * support). It follows the entity model (paths with to-one and to-many navigation, JSON sub-paths
 * seen in test-dataset.ts) and the types of operators and functions, and now and then plants a
 * type error; `mutate` damages valid texts byte-wise.
 */

export type Rng = () => number;

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type T = 'num' | 'str' | 'bool' | 'time' | 'geom' | 'dyn';

const JSON_KEYS: Record<string, string[]> = {
  properties: ['n', 'owner', 'owner/name', 'tags[0]', 'tags[1]', 'active', 'ratio', 'code', 'nested/list[0]', 'nested/list[1]', 'nested/list[2][0]', 'interval', 'calibrated', 'x'],
  unitOfMeasurement: ['symbol', 'name'],
  metadata: ['doc', 'pages'],
  parameters: ['depth', 'ok', 'note'],
  result: ['a', 'b', 'c[1]', '[0]', '[2]'],
  location: ['type', 'coordinates[0]'],
};
const STRINGS = ['Factory 3', 'Cần Thơ station', 'Temp 1', 'high', 'low', '', ' ', 'a', 'F', 'farm', 'ơ', 'Thơ', 'ầ', "O'Brien", 'sea  ', '21.5', 'An', 'Bình', 'm', '°C', 'pdf', 'two', 'x', 'A-1', 'Road', 'Level', '%', '_', 'HẬU'];
const NUMBERS = ['0', '1', '2', '3', '5', '7', '12', '22', '100', '-1', '-3.5', '21.5', '0.5', '0.001', '1e3', '2.5E-1', '12.25', '-0', '1e200', '1e-200', '9007199254740993'];
const TIMES = ['2024-01-01T00:00:00Z', '2024-01-01T18:00:00Z', '2024-03-01T06:00:00Z', '2023-12-31T23:30:00Z', '2024-01-01T07:00:00+07:00', '1970-01-01T00:00:00Z', '2000-02-29T10:20:30.456Z', '2024-02-29T23:59:59.999Z', '2024-01-01T00:00:00Z/2024-01-02T00:00:00Z', '2024-01-01T18:00:00Z/2024-01-01T19:00:00Z', '2023-12-31T23:00:00Z/2024-01-01T00:00:00Z'];
const DURATIONS = ["duration'PT1H'", "duration'P1D'", "duration'PT0.5S'", "duration'-PT30M'", "duration'P1W'", "duration'PT1S'"];
const GEOMS = [
  'POINT(105 10)', 'POINT(105.78 10.03)', 'POINT(106.5 10.5)', 'POINT(0 0)', 'POINT(105.5 9.5)', 'LINESTRING(104 9.5, 108 9.5)', 'LINESTRING(105 12, 107 10)',
  'POLYGON((105 9, 106 9, 106 10, 105 10, 105 9))', 'POLYGON((100 0, 110 0, 110 20, 100 20, 100 0))', 'POLYGON((105.5 9.5, 107 9.5, 107 11, 105.5 11, 105.5 9.5))',
  'MULTIPOINT((105.78 10.03), (0 0))', 'MULTIPOLYGON(((105 9, 106 9, 106 10, 105 9)), ((0 0, 1 0, 1 1, 0 0)))', 'GEOMETRYCOLLECTION(POINT(105.78 10.03), LINESTRING(0 0, 1 1))',
];

interface PathInfo {
  readonly path: string;
  readonly type: T;
  readonly many: boolean;
}

/** Value paths of an entity up to `depth` navigation steps, typed for the generator. */
function pathsOf(e: EntityDef, depth: number, prefix = '', many = false, out: PathInfo[] = []): PathInfo[] {
  for (const p of e.props) {
    if (p.name === '@iot.id') out.push({ path: `${prefix}id`, type: 'num', many });
    const base = `${prefix}${p.name}`;
    const t: T = p.type === 'id' ? 'num' : p.type === 'string' ? 'str' : p.type === 'time' || p.type === 'interval' ? 'time' : p.type === 'geometry' ? 'geom' : 'dyn';
    out.push({ path: base, type: t, many });
    for (const k of JSON_KEYS[p.name] ?? []) if (p.type !== 'geometry' || k === 'type') out.push({ path: `${base}${k.startsWith('[') ? '' : '/'}${k}`, type: 'dyn', many });
  }
  if (depth > 0) for (const n of e.navs) pathsOf(ENTITIES[n.target], depth - 1, `${prefix}${n.name}/`, many || n.kind === 'many', out);
  return out;
}

const PATHS = new Map<EntityName, PathInfo[]>();
function paths(e: EntityName): PathInfo[] {
  let p = PATHS.get(e);
  if (!p) {
    p = pathsOf(ENTITIES[e], 2);
    PATHS.set(e, p);
  }
  return p;
}

type Obj = Record<string, unknown>;

export class Gen {
  constructor(
    private readonly r: Rng,
    private readonly entity: EntityName,
    private readonly orderby = false,
    /** Entities of the dataset, to draw comparison literals from real values. */
    private readonly data?: readonly Obj[],
  ) {}

  /** A literal for `path` taken from a random entity's value (undefined when there is none). */
  private sample(path: string): string | undefined {
    if (!this.data?.length) return undefined;
    let v: unknown = this.pick(this.data);
    for (const part of path.split('/')) {
      const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
      const name = m?.[1] === 'id' ? '@iot.id' : m?.[1];
      if (name) v = v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, name) ? (v as Obj)[name] : undefined;
      for (const ix of m?.[2]?.match(/\d+/g) ?? []) v = Array.isArray(v) ? v[Number(ix)] : undefined;
      if (Array.isArray(v) && v.length && typeof v[0] === 'object' && v[0] !== null && '@iot.id' in (v[0] as Obj)) v = this.pick(v);
    }
    if (typeof v === 'number') return String(v);
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT[\d:.]+Z(\/[\d:.TZ-]+)?$/.test(v) && !path.endsWith('name') ? v : this.quote(v);
    return undefined;
  }

  /** `path op literal`, the literal drawn from the data when possible. */
  private pathComparison(): string | undefined {
    const all = paths(this.entity).filter((p) => p.type !== 'geom');
    const p = this.pick(all.filter((x) => !x.path.includes('MultiDatastream') || this.chance(0.1)));
    const lit = this.sample(p.path);
    if (lit === undefined) return undefined;
    const op = this.pick(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'eq', 'eq']);
    return this.chance(0.8) ? `${p.path} ${op} ${lit}` : `${lit} ${op} ${p.path}`;
  }

  private pick<X>(xs: readonly X[]): X {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  private chance(p: number): boolean {
    return this.r() < p;
  }
  private path(t: T): string | undefined {
    const all = paths(this.entity).filter((p) => p.type === t && (!this.orderby || !p.many || this.chance(0.05)));
    // Prefer the entity's own properties, then one navigation step.
    const depth = (p: PathInfo) => (p.path.match(/\//g)?.length ?? 0) - (p.type === 'dyn' ? 1 : 0);
    const near = all.filter((p) => depth(p) <= (this.chance(0.6) ? 0 : 1) && !p.path.includes('MultiDatastream'));
    const from = near.length && this.chance(0.85) ? near : all;
    return from.length ? this.pick(from).path : undefined;
  }
  private quote(s: string): string {
    return `'${s.replace(/'/g, "''")}'`;
  }

  value(t: T, d: number): string {
    if (this.chance(0.03)) t = this.pick<T>(['num', 'str', 'bool', 'time', 'geom', 'dyn']);
    const leaf = d <= 0 || this.chance(0.35);
    switch (t) {
      case 'num': {
        if (leaf) return this.chance(0.5) ? this.pick(NUMBERS) : (this.path('num') ?? this.path('dyn') ?? '1');
        return this.pick([
          () => `${this.value('num', d - 1)} ${this.pick(['add', 'sub', 'mul', 'div', 'mod'])} ${this.value('num', d - 1)}`,
          () => `(${this.value('num', d - 1)} ${this.pick(['add', 'sub', 'mul', 'div', 'mod'])} ${this.value('num', d - 1)})`,
          () => `-${this.value('num', d - 1)}`,
          () => `length(${this.value('str', d - 1)})`,
          () => `indexof(${this.value('str', d - 1)}, ${this.value('str', d - 1)})`,
          () => `${this.pick(['round', 'floor', 'ceiling'])}(${this.value('num', d - 1)})`,
          () => `${this.pick(['year', 'month', 'day', 'hour', 'minute', 'second', 'fractionalseconds', 'totaloffsetminutes'])}(${this.value('time', d - 1)})`,
          () => `geo.distance(${this.value('geom', d - 1)}, ${this.value('geom', d - 1)})`,
          () => `geo.length(${this.value('geom', d - 1)})`,
          () => this.path('dyn') ?? '2',
        ])();
      }
      case 'str': {
        if (leaf) return this.chance(0.5) ? this.quote(this.pick(STRINGS)) : (this.path('str') ?? this.path('dyn') ?? "'x'");
        return this.pick([
          () => `${this.pick(['tolower', 'toupper', 'trim'])}(${this.value('str', d - 1)})`,
          () => `concat(${this.value('str', d - 1)}, ${this.value('str', d - 1)})`,
          () => `substring(${this.value('str', d - 1)}, ${this.value('num', d - 1)})`,
          () => `substring(${this.value('str', d - 1)}, ${this.value('num', d - 1)}, ${this.value('num', d - 1)})`,
        ])();
      }
      case 'time': {
        if (leaf) return this.pick([() => this.pick(TIMES), () => this.path('time') ?? this.pick(TIMES), () => this.path('time') ?? 'now()', () => this.pick(['now()', 'mindatetime()', 'maxdatetime()'])])();
        return `${this.value('time', d - 1)} ${this.pick(['add', 'sub'])} ${this.pick(DURATIONS)}`;
      }
      case 'geom':
        if (this.chance(0.5)) return this.path('geom') ?? `geography'${this.pick(GEOMS)}'`;
        return this.chance(0.8) ? `geography'${this.pick(GEOMS)}'` : this.quote(this.pick(GEOMS));
      case 'dyn':
        return this.path('dyn') ?? 'null';
      case 'bool':
        return this.bool(d);
    }
  }

  bool(d: number): string {
    const cmp = () => this.pick(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
    if (d <= 0 || this.chance(0.3)) {
      if (this.chance(0.6)) {
        const c = this.pathComparison();
        if (c) return c;
      }
      return this.pick([
        () => `${this.value('num', d - 1)} ${cmp()} ${this.value('num', d - 1)}`,
        () => `${this.value('str', d - 1)} ${cmp()} ${this.value('str', d - 1)}`,
        () => `${this.value('dyn', 0)} ${cmp()} ${this.value(this.pick<T>(['num', 'str', 'dyn']), d - 1)}`,
        () => `${this.value('time', d - 1)} ${cmp()} ${this.value('time', d - 1)}`,
        () => `${this.value(this.pick<T>(['num', 'str', 'time', 'dyn', 'geom']), 0)} ${this.pick(['eq', 'ne'])} null`,
        () => `${this.pick(['startswith', 'endswith', 'contains', 'substringof'])}(${this.value('str', d - 1)}, ${this.value('str', d - 1)})`,
        () => `${this.pick(['geo.intersects', 'st_equals', 'st_disjoint', 'st_touches', 'st_within', 'st_overlaps', 'st_crosses', 'st_intersects', 'st_contains'])}(${this.value('geom', d - 1)}, ${this.value('geom', d - 1)})`,
        () => `st_relate(${this.value('geom', d - 1)}, ${this.value('geom', d - 1)}, '${this.pick(['T********', 'T*F**F***', 'FF*FF****', '0********', '*T*******'])}')`,
        () => `date(${this.value('time', 0)}) ${cmp()} ${this.pick(['2024-01-01', '2024-03-01', '2000-02-29'])}`,
        () => `time(${this.value('time', 0)}) ${cmp()} ${this.pick(['00:00:00', '12:30:45.25', '23:00'])}`,
        () => this.pick(['true', 'false']),
        () => this.path('dyn') ?? 'true',
      ])();
    }
    return this.pick([
      () => `${this.bool(d - 1)} and ${this.bool(d - 1)}`,
      () => `${this.bool(d - 1)} or ${this.bool(d - 1)}`,
      () => `not ${this.bool(d - 1)}`,
      () => `not (${this.bool(d - 1)})`,
      () => `(${this.bool(d - 1)})`,
      () => `(${this.bool(d - 1)}) ${this.pick(['eq', 'ne'])} ${this.pick(['true', 'false'])}`,
    ])();
  }

  orderByText(): string {
    const n = 1 + Math.floor(this.r() * 3);
    const items = Array.from({ length: n }, () => `${this.value(this.pick<T>(['num', 'str', 'time', 'dyn', 'dyn', 'bool']), 1)}${this.pick(['', ' asc', ' desc'])}`);
    return items.join(', ');
  }
}

const JUNK = ['(', ')', "'", "''", ',', '/', '[', ']', '-', ' ', '.', '@', '0', '9', 'a', 'Z', 'ầ', '\u0301', '\t', '\u0000', '\ud800', 'é', '😀', ' eq ', ' and ', 'not ', ' add ', "geography'", "duration'", '2020-', 'T00:', 'e9', '1e999', 'null', 'POINT(', '))))', '(((('];

/** Byte-level damage to a valid text: deletions, insertions, replacements, duplication, truncation, splices. */
export function mutate(r: Rng, s: string, other: string): string {
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const junk = JUNK[Math.floor(r() * JUNK.length)]!;
    switch (Math.floor(r() * 7)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 3));
        break;
      case 1:
        s = s.slice(0, at) + junk + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + junk + s.slice(at + 1);
        break;
      case 3: {
        const len = Math.floor(r() * 20);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      }
      case 4:
        s = s.slice(0, at);
        break;
      case 5:
        s = s.slice(0, at) + other.slice(Math.floor(r() * other.length));
        break;
      default:
        s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(at);
    }
  }
  return s;
}
