import { ENTITY_BY_SET } from './model/entities.ts';

/**
 * Conformance classes actually implemented (OGC 18-088 Annex A); the MQTT classes are added by
 * the ingest module when it runs.
 */
export const BASE_CONFORMANCE = [
  'http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel',
  'http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities',
  'http://www.opengis.net/spec/iot_sensing/1.1/req/request-data',
  'http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete',
  'http://www.opengis.net/spec/iot_sensing/1.1/req/batch-request/batch-request',
  'http://www.opengis.net/spec/iot_sensing/1.1/req/multi-datastream',
  'http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array',
];

/** GET /v1.1 (§9.2.1): the entity sets and serverSettings.conformance. */
export function serviceRoot(root: string, conformance: readonly string[]): unknown {
  return {
    value: [...ENTITY_BY_SET.keys()].map((name) => ({ name, url: `${root}/${name}` })),
    serverSettings: {
      conformance,
      'https://cantho.example/extensions/aggregation': { endpoint: `${root}/Datastreams({id})/Aggregate` },
    },
  };
}
