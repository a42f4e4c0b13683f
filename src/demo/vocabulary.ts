/**
 * What the demo network measures, in well-known vocabularies so that any SensorThings client can
 * tell what a datastream is: CF standard names (via the NERC vocabulary server), QUDT quantity kinds
 * and units, FIWARE Smart Data Models where neither has a term (leaf wetness, traffic intensity),
 * ChEBI for ammonia. Names and descriptions are Vietnamese, as the operators read them.
 */
import type { DemoObservedProperty, DemoSensor, DemoThreshold, DemoUnit } from './network.ts';
import type { SignalName } from './signals.ts';

const CF = 'http://vocab.nerc.ac.uk/standard_name/';
const QUDT_UNIT = 'http://qudt.org/vocab/unit/';
const QUDT_QK = 'http://qudt.org/vocab/quantitykind/';
const WIKI = 'https://en.wikipedia.org/wiki/';

/** OGC O&M 2.0 measurement: every demo datastream carries one number per observation. */
export const OM_MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';

const unit = (name: string, symbol: string, qudt: string): DemoUnit => ({ name, symbol, definition: QUDT_UNIT + qudt });
const sensor = (key: string, name: string, description: string, page: string): DemoSensor => ({
  key: `sensor:${key}`,
  name,
  description,
  encodingType: 'text/html',
  metadata: WIKI + page,
});

/** One measured quantity: its observed property, unit, sensor model and default signal. */
export interface Measure {
  readonly code: string;
  readonly signal: SignalName;
  readonly observedProperty: DemoObservedProperty;
  readonly unitOfMeasurement: DemoUnit;
  readonly sensor: DemoSensor;
  readonly thresholds?: readonly DemoThreshold[];
}

const percent = unit('phần trăm', '%', 'PERCENT');
const ugm3 = unit('microgam trên mét khối', 'µg/m³', 'MicroGM-PER-M3');
const mgL = unit('miligam trên lít', 'mg/L', 'MilliGM-PER-L');
const celsius = unit('độ C', '°C', 'DEG_C');
const thermoHygro = sensor('nhiet-am', 'Cảm biến nhiệt độ – độ ẩm không khí', 'Cảm biến điện dung đặt trong lều chắn bức xạ, cao 2 m.', 'Hygrometer');
const dust = sensor('bui-quang-hoc', 'Thiết bị đo bụi tán xạ laser', 'Đếm hạt bụi bằng tán xạ laser, hiệu chỉnh theo độ ẩm; đo đồng thời PM2.5 và PM10.', 'Particle_counter');
const op = (key: string, name: string, definition: string, description: string): DemoObservedProperty => ({ key: `op:${key}`, name, definition, description });

