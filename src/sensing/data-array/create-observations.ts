import { AppError } from '../../core/errors.ts';
import { isObject, linkId } from '../write/encode.ts';
import type { ObservationInput } from '../write/observation-writer.ts';
import { fastInstant, parseInstant, parseTimeObject } from '../write/values.ts';

const COMPONENTS = new Set(['phenomenonTime', 'resultTime', 'result', 'resultQuality', 'validTime', 'parameters', 'FeatureOfInterest/id']);
export const MAX_CREATE_OBSERVATIONS = 100_000;

/** One dataArray group of a CreateObservations body after validation. */
export interface ParsedGroup {
  stream: { table: 'datastreams' | 'multi_datastreams'; id: number };
  /** One entry per row: the input, or the reason the row was rejected. */
  rows: (ObservationInput | AppError)[];
}

/**
 * Parses `POST /v1.1/CreateObservations` (OGC 18-088 §14.4): an array of groups, each naming a
 * Datastream or MultiDatastream, its components and rows. A bad row is reported as "error" in its
 * place of the response; a malformed group or body is a 400 for the whole request.
 */
export function parseCreateObservations(body: unknown, now = Date.now()): ParsedGroup[] {
  if (!Array.isArray(body)) throw new AppError('INVALID_ENTITY', 'CreateObservations expects a JSON array of {Datastream, components, dataArray} groups');
  let total = 0;
  return body.map((g, gi) => {
    if (!isObject(g)) throw new AppError('INVALID_ENTITY', `group ${gi} must be an object`);
    const ds = isObject(g.Datastream) ? linkId(g.Datastream) : undefined;
    const mds = isObject(g.MultiDatastream) ? linkId(g.MultiDatastream) : undefined;
    if ((ds === undefined) === (mds === undefined)) throw new AppError('INVALID_ENTITY', `group ${gi} needs exactly one of Datastream or MultiDatastream as {"@iot.id": n}`);
    const comps = g.components;
    if (!Array.isArray(comps) || comps.some((c) => typeof c !== 'string' || !COMPONENTS.has(c)) || new Set(comps).size !== comps.length) {
      throw new AppError('INVALID_ENTITY', `group ${gi}: components must be distinct names from ${[...COMPONENTS].join(', ')}`);
    }
    if (!comps.includes('result')) throw new AppError('MISSING_PROPERTY', `group ${gi}: components must include result`);
    const data = g.dataArray;
    if (!Array.isArray(data)) throw new AppError('INVALID_ENTITY', `group ${gi}: dataArray must be an array`);
    total += data.length;
    if (total > MAX_CREATE_OBSERVATIONS) throw new AppError('PAYLOAD_TOO_LARGE', `At most ${MAX_CREATE_OBSERVATIONS} observations per request`);
    const idx = Object.fromEntries((comps as string[]).map((c, i) => [c, i])) as Record<string, number | undefined>;
    // Column positions hoisted out of the row loop (this loop runs for every observation).
    const width = comps.length;
    const iPt = idx.phenomenonTime;
    const iRt = idx.resultTime;
    const iVt = idx.validTime;
    const iFoi = idx['FeatureOfInterest/id'];
    const iRes = idx.result!;
    const iRq = idx.resultQuality;
    const iPar = idx.parameters;
    const rows = new Array<ObservationInput | AppError>(data.length);
    for (let r = 0; r < data.length; r++) {
      const row: unknown = data[r];
      try {
        if (!Array.isArray(row) || row.length !== width) throw new AppError('INVALID_ENTITY', `each row must have ${width} values`);
        const pt: unknown = iPt === undefined ? undefined : row[iPt];
        const absent = pt === undefined || pt === null;
        // A plain instant is read without regex or Date.parse; anything else (NaN) takes the full parser.
        let ps = absent ? now : typeof pt === 'string' ? fastInstant(pt) : Number.NaN;
        let pe: number | null = null;
        if (!absent && Number.isNaN(ps)) [ps, pe] = parseTimeObject(pt, 'phenomenonTime');
        const rt: unknown = iRt === undefined ? undefined : row[iRt];
        const vt: unknown = iVt === undefined ? undefined : row[iVt];
        const [vs, ve] = vt === undefined || vt === null ? [null, null] : parseTimeObject(vt, 'validTime');
        const foi: unknown = iFoi === undefined ? undefined : row[iFoi];
        if (foi !== undefined && foi !== null && (typeof foi !== 'number' || !Number.isSafeInteger(foi))) throw new AppError('WRONG_TYPE', 'FeatureOfInterest/id must be an integer');
        rows[r] = {
          datastreamId: ds,
          multiDatastreamId: mds,
          phenomenonStart: ps,
          phenomenonEnd: pe,
          resultTime: rt === undefined || rt === null ? null : parseInstant(rt, 'resultTime'),
          result: row[iRes],
          resultQuality: iRq === undefined ? undefined : row[iRq],
          validStart: vs,
          validEnd: ve,
          parameters: iPar === undefined ? undefined : row[iPar],
          featureOfInterestId: typeof foi === 'number' ? foi : undefined,
        };
      } catch (e) {
        if (e instanceof AppError) rows[r] = e;
        else throw e;
      }
    }
    return { stream: ds !== undefined ? { table: 'datastreams', id: ds } : { table: 'multi_datastreams', id: mds! }, rows };
  });
}
