import { AppError } from '../../core/errors.ts';
import type { ObservationInput } from './observation-writer.ts';
import { parseInstant, parseTimeObject } from './values.ts';

const KEYS = new Set(['phenomenonTime', 'resultTime', 'result', 'resultQuality', 'validTime', 'parameters', 'Datastream', 'MultiDatastream', 'FeatureOfInterest', '@iot.id']);

/**
 * Validates an Observation body (§8.2.7) into storage units. Links to Datastream /
 * MultiDatastream / FeatureOfInterest must already be resolved to ids by the caller.
 * phenomenonTime defaults to the server's time when absent (§10.2.1.1).
 */
export function parseObservation(body: Record<string, unknown>, links: { datastreamId?: number; multiDatastreamId?: number; featureOfInterestId?: number }, now = Date.now()): ObservationInput {
  for (const k of Object.keys(body)) {
    if (!KEYS.has(k) && !k.includes('@iot.')) throw new AppError('UNKNOWN_PROPERTY', `Observation has no property "${k}"`);
  }
  if (!('result' in body)) throw new AppError('MISSING_PROPERTY', 'Observation.result is mandatory');
  if ((links.datastreamId === undefined) === (links.multiDatastreamId === undefined)) {
    throw new AppError('MISSING_PROPERTY', 'An Observation belongs to exactly one Datastream or MultiDatastream');
  }
  const [ps, pe] = body.phenomenonTime === undefined || body.phenomenonTime === null ? [now, null] : parseTimeObject(body.phenomenonTime, 'phenomenonTime');
  const rt = body.resultTime === undefined || body.resultTime === null ? null : parseInstant(body.resultTime, 'resultTime');
  const [vs, ve] = body.validTime === undefined || body.validTime === null ? [null, null] : parseTimeObject(body.validTime, 'validTime');
  if (body.parameters !== undefined && body.parameters !== null && (typeof body.parameters !== 'object' || Array.isArray(body.parameters))) {
    throw new AppError('WRONG_TYPE', 'Observation.parameters must be a JSON object');
  }
  return {
    datastreamId: links.datastreamId,
    multiDatastreamId: links.multiDatastreamId,
    featureOfInterestId: links.featureOfInterestId,
    phenomenonStart: ps,
    phenomenonEnd: pe,
    resultTime: rt,
    result: body.result,
    resultQuality: body.resultQuality,
    validStart: vs,
    validEnd: ve,
    parameters: body.parameters,
  };
}
