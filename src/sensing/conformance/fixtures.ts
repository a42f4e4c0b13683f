import assert from 'node:assert/strict';
import type { TestPlatform } from '../../testing/platform.ts';

/** A small network: one Thing at the Can Tho station with one Datastream of 3 Observations, one MultiDatastream. */
export async function seedBasic(t: TestPlatform) {
  const r = await t.api('POST', '/v1.1/Things', {
    name: 'Trạm thủy văn Cần Thơ',
    description: 'Trạm đo mực nước trên sông Hậu',
    properties: { river: 'Hậu' },
    Locations: [{ name: 'Bến Ninh Kiều', description: 'Bờ sông Hậu', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.783, 10.033] } }],
    Datastreams: [
      {
        name: 'Mực nước',
        description: 'Mực nước sông Hậu tại Cần Thơ',
        observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
        unitOfMeasurement: { name: 'metre', symbol: 'm', definition: 'http://qudt.org/vocab/unit/M' },
        Sensor: { name: 'Cảm biến mực nước radar', description: 'Radar', encodingType: 'application/pdf', metadata: 'https://example.org/radar.pdf' },
        ObservedProperty: { name: 'Mực nước', definition: 'http://vocab.nerc.ac.uk/collection/P01/current/ASLVZZ01/', description: 'Mực nước so với mốc' },
        Observations: [
          { phenomenonTime: '2025-10-01T00:00:00Z', result: 1.5 },
          { phenomenonTime: '2025-10-01T01:00:00Z', result: 1.85 },
          { phenomenonTime: '2025-10-01T02:00:00Z', result: 2.05 },
        ],
      },
    ],
    MultiDatastreams: [
      {
        name: 'Gió',
        description: 'Tốc độ và hướng gió',
        observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_ComplexObservation',
        multiObservationDataTypes: ['http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement', 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement'],
        unitOfMeasurements: [
          { name: 'metre per second', symbol: 'm/s', definition: 'http://qudt.org/vocab/unit/M-PER-SEC' },
          { name: 'degree', symbol: '°', definition: 'http://qudt.org/vocab/unit/DEG' },
        ],
        Sensor: { name: 'Máy đo gió', description: 'Anemometer', encodingType: 'application/pdf', metadata: 'https://example.org/wind.pdf' },
        ObservedProperties: [
          { name: 'Tốc độ gió', definition: 'http://vocab.nerc.ac.uk/collection/P07/current/CFSN0038/', description: 'wind speed' },
          { name: 'Hướng gió', definition: 'http://vocab.nerc.ac.uk/collection/P07/current/CFSN0036/', description: 'wind direction' },
        ],
        Observations: [{ phenomenonTime: '2025-10-01T00:00:00Z', result: [3.2, 180] }],
      },
    ],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const thing = (r.body as { '@iot.id': number })['@iot.id'];
  const ds = ((await t.api('GET', `/v1.1/Things(${thing})/Datastreams`)).body as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  const loc = ((await t.api('GET', `/v1.1/Things(${thing})/Locations`)).body as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  return { thing, datastream: ds, location: loc };
}
