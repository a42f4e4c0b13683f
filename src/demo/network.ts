/**
 * The demo Can Tho monitoring network: fifteen stations at real places (nudged to the river bank or
 * into the fields as their kind requires), each one SensorThings Thing with one Location and its
 * Datastreams. Every station and datastream has a stable `key`, so the seeder can look up what it
 * already created and re-seeding is idempotent; every datastream names the `signal` that feeds it
 * and a short `code` for the telemetry topic. Pure data: storage and HTTP are wired elsewhere.
 */
import { DEMO_INTERVAL_MS, type SignalName, type SignalParams } from './signals.ts';
import { MEASURES, type MeasureName, OM_MEASUREMENT } from './vocabulary.ts';

export type Sector = 'nông nghiệp' | 'môi trường' | 'tài nguyên nước' | 'giao thông' | 'năng lượng';
export type StationKind = 'water_level' | 'salinity' | 'air_quality' | 'weather' | 'pond' | 'traffic' | 'power';

export interface DemoUnit {
  readonly name: string;
  readonly symbol: string;
  /** QUDT unit URI. */
  readonly definition: string;
}

export interface DemoObservedProperty {
  /** Stable key, shared by every datastream observing the same property (for de-duplication). */
  readonly key: string;
  readonly name: string;
  readonly definition: string;
  readonly description: string;
}

export interface DemoSensor {
  /** Stable key of the sensor model. */
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly encodingType: string;
  readonly metadata: string;
}

/** A domain threshold that alert presets can read from the datastream's properties. */
export interface DemoThreshold {
  readonly level: string;
  readonly label: string;
  readonly direction: 'above' | 'below';
  readonly value: number;
}

export interface DemoDatastream {
  /** Globally unique, stable: `<station key>/<code>`. */
  readonly key: string;
  /** Short code, unique within the station; the last segment of the telemetry topic. */
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly signal: SignalName;
  readonly params?: SignalParams;
  readonly observationType: string;
  readonly unitOfMeasurement: DemoUnit;
  readonly observedProperty: DemoObservedProperty;
  readonly sensor: DemoSensor;
  readonly thresholds?: readonly DemoThreshold[];
}

export interface DemoStationProperties {
  readonly district: string;
  readonly districtType: 'quận' | 'huyện';
  readonly sector: Sector;
  readonly operator: string;
  readonly [extra: string]: string | number | boolean;
}

export interface DemoStation {
  readonly key: string;
  readonly kind: StationKind;
  readonly name: string;
  readonly description: string;
  readonly location: {
    readonly name: string;
    readonly description: string;
    /** GeoJSON Point, [longitude, latitude] (WGS84). */
    readonly geometry: { readonly type: 'Point'; readonly coordinates: readonly [number, number] };
  };
  readonly properties: DemoStationProperties;
  readonly datastreams: readonly DemoDatastream[];
}

const SO_NN = 'Sở Nông nghiệp và Phát triển nông thôn';
const SO_TNMT = 'Sở Tài nguyên và Môi trường';

function stream(stationKey: string, stationName: string, measure: MeasureName, opts: { signal?: SignalName; params?: SignalParams } = {}): DemoDatastream {
  const m = MEASURES[measure];
  const signal = opts.signal ?? m.signal;
  const minutes = DEMO_INTERVAL_MS[signal] / 60_000;
  return {
    key: `${stationKey}/${m.code}`,
    code: m.code,
    name: `${m.observedProperty.name} – ${stationName}`,
    description: `${m.observedProperty.name} (${m.unitOfMeasurement.symbol}) tại ${stationName}, chu kỳ đo ${minutes} phút.`,
    signal,
    ...(opts.params ? { params: opts.params } : {}),
    observationType: OM_MEASUREMENT,
    unitOfMeasurement: m.unitOfMeasurement,
    observedProperty: m.observedProperty,
    sensor: m.sensor,
    ...('thresholds' in m ? { thresholds: m.thresholds } : {}),
  };
}

