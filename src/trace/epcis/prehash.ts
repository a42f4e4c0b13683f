import { bareTermUri, type CbvVocabulary } from './cbv-vocabulary.ts';
import { canonicalText, scalarText } from './canonical-value.ts';
import { normaliseTimestamp } from './date-time.ts';
import { expandCurie, qualifiedKey, type PrefixMap } from './jsonld-prefixes.ts';

/**
 * The canonical pre-hash string of CBV 2.0 §8.9 ("EPCIS Event Hash ID") for one JSON/JSON-LD
 * event. The hash module wraps this in SHA-256 and the ni: URI; this file only decides *what* is
 * concatenated and in which order.
 *
 * Layout (the CBV 2.0 canonical property order, as realised by the reference implementation whose
 * published test vectors this reproduces):
 *   eventType, eventTime, eventTimeZoneOffset, certificationInfo, epcList, parentID, inputEPCList,
 *   childEPCs, quantityList, childQuantityList, inputQuantityList, outputEPCList,
 *   outputQuantityList, action, transformationID, bizStep, disposition, persistentDisposition,
 *   readPoint, bizLocation, sensorElementList,
 * then, sorted together as strings: bizTransactionList, sourceList, destinationList, ilmd and the
 * user extensions. (The CBV table lists the three lists before sensorElementList; every published
 * vector puts them in the sorted tail, so interoperable hashes must do the same.)
 * Not hashed: recordTime, eventID, errorDeclaration (so a correction keeps its original's hash),
 * `@context`, `type` (emitted as eventType) and rdfs:comment.
 */

/** Nesting allowed below an event while building the string; deeper input is rejected. */
const MAX_DEPTH = 48;
/**
 * Most extension values visited for one event. JSON cannot share sub-objects, but a JavaScript
 * caller could pass a graph whose shared branches would otherwise be walked exponentially often.
 */
const MAX_VISITS = 1_000_000;

/** Raised for input the pre-hash cannot be built from (not an object, or nested too deeply). */
export class PreHashInputError extends Error {
  override readonly name = 'PreHashInputError';
}

/** Options for `buildPreHashString`. */
export interface PreHashOptions {
  /** Prefixes in scope (document @context merged with the event's own @context). */
  prefixes: PrefixMap;
  /** Top-level property names (CURIE or IRI, already expanded) left out of the hash. */
  ignore?: ReadonlySet<string>;
}

type Obj = Record<string, unknown>;

const NOT_HASHED = new Set(['type', 'eventID', 'recordTime', 'errorDeclaration', '@context']);
const RDFS_COMMENT = 'http://www.w3.org/2000/01/rdf-schema#comment';

/** Standard top-level fields written in canonical order (everything else goes to the sorted tail). */
const ORDERED = new Set([
  'eventTime', 'eventTimeZoneOffset', 'certificationInfo', 'epcList', 'parentID', 'inputEPCList',
  'childEPCs', 'quantityList', 'childQuantityList', 'inputQuantityList', 'outputEPCList',
  'outputQuantityList', 'action', 'transformationID', 'bizStep', 'disposition', 'persistentDisposition',
  'readPoint', 'bizLocation', 'sensorElementList',
]);

const SENSOR_METADATA_ORDER = [
  'time', 'startTime', 'endTime', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules',
] as const;

// CBV 2.0 §8.9 sensorReport order; bizRules is not in the CBV table (EPCIS 2.0 allows it in a
// report), so it is placed after the listed fields, before extensions. See DECISIONS.md.
const SENSOR_REPORT_ORDER = [
  'type', 'exception', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'time',
  'microorganism', 'chemicalSubstance', 'value', 'component', 'stringValue', 'booleanValue',
  'hexBinaryValue', 'uriValue', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue',
  'uom', 'coordinateReferenceSystem', 'bizRules',
] as const;

const SENSOR_VOCAB: Readonly<Record<string, CbvVocabulary>> = {
  type: 'measurementType',
  exception: 'sensorAlertType',
  component: 'component',
};

