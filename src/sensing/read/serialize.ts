import type { EntityDef, PropDef } from '../model/entities.ts';

/** A row as the database returns it: column name → value (JSON columns as text). */
export type Row = Record<string, unknown>;

/** Epoch milliseconds → ISO 8601 UTC with milliseconds. */
export function isoTime(ms: unknown): string | null {
  if (ms === null || ms === undefined) return null;
  return formatInstant(Number(ms));
}

const DAY_MS = 86_400_000;
/** The last day formatted, `YYYY-MM-DDT`: rows of one read mostly share their day. */
let cachedDay = Number.NaN;
let cachedPrefix = '';
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()`, several times faster for whole milliseconds from 1970 to 9999: the
 * date part comes from a one-day cache, the time of day is plain arithmetic. Anything else (and
 * invalid times, which throw) goes to Date itself. serialize.test.ts checks they agree.
 */
export function formatInstant(ms: number): string {
  if (!(Number.isSafeInteger(ms) && ms >= 0 && ms <= 253_402_300_799_999)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    cachedDay = day;
  }
  let r = ms - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const s = Math.floor(r / 1000);
  return `${cachedPrefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(r - s * 1000)}Z`;
}

function parseJson(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? JSON.parse(v) : v;
}

/** The API value of one property from its column(s). */
export function propValue(p: PropDef, row: Row): unknown {
  switch (p.type) {
    case 'id':
      return Number(row.id);
    case 'string':
      return row[p.column!] ?? null;
    case 'json':
    case 'geometry':
      return parseJson(row[p.column!]);
    case 'time':
      return isoTime(row[p.column!]);
    case 'interval': {
      const [s, e] = p.columns!;
      const start = isoTime(row[s!]);
      const end = isoTime(row[e!]);
      if (start === null) return null;
      return end === null ? start : `${start}/${end}`;
    }
    case 'result': {
      const [n, s, j] = p.columns!;
      if (row[n!] !== null && row[n!] !== undefined) return Number(row[n!]);
      if (row[s!] !== null && row[s!] !== undefined) return row[s!];
      return parseJson(row[j!]);
    }
  }
}

/** Columns to read for an entity: every property column plus the foreign keys. */
export function columnsOf(e: EntityDef): string[] {
  const cols = new Set<string>();
  for (const p of e.props) {
    if (p.column) cols.add(p.column);
    for (const c of p.columns ?? []) cols.add(c);
  }
  for (const n of e.navs) if (n.fk) cols.add(n.fk);
  return [...cols];
}

export interface RenderContext {
  /** `https://host/v1.1` */
  readonly root: string;
  /** Selected names (properties and navigation properties), or undefined for all. */
  readonly select?: ReadonlySet<string>;
  /** Parts of JSON properties selected by path (`properties/code`): the keys, by property name. */
  readonly parts?: ReadonlyMap<string, readonly (readonly string[])[]>;
}

/**
 * The context for a `$select` list (checked by selectProblem): names, and paths into JSON
 * properties, as FROST-Server selects them (`$select=id,properties/code`). A path that another
 * selected path or the whole property covers is left out.
 */
export function renderContext(root: string, select?: readonly string[]): RenderContext {
  if (!select) return { root };
  const names = new Set(select);
  const parts = new Map<string, string[][]>();
  for (const item of select) {
    const [name, ...keys] = item.split('/');
    if (keys.length === 0 || names.has(name!)) continue;
    if (keys.some((_, i) => names.has([name, ...keys.slice(0, i)].join('/')))) continue;
    const list = parts.get(name!) ?? [];
    list.push(keys);
    parts.set(name!, list);
  }
  return { root, select: names, parts: parts.size ? parts : undefined };
}

/** Why `select` does not fit entity `e`, or null when it does. */
export function selectProblem(e: EntityDef, select: readonly string[] | undefined): string | null {
  for (const item of select ?? []) {
    const [name, ...keys] = item.split('/');
    if (keys.length > 0) {
      const p = e.props.find((x) => x.name === name);
      if (!p) return `${e.name} has no property "${name}" to $select parts of ("${item}")`;
      if (p.type !== 'json') return `${e.name}'s "${name}" is not JSON: only JSON properties (such as properties) have parts to $select ("${item}")`;
      continue;
    }
    if (name === 'id' || e.props.some((p) => p.name === name) || e.navs.some((n) => n.name === name)) continue;
    return `${e.name} has no property "${name}" to $select`;
  }
  return null;
}

/**
 * The parts of a JSON value at `paths`, nested as in the value; a part it does not have is left
 * out, and so is anything inside an array. Objects without a prototype: a key `__proto__` is then
 * a key like any other.
 */
function pick(value: unknown, paths: readonly (readonly string[])[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const path of paths) {
    let v: unknown = value;
    for (const k of path) v = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
    if (v === undefined) continue;
    let o = out;
    for (const k of path.slice(0, -1)) {
      o[k] ??= Object.create(null);
      o = o[k] as Record<string, unknown>;
    }
    o[path.at(-1)!] = v;
  }
  return out;
}

/** Renders one entity as OGC 18-088 §8.2 JSON with @iot.id, @iot.selfLink and navigation links. */
export function renderEntity(e: EntityDef, row: Row, ctx: RenderContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const id = Number(row.id);
  const self = `${ctx.root}/${e.set}(${id})`;
  const sel = ctx.select;
  if (!sel || sel.has('@iot.id') || sel.has('id')) out['@iot.id'] = id;
  if (!sel || sel.has('@iot.selfLink')) out['@iot.selfLink'] = self;
  for (const p of e.props) {
    if (p.type === 'id') continue;
    if (sel && !sel.has(p.name)) {
      const parts = ctx.parts?.get(p.name);
      if (parts) out[p.name] = pick(propValue(p, row), parts);
      continue;
    }
    const v = propValue(p, row);
    // Optional properties without a value are omitted unless explicitly selected (§8.2).
    if (v === null && p.nullable && !sel) continue;
    out[p.name] = v;
  }
  for (const n of e.navs) {
    if (sel && !sel.has(n.name)) continue;
    // An Observation belongs to a Datastream or a MultiDatastream; link only the one it has.
    if (n.fk && (row[n.fk] === null || row[n.fk] === undefined)) continue;
    out[`${n.name}@iot.navigationLink`] = `${self}/${n.name}`;
  }
  return out;
}