interface StationSpec extends Omit<DemoStation, 'datastreams' | 'location'> {
  readonly at: readonly [lat: number, lon: number];
  readonly place: string;
  readonly measures: readonly (MeasureName | readonly [MeasureName, { signal?: SignalName; params?: SignalParams }])[];
}

function station(s: StationSpec): DemoStation {
  const { at, place, measures, ...rest } = s;
  return {
    ...rest,
    location: { name: `Vị trí ${s.name}`, description: place, geometry: { type: 'Point', coordinates: [at[1], at[0]] } },
    datastreams: measures.map((m) => (typeof m === 'string' ? stream(s.key, s.name, m) : stream(s.key, s.name, m[0], m[1]))),
  };
}

function salinityStation(key: string, town: string, district: string, at: readonly [number, number], scale: number): DemoStation {
  return station({
    key,
    kind: 'salinity',
    name: `Trạm đo mặn ${town}`,
    description: `Đo độ mặn tự động trên sông Hậu tại ${town}, phục vụ cảnh báo xâm nhập mặn mùa khô (tháng 2–4).`,
    at,
    place: `Bờ sông Hậu, quận ${district}`,
    properties: { district, districtType: 'quận', sector: 'tài nguyên nước', operator: `Chi cục Thủy lợi – ${SO_NN}`, river: 'sông Hậu' },
    measures: [['salinity', { params: { scale } }]],
  });
}

function weatherStation(key: string, district: string, commune: string, at: readonly [number, number]): DemoStation {
  return station({
    key,
    kind: 'weather',
    name: `Trạm khí tượng đồng ruộng ${district}`,
    description: `Quan trắc thời tiết giữa ruộng lúa xã ${commune}, huyện ${district}: nhiệt độ, độ ẩm, lượng mưa, độ ẩm lá — dữ liệu cho cảnh báo bệnh đạo ôn.`,
    at,
    place: `Ruộng lúa xã ${commune}, huyện ${district}`,
    properties: { district, districtType: 'huyện', sector: 'nông nghiệp', operator: `Chi cục Trồng trọt và Bảo vệ thực vật – ${SO_NN}`, crop: 'lúa' },
    measures: ['air_temperature', 'relative_humidity', 'rainfall', 'leaf_wetness'],
  });
}

function pondStation(key: string, name: string, district: string, districtType: 'quận' | 'huyện', species: string, at: readonly [number, number]): DemoStation {
  return station({
    key,
    kind: 'pond',
    name,
    description: `Quan trắc chất lượng nước ao nuôi ${species} (${districtType} ${district}): oxy hòa tan, pH, NH3, nhiệt độ nước.`,
    at,
    place: `Vùng nuôi thủy sản, ${districtType} ${district}`,
    properties: { district, districtType, sector: 'nông nghiệp', operator: `Chi cục Thủy sản – ${SO_NN}`, species },
    measures: ['pond_do', 'pond_ph', 'pond_nh3', 'pond_temperature'],
  });
}

function trafficStation(key: string, street: string, at: readonly [number, number], scale: number): DemoStation {
  return station({
    key,
    kind: 'traffic',
    name: `Điểm đếm xe đường ${street}`,
    description: `Thiết bị đếm lưu lượng xe trên đường ${street}, quận Ninh Kiều, cả hai chiều.`,
    at,
    place: `Đường ${street}, quận Ninh Kiều`,
    properties: { district: 'Ninh Kiều', districtType: 'quận', sector: 'giao thông', operator: 'Sở Giao thông vận tải', street },
    measures: [['traffic_count', { params: { scale } }]],
  });
}