const TIME_FIELDS = new Set(['time', 'startTime', 'endTime']);
const QUANTITY_ORDER = ['epcClass', 'quantity', 'uom'] as const;
const LOCATION_ORDER = ['id'] as const;
const KNOWN = {
  quantity: new Set<string>(QUANTITY_ORDER),
  location: new Set<string>(LOCATION_ORDER),
  sensorMetadata: new Set<string>(SENSOR_METADATA_ORDER),
  sensorReport: new Set<string>(SENSOR_REPORT_ORDER),
  sensorElement: new Set(['sensorMetadata', 'sensorReport']),
  persistentDisposition: new Set(['set', 'unset']),
  bizTransaction: new Set(['type', 'bizTransaction']),
  source: new Set(['type', 'source']),
  destination: new Set(['type', 'destination']),
} as const;

/**
 * Builds the CBV 2.0 §8.9 pre-hash string of `event`. Throws `PreHashInputError` if `event` is not
 * a JSON object or nests deeper than the bound; never throws for odd field values, which are
 * canonicalised as well as possible so that the hash still covers them.
 */
export function buildPreHashString(event: unknown, options: PreHashOptions): string {
  if (!isObj(event)) throw new PreHashInputError('an EPCIS event must be a JSON object');
  return new Writer(options.prefixes).event(event, options.ignore);
}

class Writer {
  private visits = 0;

  constructor(private readonly prefixes: PrefixMap) {}

  event(ev: Obj, ignore: ReadonlySet<string> | undefined): string {
    const p = this.prefixes;
    let out = `eventType=${typeof ev.type === 'string' ? ev.type.trim() : ''}`;
    out += this.timeField('eventTime', ev.eventTime);
    out += this.plainField('eventTimeZoneOffset', ev.eventTimeZoneOffset);
    out += this.repeated('certificationInfo', ev.certificationInfo);
    out += this.epcList('epcList', ev.epcList);
    out += this.plainField('parentID', ev.parentID);
    out += this.epcList('inputEPCList', ev.inputEPCList);
    out += this.epcList('childEPCs', ev.childEPCs);
    out += this.quantityList('quantityList', ev.quantityList);
    out += this.quantityList('childQuantityList', ev.childQuantityList);
    out += this.quantityList('inputQuantityList', ev.inputQuantityList);
    out += this.epcList('outputEPCList', ev.outputEPCList);
    out += this.quantityList('outputQuantityList', ev.outputQuantityList);
    out += this.plainField('action', ev.action);
    out += this.plainField('transformationID', ev.transformationID);
    out += this.vocabField('bizStep', ev.bizStep, 'bizStep');
    out += this.vocabField('disposition', ev.disposition, 'disposition');
    out += this.persistentDisposition(ev.persistentDisposition);
    out += this.location('readPoint', ev.readPoint);
    out += this.location('bizLocation', ev.bizLocation);
    out += this.sensorElementList(ev.sensorElementList);

    const tail: string[] = [];
    for (const key of Object.keys(ev)) {
      if (NOT_HASHED.has(key) || ORDERED.has(key) || this.isComment(key)) continue;
      const v = ev[key];
      switch (key) {
        case 'bizTransactionList':
          pushIfSome(tail, this.typedList(key, v, 'bizTransaction', KNOWN.bizTransaction, 'bizTransactionType'));
          break;
        case 'sourceList':
          pushIfSome(tail, this.typedList(key, v, 'source', KNOWN.source, 'sourceDestType'));
          break;
        case 'destinationList':
          pushIfSome(tail, this.typedList(key, v, 'destination', KNOWN.destination, 'sourceDestType'));
          break;
        case 'ilmd':
          if (isObj(v)) {
            const children: string[] = [];
            this.objectEntries(v, children, 2);
            tail.push(`ilmd${sortJoin(children)}`);
          } else {
            this.generic(key, v, tail, 1);
          }
          break;
        default:
          // Only user extensions can be excluded (ignoreFields); standard fields always count.
          if (ignore && (ignore.has(key) || ignore.has(expandCurie(key, p)))) continue;
          this.generic(key, v, tail, 1);
      }
    }
    return out + sortJoin(tail);
  }

  // ---- standard fields -------------------------------------------------------------------------

  private plainField(name: string, v: unknown): string {
    const t = scalarText(v, this.prefixes);
    if (t !== undefined) return t === '' ? '' : `${name}=${t}`;
    return this.nonScalar(name, v);
  }

  private timeField(name: string, v: unknown): string {
    if (typeof v === 'string') {
      const t = normaliseTimestamp(v);
      return t === '' ? '' : `${name}=${t}`;
    }
    return this.plainField(name, v);
  }

