import { DEMO_LOTS, demoUuid, dl, gln, gtin, PREFIX, sscc, vnTime } from './demo-ids.ts';

/** One signed capture of the demo: which organisation sends which EPCIS document. */
export interface DemoCapture {
  readonly org: string;
  readonly doc: Record<string, unknown>;
}

const H = 3_600_000;
const D = 24 * H;
const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { cantho: 'https://cantho.gov.vn/truy-xuat/voc/' }];
const CERT = 'https://cantho.gov.vn/truy-xuat/chung-nhan/';

function doc(creation: number, events: Record<string, unknown>[]): Record<string, unknown> {
  return { '@context': CONTEXT, type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date(creation).toISOString(), epcisBody: { eventList: events } };
}

function ev(name: string, type: string, t: number, fields: Record<string, unknown>): Record<string, unknown> {
  return { type, eventID: demoUuid(name), eventTime: vnTime(t), eventTimeZoneOffset: '+07:00', ...fields };
}

const at = (g: string) => ({ readPoint: { id: dl.loc(g) }, bizLocation: { id: dl.loc(g) } });
const qty = (g: string, lot: string, quantity: number, uom: string) => [{ epcClass: dl.lot(g, lot), quantity, uom }];
const move = (from: string, to: string) => ({
  sourceList: [{ type: 'owning_party', source: dl.party(from) }, { type: 'location', source: dl.loc(from) }],
  destinationList: [{ type: 'owning_party', destination: dl.party(to) }, { type: 'location', destination: dl.loc(to) }],
});

/**
 * The rice chain (lúa → gạo): harvest of a ST25 paddy lot on the Thạnh Phú large field (Cờ Đỏ),
 * milling (xay xát) in Thới Lai, packing (đóng gói) into 5 kg bags in Ô Môn, a pallet trucked to a
 * Ninh Kiều supermarket. `t0` is the harvest morning; events are days apart like the real chain.
 */