/** The network, in a fixed order (map legends and tests rely on it). */
export const DEMO_NETWORK: readonly DemoStation[] = [
  station({
    key: 'tv-can-tho',
    kind: 'water_level',
    name: 'Trạm thủy văn Cần Thơ',
    description: 'Trạm thủy văn trên sông Hậu; mực nước báo động I/II/III: 1,80/1,90/2,00 m (hệ cao độ Hòn Dấu).',
    at: [10.033, 105.783],
    place: 'Bờ sông Hậu, quận Ninh Kiều',
    properties: { district: 'Ninh Kiều', districtType: 'quận', sector: 'tài nguyên nước', operator: 'Đài Khí tượng Thủy văn khu vực Nam Bộ', river: 'sông Hậu', datum: 'Hòn Dấu' },
    measures: ['water_level'],
  }),
  salinityStation('man-cai-rang', 'Cái Răng', 'Cái Răng', [10.0205, 105.816], 1),
  salinityStation('man-o-mon', 'Ô Môn', 'Ô Môn', [10.1495, 105.6559], 0.45),
  salinityStation('man-thot-not', 'Thốt Nốt', 'Thốt Nốt', [10.272, 105.535], 0.15),
  station({
    key: 'kk-ninh-kieu',
    kind: 'air_quality',
    name: 'Trạm quan trắc không khí Ninh Kiều',
    description: 'Trạm quan trắc chất lượng không khí tự động ở trung tâm quận Ninh Kiều, cạnh trục giao thông chính.',
    at: [10.0335, 105.78],
    place: 'Trung tâm quận Ninh Kiều',
    properties: { district: 'Ninh Kiều', districtType: 'quận', sector: 'môi trường', operator: SO_TNMT },
    measures: [['pm25', { params: { scale: 1 } }], ['pm10', { params: { scale: 1 } }]],
  }),
  station({
    key: 'kk-cai-rang',
    kind: 'air_quality',
    name: 'Trạm quan trắc không khí Cái Răng',
    description: 'Trạm quan trắc chất lượng không khí tự động ở khu dân cư quận Cái Răng.',
    at: [9.999, 105.76],
    place: 'Khu dân cư quận Cái Răng',
    properties: { district: 'Cái Răng', districtType: 'quận', sector: 'môi trường', operator: SO_TNMT },
    measures: [['pm25', { params: { scale: 0.85 } }], ['pm10', { params: { scale: 0.85 } }]],
  }),
  weatherStation('kt-phong-dien', 'Phong Điền', 'Trường Long', [9.987, 105.64]),
  weatherStation('kt-co-do', 'Cờ Đỏ', 'Thạnh Phú', [10.125, 105.459]),
  weatherStation('kt-thoi-lai', 'Thới Lai', 'Thới Tân', [10.029, 105.536]),
  pondStation('ao-thot-not', 'Ao nuôi cá tra Thốt Nốt', 'Thốt Nốt', 'quận', 'cá tra', [10.215, 105.556]),
  pondStation('ao-vinh-thanh', 'Ao nuôi tôm càng xanh Vĩnh Thạnh', 'Vĩnh Thạnh', 'huyện', 'tôm càng xanh', [10.218, 105.374]),
  trafficStation('xe-30-thang-4', '30 Tháng 4', [10.0262, 105.7776], 1),
  trafficStation('xe-tran-hung-dao', 'Trần Hưng Đạo', [10.0385, 105.7765], 0.75),
  station({
    key: 'dien-cho-tan-an',
    kind: 'power',
    name: 'Công tơ điện Chợ Tân An',
    description: 'Công tơ tổng của chợ Tân An (quận Ninh Kiều): chợ họp từ trước 4 giờ sáng, đèn chiếu sáng buổi tối, kho lạnh chạy suốt ngày đêm.',
    at: [10.0358, 105.7857],
    place: 'Chợ Tân An, quận Ninh Kiều',
    properties: { district: 'Ninh Kiều', districtType: 'quận', sector: 'năng lượng', operator: 'Công ty Điện lực Cần Thơ' },
    measures: [['power', { signal: 'power_market' }], ['energy', { signal: 'energy_market' }]],
  }),
  station({
    key: 'dien-tram-bom-thoi-lai',
    kind: 'power',
    name: 'Công tơ điện trạm bơm tưới tiêu Thới Lai',
    description: 'Trạm bơm điện 3 máy × 45 kW phục vụ tưới tiêu cho ruộng lúa huyện Thới Lai; bơm chủ yếu vào giờ thấp điểm.',
    at: [10.034, 105.542],
    place: 'Kênh thủy lợi, huyện Thới Lai',
    properties: { district: 'Thới Lai', districtType: 'huyện', sector: 'năng lượng', operator: 'Công ty Điện lực Cần Thơ', pumps: 3, pumpRatedKw: 45 },
    measures: [['power', { signal: 'power_pump' }], ['energy', { signal: 'energy_pump' }]],
  }),
];