  private vocabField(name: string, v: unknown, vocab: CbvVocabulary): string {
    if (typeof v === 'string') {
      const t = this.vocabText(v, vocab);
      return t === '' ? '' : `${name}=${t}`;
    }
    return this.plainField(name, v);
  }

  private vocabText(v: string, vocab: CbvVocabulary): string {
    const trimmed = v.trim();
    return bareTermUri(vocab, trimmed) ?? canonicalText(trimmed, this.prefixes);
  }

  /** A field that may hold one value or a list of values (certificationInfo): sorted name=value. */
  private repeated(name: string, v: unknown): string {
    const items: string[] = [];
    for (const el of Array.isArray(v) ? v : [v]) {
      const s = this.plainField(name, el);
      if (s !== '') items.push(s);
    }
    return sortJoin(items);
  }

  /** epcList, childEPCs, inputEPCList, outputEPCList: name + sorted "epc=…". */
  private epcList(name: string, v: unknown): string {
    if (v === undefined || v === null) return '';
    const items: string[] = [];
    for (const el of Array.isArray(v) ? v : [v]) {
      const s = this.plainField('epc', el);
      if (s !== '') items.push(s);
    }
    return items.length === 0 ? '' : name + sortJoin(items);
  }

  /** Quantity lists: name + sorted "quantityElement epcClass= quantity= uom=". */
  private quantityList(name: string, v: unknown): string {
    if (v === undefined || v === null) return '';
    const items: string[] = [];
    for (const el of Array.isArray(v) ? v : [v]) {
      if (!isObj(el)) continue;
      const body = this.structure(el, QUANTITY_ORDER, KNOWN.quantity, undefined, 2);
      if (body !== '') items.push(`quantityElement${body}`);
    }
    return items.length === 0 ? '' : name + sortJoin(items);
  }

  private persistentDisposition(v: unknown): string {
    if (!isObj(v)) return v === undefined || v === null ? '' : this.nonScalar('persistentDisposition', v);
    let body = '';
    for (const part of ['set', 'unset'] as const) {
      const items: string[] = [];
      const list = v[part];
      if (list !== undefined && list !== null) {
        for (const el of Array.isArray(list) ? list : [list]) {
          const s = this.vocabField(part, el, 'disposition');
          if (s !== '') items.push(s);
        }
      }
      body += sortJoin(items);
    }
    body += this.extensions(v, KNOWN.persistentDisposition, 1);
    return body === '' ? '' : `persistentDisposition${body}`;
  }

  /** readPoint / bizLocation: name + "id=…" + the location's extensions. */
  private location(name: string, v: unknown): string {
    if (v === undefined || v === null) return '';
    if (!isObj(v)) return this.plainField(name, v);
    const body = this.structure(v, LOCATION_ORDER, KNOWN.location, undefined, 1);
    return body === '' ? '' : name + body;
  }

  private sensorElementList(v: unknown): string {
    if (v === undefined || v === null) return '';
    const elements: string[] = [];
    for (const el of Array.isArray(v) ? v : [v]) {
      if (!isObj(el)) continue;
      let body = '';
      if (isObj(el.sensorMetadata)) {
        const md = this.structure(el.sensorMetadata, SENSOR_METADATA_ORDER, KNOWN.sensorMetadata, undefined, 3);
        if (md !== '') body += `sensorMetadata${md}`;
      }
      const reports: string[] = [];
      const list = el.sensorReport;
      for (const r of Array.isArray(list) ? list : list === undefined ? [] : [list]) {
        if (!isObj(r)) continue;
        const rb = this.structure(r, SENSOR_REPORT_ORDER, KNOWN.sensorReport, SENSOR_VOCAB, 3);
        if (rb !== '') reports.push(`sensorReport${rb}`);
      }
      body += sortJoin(reports);
      body += this.extensions(el, KNOWN.sensorElement, 2);
      if (body !== '') elements.push(`sensorElement${body}`);
    }
    return elements.length === 0 ? '' : `sensorElementList${sortJoin(elements)}`;
  }