/** The catalogue, keyed by datastream code. */
export const MEASURES = {
  water_level: {
    code: 'water_level',
    signal: 'water_level',
    observedProperty: op('muc-nuoc', 'Mực nước', `${CF}water_surface_height_above_reference_datum/`, 'Cao độ mặt nước so với mốc cao độ quốc gia Hòn Dấu.'),
    unitOfMeasurement: unit('mét', 'm', 'M'),
    sensor: sensor('radar-muc-nuoc', 'Cảm biến mực nước radar', 'Đo khoảng cách tới mặt nước bằng sóng radar, không tiếp xúc; độ phân giải 1 cm.', 'Level_sensor'),
    thresholds: [
      { level: 'BĐ I', label: 'Báo động I', direction: 'above', value: 1.8 },
      { level: 'BĐ II', label: 'Báo động II', direction: 'above', value: 1.9 },
      { level: 'BĐ III', label: 'Báo động III', direction: 'above', value: 2.0 },
    ],
  },
  salinity: {
    code: 'salinity',
    signal: 'salinity',
    observedProperty: op('do-man', 'Độ mặn', `${CF}sea_water_salinity/`, 'Độ mặn của nước sông, phần nghìn (‰, xấp xỉ g/L).'),
    unitOfMeasurement: unit('phần nghìn', '‰', 'PPTH'),
    sensor: sensor('do-man', 'Cảm biến độ dẫn điện – độ mặn', 'Đo độ dẫn điện và nhiệt độ nước, quy đổi ra độ mặn.', 'Salinometer'),
    thresholds: [
      { level: 'lúa', label: 'Gây hại cho lúa', direction: 'above', value: 2 },
      { level: 'dự báo', label: 'Ranh mặn 4 g/L', direction: 'above', value: 4 },
    ],
  },
  pm25: {
    code: 'pm25',
    signal: 'pm25',
    observedProperty: op('pm25', 'Bụi mịn PM2.5', `${CF}mass_concentration_of_pm2p5_ambient_aerosol_particles_in_air/`, 'Nồng độ bụi có đường kính khí động học ≤ 2,5 µm.'),
    unitOfMeasurement: ugm3,
    sensor: dust,
    thresholds: [{ level: 'QCVN', label: 'Vượt QCVN 05:2023/BTNMT (trung bình 24 giờ)', direction: 'above', value: 50 }],
  },
  pm10: {
    code: 'pm10',
    signal: 'pm10',
    observedProperty: op('pm10', 'Bụi PM10', `${CF}mass_concentration_of_pm10_ambient_aerosol_particles_in_air/`, 'Nồng độ bụi có đường kính khí động học ≤ 10 µm.'),
    unitOfMeasurement: ugm3,
    sensor: dust,
    thresholds: [{ level: 'QCVN', label: 'Vượt QCVN 05:2023/BTNMT (trung bình 24 giờ)', direction: 'above', value: 100 }],
  },
  air_temperature: {
    code: 'air_temperature',
    signal: 'air_temperature',
    observedProperty: op('nhiet-do-khong-khi', 'Nhiệt độ không khí', `${CF}air_temperature/`, 'Nhiệt độ không khí ở độ cao 2 m.'),
    unitOfMeasurement: celsius,
    sensor: thermoHygro,
  },
  relative_humidity: {
    code: 'relative_humidity',
    signal: 'relative_humidity',
    observedProperty: op('do-am-khong-khi', 'Độ ẩm không khí', `${CF}relative_humidity/`, 'Độ ẩm tương đối của không khí ở độ cao 2 m.'),
    unitOfMeasurement: percent,
    sensor: thermoHygro,
  },
  rainfall: {
    code: 'rainfall',
    signal: 'rainfall',
    observedProperty: op('luong-mua', 'Lượng mưa', `${CF}lwe_thickness_of_precipitation_amount/`, 'Lượng mưa trong chu kỳ đo 5 phút.'),
    unitOfMeasurement: unit('milimét', 'mm', 'MilliM'),
    sensor: sensor('vu-luong-ke', 'Vũ lượng kế gầu lật 0,2 mm', 'Mỗi lần gầu lật ứng với 0,2 mm mưa.', 'Rain_gauge'),
  },
  leaf_wetness: {
    code: 'leaf_wetness',
    signal: 'leaf_wetness',
    observedProperty: op('do-am-la', 'Độ ẩm lá', 'https://smartdatamodels.org/dataModel.Agrifood/leafWetness', 'Phần bề mặt lá (cảm biến) bị ướt do sương hoặc mưa; ≥ 50% coi là lá ướt.'),
    unitOfMeasurement: percent,
    sensor: sensor('do-am-la', 'Cảm biến độ ẩm lá', 'Tấm cảm biến điện dung mô phỏng lá lúa, đặt ngang tán lúa.', 'Leaf_wetness'),
    thresholds: [{ level: 'ướt', label: 'Lá ướt', direction: 'above', value: 50 }],
  },
  pond_do: {
    code: 'do',
    signal: 'pond_do',
    observedProperty: op('oxy-hoa-tan', 'Oxy hòa tan (DO)', `${CF}mass_concentration_of_oxygen_in_sea_water/`, 'Nồng độ oxy hòa tan trong nước ao, ở độ sâu 0,5 m.'),
    unitOfMeasurement: mgL,
    sensor: sensor('do-quang', 'Cảm biến oxy hòa tan quang học', 'Đo DO bằng phương pháp phát quang (optode), bù nhiệt độ.', 'Oxygen_optode'),
    thresholds: [
      { level: 'thấp', label: 'Cần bật quạt nước', direction: 'below', value: 3 },
      { level: 'nghiêm trọng', label: 'Thiếu oxy nghiêm trọng', direction: 'below', value: 2 },
    ],
  },
  pond_ph: {
    code: 'ph',
    signal: 'pond_ph',
    observedProperty: op('ph-nuoc', 'pH nước', `${QUDT_QK}PH`, 'Độ pH của nước ao.'),
    unitOfMeasurement: unit('pH', 'pH', 'PH'),
    sensor: sensor('ph', 'Điện cực pH', 'Điện cực thủy tinh, bù nhiệt độ.', 'PH_meter'),
    thresholds: [
      { level: 'thấp', label: 'pH dưới 6,5', direction: 'below', value: 6.5 },
      { level: 'cao', label: 'pH trên 8,5', direction: 'above', value: 8.5 },
    ],
  },
  pond_nh3: {
    code: 'nh3',
    signal: 'pond_nh3',
    observedProperty: op('nh3', 'Amoniac tự do (NH3)', 'http://purl.obolibrary.org/obo/CHEBI_16134', 'Nồng độ amoniac tự do (không ion hóa) trong nước ao.'),
    unitOfMeasurement: mgL,
    sensor: sensor('nh3', 'Điện cực chọn lọc ion amoni', 'Đo amoni tổng, tính NH3 tự do theo pH và nhiệt độ.', 'Ion-selective_electrode'),
    thresholds: [{ level: 'cảnh báo', label: 'NH3 trên 0,05 mg/L', direction: 'above', value: 0.05 }],
  },
  pond_temperature: {
    code: 'water_temperature',
    signal: 'pond_temperature',
    observedProperty: op('nhiet-do-nuoc', 'Nhiệt độ nước', `${QUDT_QK}Temperature`, 'Nhiệt độ nước ao ở độ sâu 0,5 m.'),
    unitOfMeasurement: celsius,
    sensor: sensor('nhiet-do-nuoc', 'Cảm biến nhiệt độ nước', 'Nhiệt điện trở (thermistor) trong vỏ chống nước.', 'Thermistor'),
    thresholds: [
      { level: 'thấp', label: 'Dưới 20 °C', direction: 'below', value: 20 },
      { level: 'cao', label: 'Trên 33 °C', direction: 'above', value: 33 },
    ],
  },
  traffic_count: {
    code: 'vehicle_count',
    signal: 'traffic_count',
    observedProperty: op('luu-luong-xe', 'Lưu lượng xe', 'https://smartdatamodels.org/dataModel.Transportation/intensity', 'Số phương tiện (chủ yếu xe máy) đi qua điểm đếm trong 5 phút, cả hai chiều.'),
    unitOfMeasurement: { name: 'xe trên 5 phút', symbol: 'xe/5 phút', definition: `${QUDT_UNIT}NUM` },
    sensor: sensor('dem-xe', 'Camera đếm lưu lượng xe', 'Camera phân tích hình ảnh, đếm xe theo làn, cả hai chiều.', 'Traffic_count'),
  },
  power: {
    code: 'power',
    signal: 'power_market',
    observedProperty: op('cong-suat', 'Công suất tác dụng', `${QUDT_QK}ActivePower`, 'Công suất điện tiêu thụ tức thời (ba pha).'),
    unitOfMeasurement: unit('kilôoát', 'kW', 'KiloW'),
    sensor: sensor('cong-to', 'Công tơ điện tử ba pha', 'Công tơ đo xa, ghi công suất và biểu đồ phụ tải.', 'Electricity_meter'),
  },
  energy: {
    code: 'energy',
    signal: 'energy_market',
    observedProperty: op('dien-nang', 'Điện năng tiêu thụ', `${QUDT_QK}Energy`, 'Điện năng tiêu thụ trong chu kỳ 15 phút.'),
    unitOfMeasurement: unit('kilôoát giờ', 'kWh', 'KiloW-HR'),
    sensor: sensor('cong-to', 'Công tơ điện tử ba pha', 'Công tơ đo xa, ghi công suất và biểu đồ phụ tải.', 'Electricity_meter'),
  },
} as const satisfies Record<string, Measure>;

export type MeasureName = keyof typeof MEASURES;