/** An entity reference by id (SensorThings §10.2.1.2: link to an existing entity in a deep insert). */
export type EntityRef = { readonly '@iot.id': number | string };

/** Optional look-ups of already stored Sensors / ObservedProperties by demo key, to link instead of duplicating. */
export interface DeepInsertRefs {
  readonly sensorId?: (key: string) => number | string | undefined;
  readonly observedPropertyId?: (key: string) => number | string | undefined;
}

/**
 * The JSON body for `POST /v1.1/Things` that creates a station in one request (SensorThings 1.1
 * §10.2.1.2 deep insert): the Thing, its Location, and its Datastreams with their Sensor and
 * ObservedProperty inline (or linked by id when `refs` knows them). Demo keys, codes and signals
 * go into `properties` so the seeder can find and feed what it created.
 */
export function toSensorThingsDeepInsert(station: DemoStation, refs: DeepInsertRefs = {}): Record<string, unknown> {
  const link = (id: number | string | undefined): EntityRef | undefined => (id === undefined ? undefined : { '@iot.id': id });
  return {
    name: station.name,
    description: station.description,
    properties: { ...station.properties, kind: station.kind, demoKey: station.key },
    Locations: [
      {
        name: station.location.name,
        description: station.location.description,
        encodingType: 'application/geo+json',
        location: { type: 'Point', coordinates: [...station.location.geometry.coordinates] },
        properties: { demoKey: `${station.key}#location` },
      },
    ],
    Datastreams: station.datastreams.map((ds) => ({
      name: ds.name,
      description: ds.description,
      observationType: ds.observationType,
      unitOfMeasurement: { ...ds.unitOfMeasurement },
      properties: {
        demoKey: ds.key,
        code: ds.code,
        signal: ds.signal,
        intervalMs: DEMO_INTERVAL_MS[ds.signal],
        ...(ds.params ? { params: { ...ds.params } } : {}),
        ...(ds.thresholds ? { thresholds: ds.thresholds.map((t) => ({ ...t })) } : {}),
      },
      Sensor: link(refs.sensorId?.(ds.sensor.key)) ?? {
        name: ds.sensor.name,
        description: ds.sensor.description,
        encodingType: ds.sensor.encodingType,
        metadata: ds.sensor.metadata,
        properties: { demoKey: ds.sensor.key },
      },
      ObservedProperty: link(refs.observedPropertyId?.(ds.observedProperty.key)) ?? {
        name: ds.observedProperty.name,
        definition: ds.observedProperty.definition,
        description: ds.observedProperty.description,
        properties: { demoKey: ds.observedProperty.key },
      },
    })),
  };
}

/** How many observations a back-fill of `days` creates: the budget that keeps demo start-up fast. */
export function backfillObservationCount(days: number, network: readonly DemoStation[] = DEMO_NETWORK): number {
  let n = 0;
  for (const s of network) for (const ds of s.datastreams) n += Math.floor((days * 86_400_000) / DEMO_INTERVAL_MS[ds.signal]);
  return n;
}