  /**
   * bizTransactionList / sourceList / destinationList: name + sorted elements, each written
   * "type=<type>" then "<valueKey>=<value>" (type first, whatever the JSON key order).
   */
  private typedList(
    name: string,
    v: unknown,
    valueKey: string,
    known: ReadonlySet<string>,
    vocab: CbvVocabulary,
  ): string {
    if (v === undefined || v === null) return '';
    const items: string[] = [];
    for (const el of Array.isArray(v) ? v : [v]) {
      if (!isObj(el)) continue;
      let s = this.vocabField('type', el.type, vocab);
      s += this.plainField(valueKey, el[valueKey]);
      s += this.extensions(el, known, 2);
      if (s !== '') items.push(s);
    }
    return items.length === 0 ? '' : name + sortJoin(items);
  }

  /**
   * Fields of a standard structure in the given order, then its other properties as sorted
   * extension entries (CBV 2.0 §8.9: extensions inside readPoint, bizLocation, sensorElement,
   * sensorMetadata and sensorReport follow their parent's regular fields).
   */
  private structure(
    o: Obj,
    order: readonly string[],
    known: ReadonlySet<string>,
    vocab: Readonly<Record<string, CbvVocabulary>> | undefined,
    depth: number,
  ): string {
    let body = '';
    for (const key of order) {
      const v = o[key];
      if (v === undefined || v === null || !Object.hasOwn(o, key)) continue;
      const voc = vocab?.[key];
      if (voc) body += this.vocabField(key, v, voc);
      else if (TIME_FIELDS.has(key)) body += this.timeField(key, v);
      else body += this.plainField(key, v);
    }
    return body + this.extensions(o, known, depth);
  }

  private extensions(o: Obj, known: ReadonlySet<string>, depth: number): string {
    const items: string[] = [];
    for (const key of Object.keys(o)) {
      if (known.has(key) || this.isComment(key)) continue;
      this.generic(key, o[key], items, depth);
    }
    return sortJoin(items);
  }

  /** A non-scalar where the standard expects a scalar: written like an extension of that name. */
  private nonScalar(name: string, v: unknown): string {
    if (v === undefined || v === null) return '';
    const items: string[] = [];
    this.generic(name, v, items, 1);
    return sortJoin(items);
  }

  // ---- user extensions and ILMD (CBV 2.0 §8.9: "{namespace}localName=value", sorted) -----------

  private generic(key: string, v: unknown, out: string[], depth: number): void {
    if (depth > MAX_DEPTH) throw new PreHashInputError(`event nests deeper than ${MAX_DEPTH} levels`);
    if (++this.visits > MAX_VISITS) throw new PreHashInputError(`event has more than ${MAX_VISITS} extension values`);
    if (v === undefined || this.isComment(key)) return; // undefined: absent (not representable in JSON)
    if (Array.isArray(v)) {
      for (const el of v) this.generic(key, el, out, depth + 1);
      return;
    }
    const name = qualifiedKey(key, this.prefixes);
    if (isObj(v)) {
      if (Object.hasOwn(v, '@value')) {
        this.generic(key, v['@value'], out, depth + 1);
        return;
      }
      const children: string[] = [];
      this.objectEntries(v, children, depth + 1);
      out.push(name + sortJoin(children));
      return;
    }
    const t = scalarText(v, this.prefixes);
    out.push(t === undefined || t === '' ? name : `${name}=${t}`);
  }

  private objectEntries(o: Obj, out: string[], depth: number): void {
    for (const key of Object.keys(o)) {
      if (key.startsWith('@')) continue;
      this.generic(key, o[key], out, depth);
    }
  }

  private isComment(key: string): boolean {
    if (!key.endsWith('comment')) return false;
    return key === 'comment' || key === 'rdfs:comment' || expandCurie(key, this.prefixes) === RDFS_COMMENT;
  }
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function pushIfSome(out: string[], s: string): void {
  if (s !== '') out.push(s);
}

/** Characters whose UTF-16 order differs from code-point order (surrogates and U+E000–U+FFFF). */
const HIGH_UTF16 = /[\uD800-\uFFFF]/;

/** Sorts by Unicode code point (= UTF-8 byte order, as CBV 2.0 §8.9 requires) and concatenates. */
function sortJoin(items: string[]): string {
  if (items.length === 0) return '';
  if (items.length === 1) return items[0]!;
  // Below U+D800 UTF-16 order equals code-point order, so the engine's native sort is exact.
  if (items.some((s) => HIGH_UTF16.test(s))) items.sort(compareCodePoints);
  else items.sort();
  return items.join('');
}

/** Code-point order. JS `<` compares UTF-16 units, which misorders astral vs U+E000–U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (D800–DFFF) encode code points above FFFF: move them above E000–FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