export function riceChain(t0: number): DemoCapture[] {
  const paddy = gtin(PREFIX.htx, '10012');
  const milled = gtin(PREFIX.miller, '10001');
  const { gtin: bag, lot } = DEMO_LOTS.rice;
  const field = gln(PREFIX.htx, '00018');
  const htx = gln(PREFIX.htx, '00001');
  const mill = gln(PREFIX.miller, '00001');
  const pack = gln(PREFIX.packer, '00001');
  const shop = gln(PREFIX.retailer, '00001');
  const pallet = sscc(PREFIX.packer, '250400017');
  return [
    { org: 'htx-thanh-phu', doc: doc(t0 + 9 * H, [
      ev('rice/harvest', 'ObjectEvent', t0, { action: 'ADD', bizStep: 'commissioning', disposition: 'active', quantityList: qty(paddy, 'TP2504', 12_000, 'KGM'), ...at(field),
        certificationInfo: `${CERT}vietgap-tt-24-05-92-0015`,
        ilmd: { 'cbvmda:countryOfOrigin': 'VN', 'cbvmda:lotNumber': 'TP2504', 'cantho:giongLua': 'ST25', 'cantho:vuMua': 'Đông Xuân 2024–2025', 'cantho:dienTichHa': 20.5, 'cantho:ngayGieoSa': '2024-12-05' } }),
      ev('rice/ship-paddy', 'ObjectEvent', t0 + 8 * H, { action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', quantityList: qty(paddy, 'TP2504', 12_000, 'KGM'), ...at(htx), ...move(htx, mill) }),
    ]) },
    { org: 'xay-xat-thoi-lai', doc: doc(t0 + 2 * D + 8 * H, [
      ev('rice/receive-paddy', 'ObjectEvent', t0 + D + 1 * H, { action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', quantityList: qty(paddy, 'TP2504', 11_950, 'KGM'), ...at(mill) }),
      ev('rice/milling', 'TransformationEvent', t0 + D + 6 * H, { bizStep: 'creating_class_instance', disposition: 'active', inputQuantityList: qty(paddy, 'TP2504', 11_950, 'KGM'),
        outputQuantityList: qty(milled, 'XX250407', 7_170, 'KGM'), ...at(mill), ilmd: { 'cbvmda:lotNumber': 'XX250407', 'cantho:tyLeThuHoi': 0.6 } }),
      ev('rice/ship-milled', 'ObjectEvent', t0 + 2 * D + 7 * H, { action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', quantityList: qty(milled, 'XX250407', 5_000, 'KGM'), ...at(mill), ...move(mill, pack) }),
    ]) },
    { org: 'dong-goi-o-mon', doc: doc(t0 + 4 * D, [
      ev('rice/receive-milled', 'ObjectEvent', t0 + 2 * D + 10 * H, { action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', quantityList: qty(milled, 'XX250407', 5_000, 'KGM'), ...at(pack) }),
      ev('rice/packing', 'TransformationEvent', t0 + 3 * D + 2 * H, { bizStep: 'packing', disposition: 'active', inputQuantityList: qty(milled, 'XX250407', 5_000, 'KGM'),
        outputQuantityList: qty(bag, lot, 1_000, 'H87'), ...at(pack), ilmd: { 'cbvmda:lotNumber': lot, 'cbvmda:bestBeforeDate': vnTime(t0 + 368 * D).slice(0, 10), 'cbvmda:netWeight': { value: 5, uom: 'KGM' } } }),
      ev('rice/palletise', 'AggregationEvent', t0 + 3 * D + 5 * H, { action: 'ADD', bizStep: 'packing', disposition: 'container_closed', parentID: dl.sscc(pallet), childQuantityList: qty(bag, lot, 200, 'H87'), ...at(pack) }),
    ]) },
    { org: 'mekong-logistics', doc: doc(t0 + 5 * D, [
      ev('rice/truck', 'ObjectEvent', t0 + 4 * D - 1 * H, { action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', epcList: [dl.sscc(pallet)], ...at(pack), ...move(pack, shop),
        bizTransactionList: [{ type: 'desadv', bizTransaction: `urn:epc:id:gdti:${PREFIX.logistics}.00001.250407` }],
        sensorElementList: [{ sensorMetadata: { time: vnTime(t0 + 4 * D + H) }, sensorReport: [{ type: 'Temperature', value: 31.5, uom: 'CEL' }, { type: 'RelativeHumidity', value: 68, uom: 'P1' }] }] }),
    ]) },
    { org: 'sieu-thi-ninh-kieu', doc: doc(t0 + 5 * D + 2 * H, [
      ev('rice/receive-shop', 'ObjectEvent', t0 + 4 * D + 2 * H, { action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', epcList: [dl.sscc(pallet)], ...at(shop) }),
      ev('rice/shelf', 'ObjectEvent', t0 + 4 * D + 4 * H, { action: 'OBSERVE', bizStep: 'stocking', disposition: 'sellable_accessible', quantityList: qty(bag, lot, 200, 'H87'), ...at(shop) }),
    ]) },
  ];
}

/**
 * The pangasius chain (cá tra): harvest from pond 3 of a Thốt Nốt farm, live transport to the
 * Thốt Nốt processing plant, residue inspection, filleting and IQF freezing, palletising, and
 * export through the Cái Cui port. The farm writes its lot as an EPC class URN to show that URNs
 * and Digital Link URIs of the same lot are one identifier.
 */
export function pangasiusChain(t0: number): DemoCapture[] {
  const live = gtin(PREFIX.farm, '10008');
  const liveUrn = `urn:epc:class:lgtin:${PREFIX.farm}.010008.AO3-2504`;
  const { gtin: fillet, lot } = DEMO_LOTS.pangasius;
  const pond = gln(PREFIX.farm, '00035');
  const farm = gln(PREFIX.farm, '00001');
  const plant = gln(PREFIX.plant, '00001');
  const port = gln(PREFIX.port, '00001');
  const pallet = sscc(PREFIX.plant, '250412001');
  return [
    { org: 'ca-tra-thot-not', doc: doc(t0 + 6 * H, [
      ev('fish/harvest', 'ObjectEvent', t0, { action: 'ADD', bizStep: 'commissioning', disposition: 'active', quantityList: [{ epcClass: liveUrn, quantity: 25_000, uom: 'KGM' }], ...at(pond),
        certificationInfo: `${CERT}ggn-4063061871234`,
        ilmd: { 'cbvmda:countryOfOrigin': 'VN', 'cbvmda:lotNumber': 'AO3-2504', 'cantho:ao': 'Ao số 3', 'cantho:ngayThaGiong': '2024-10-02', 'cantho:khongKhangSinh30Ngay': true } }),
      ev('fish/ship', 'ObjectEvent', t0 + 3 * H, { action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', quantityList: qty(live, 'AO3-2504', 25_000, 'KGM'), ...at(farm), ...move(farm, plant) }),
    ]) },
    { org: 'thuy-san-thot-not', doc: doc(t0 + 2 * D, [
      ev('fish/receive', 'ObjectEvent', t0 + 5 * H, { action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', quantityList: qty(live, 'AO3-2504', 24_800, 'KGM'), ...at(plant) }),
      ev('fish/inspect', 'ObjectEvent', t0 + 6 * H, { action: 'OBSERVE', bizStep: 'inspecting', disposition: 'conformant', quantityList: qty(live, 'AO3-2504', 24_800, 'KGM'), ...at(plant),
        certificationInfo: `${CERT}haccp-ts-2024-0456`, 'cantho:ketQuaKiemNghiem': 'Không phát hiện dư lượng kháng sinh cấm (Enrofloxacin, Malachite green)' }),
      ev('fish/fillet', 'TransformationEvent', t0 + 10 * H, { bizStep: 'creating_class_instance', disposition: 'active', inputQuantityList: qty(live, 'AO3-2504', 24_800, 'KGM'),
        outputQuantityList: qty(fillet, lot, 9_420, 'KGM'), ...at(plant), ilmd: { 'cbvmda:lotNumber': lot, 'cbvmda:bestBeforeDate': vnTime(t0 + 730 * D).slice(0, 10), 'cantho:phuongPhapCapDong': 'IQF −18 °C' } }),
      ev('fish/palletise', 'AggregationEvent', t0 + D + 2 * H, { action: 'ADD', bizStep: 'packing', disposition: 'container_closed', parentID: dl.sscc(pallet), childQuantityList: qty(fillet, lot, 9_420, 'KGM'), ...at(plant) }),
    ]) },
    { org: 'cang-cai-cui', doc: doc(t0 + 4 * D, [
      ev('fish/port-receive', 'ObjectEvent', t0 + 2 * D + 4 * H, { action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', epcList: [dl.sscc(pallet)], ...at(port),
        sensorElementList: [{ sensorMetadata: { time: vnTime(t0 + 2 * D + 4 * H) }, sensorReport: [{ type: 'Temperature', value: -19.2, uom: 'CEL' }] }] }),
      ev('fish/export', 'ObjectEvent', t0 + 3 * D + 9 * H, { action: 'OBSERVE', bizStep: 'departing', disposition: 'in_transit', epcList: [dl.sscc(pallet)], ...at(port),
        bizTransactionList: [{ type: 'bol', bizTransaction: `urn:epc:id:gdti:${PREFIX.port}.00002.250415` }], 'cantho:cangDen': 'Rotterdam (NLRTM)' }),
    ]) },
  ];
}
