import { gs1CheckDigit } from '../../epcis/epc-uri.ts';
import type { Certificate, Organisation, Place, Product } from '../lot-types.ts';

/**
 * Two demo supply chains in Can Tho (seed/PLACES.md), as test material for the consumer page and
 * its verifier: ST25 rice from the Cờ Đỏ cooperative (VietGAP, OCOP) and pangasius from Thốt Nốt
 * ponds (GlobalGAP). Places are real districts; organisations, GLNs and GTINs are invented
 * (GS1 Vietnam prefix 893, check digits computed).
 */

const withCheck = (body: string): string => body + gs1CheckDigit(body);

export const RICE_GTIN = withCheck('0893601234567');
export const RICE_LOT = 'CD-2025-HT1';
export const FISH_GTIN = withCheck('0893601234589');
export const FISH_LOT = 'TN-2025-0412';

const gln = (body: string): string => withCheck(body);

const VIETGAP: Certificate = { scheme: 'VietGAP', id: 'VietGAP-TT-13-03-92-0012', issuer: 'Trung tâm Chứng nhận Phù hợp (QUACERT)', validFrom: '2024-06-01', validUntil: '2027-05-31' };
const OCOP: Certificate = { scheme: 'OCOP', id: 'OCOP-CT-2024-045', issuer: 'UBND TP Cần Thơ', rating: '4 sao', validFrom: '2024-09-15', validUntil: '2027-09-14' };
const GLOBALGAP: Certificate = { scheme: 'GlobalGAP', id: 'GGN 4063061234567', issuer: 'Control Union Việt Nam', validFrom: '2024-11-01', validUntil: '2025-10-31' };

export interface DemoOrg extends Organisation {
  readonly custodial?: boolean;
}

export const ORGS: readonly DemoOrg[] = [
  { code: 'htx-co-do', name: 'Hợp tác xã Nông nghiệp Cờ Đỏ', kind: 'cooperative', gln: gln('893601234001'), address: 'Thị trấn Cờ Đỏ, huyện Cờ Đỏ, TP Cần Thơ', lat: 10.1269, lon: 105.4608, certificates: [VIETGAP] },
  { code: 'xay-xat-thot-not', name: 'Công ty TNHH Xay xát Thốt Nốt', kind: 'processor', gln: gln('893601234002'), address: 'Phường Thốt Nốt, quận Thốt Nốt, TP Cần Thơ', lat: 10.242, lon: 105.547, certificates: [OCOP] },
  { code: 'van-tai-tay-do', name: 'Vận tải Tây Đô', kind: 'logistics', gln: gln('893601234003'), address: 'Quận Bình Thủy, TP Cần Thơ', lat: 10.0634, lon: 105.7232, certificates: [] },
  { code: 'cho-ninh-kieu', name: 'Cửa hàng nông sản sạch Ninh Kiều', kind: 'retailer', gln: gln('893601234004'), address: 'Đường Hai Bà Trưng, quận Ninh Kiều, TP Cần Thơ', lat: 10.034, lon: 105.788, certificates: [] },
  { code: 'ao-ca-thot-not', name: 'Trang trại cá tra Thốt Nốt', kind: 'farm', gln: gln('893601234005'), address: 'Phường Tân Lộc, quận Thốt Nốt, TP Cần Thơ', lat: 10.2505, lon: 105.5731, certificates: [GLOBALGAP] },
  { code: 'che-bien-tra-noc', name: 'Công ty CP Chế biến thủy sản Trà Nóc', kind: 'processor', gln: gln('893601234006'), address: 'KCN Trà Nóc, quận Bình Thủy, TP Cần Thơ', lat: 10.0985, lon: 105.7105, certificates: [GLOBALGAP] },
];

export const PLACES: readonly Place[] = [
  { gln: gln('893601234101'), id: '', name: 'Cánh đồng lớn HTX Cờ Đỏ', address: 'Xã Thới Xuân, huyện Cờ Đỏ', lat: 10.1187, lon: 105.4472 },
  { gln: gln('893601234102'), id: '', name: 'Sân phơi sấy HTX Cờ Đỏ', address: 'Thị trấn Cờ Đỏ', lat: 10.1269, lon: 105.4608 },
  { gln: gln('893601234103'), id: '', name: 'Nhà máy xay xát Thốt Nốt', address: 'Phường Thốt Nốt', lat: 10.242, lon: 105.547 },
  { gln: gln('893601234104'), id: '', name: 'Cửa hàng nông sản sạch Ninh Kiều', address: 'Quận Ninh Kiều', lat: 10.034, lon: 105.788 },
  { gln: gln('893601234105'), id: '', name: 'Ao nuôi số 3, trang trại Tân Lộc', address: 'Cồn Tân Lộc, quận Thốt Nốt', lat: 10.2505, lon: 105.5731 },
  { gln: gln('893601234106'), id: '', name: 'Xưởng phi lê KCN Trà Nóc', address: 'KCN Trà Nóc 1, quận Bình Thủy', lat: 10.0985, lon: 105.7105 },
].map((p) => ({ ...p, id: `https://id.gs1.org/414/${p.gln}` }));

export const PRODUCTS: readonly Product[] = [
  { gtin: RICE_GTIN, name: 'Gạo ST25 Cờ Đỏ túi 5 kg', nameEn: 'ST25 rice, 5 kg', description: 'Gạo thơm ST25 trồng theo tiêu chuẩn VietGAP trên cánh đồng lớn Cờ Đỏ.', category: 'rice', ownerOrg: 'htx-co-do' },
  { gtin: FISH_GTIN, name: 'Cá tra phi lê đông lạnh 1 kg', nameEn: 'Frozen pangasius fillet, 1 kg', description: 'Cá tra nuôi tại Thốt Nốt theo GlobalGAP, phi lê và cấp đông tại Trà Nóc.', category: 'pangasius', ownerOrg: 'ao-ca-thot-not' },
];

/** One step of a demo journey: who records what, where, when (local time +07:00). */
export interface DemoStep {
  readonly org: string;
  readonly bizStep: string;
  readonly place: number;
  readonly time: string;
  readonly disposition?: string;
  readonly ilmd?: Record<string, unknown>;
}

export interface DemoJourney {
  readonly gtin: string;
  readonly lot: string;
  readonly steps: readonly DemoStep[];
}

export const JOURNEYS: readonly DemoJourney[] = [
  {
    gtin: RICE_GTIN,
    lot: RICE_LOT,
    steps: [
      { org: 'htx-co-do', bizStep: 'commissioning', place: 0, time: '2025-04-10T07:30:00+07:00', disposition: 'active', ilmd: { 'cbvmda:harvestStartDate': '2025-04-10', 'cbvmda:countryOfOrigin': 'VN' } },
      { org: 'htx-co-do', bizStep: 'https://cantho.example/voc/bizstep/drying', place: 1, time: '2025-04-11T08:00:00+07:00' },
      { org: 'xay-xat-thot-not', bizStep: 'inspecting', place: 2, time: '2025-04-14T09:15:00+07:00' },
      { org: 'xay-xat-thot-not', bizStep: 'packing', place: 2, time: '2025-04-15T14:00:00+07:00' },
      { org: 'van-tai-tay-do', bizStep: 'shipping', place: 2, time: '2025-04-16T06:45:00+07:00', disposition: 'in_transit' },
      { org: 'cho-ninh-kieu', bizStep: 'receiving', place: 3, time: '2025-04-16T11:20:00+07:00', disposition: 'sellable_not_accessible' },
    ],
  },
  {
    gtin: FISH_GTIN,
    lot: FISH_LOT,
    steps: [
      { org: 'ao-ca-thot-not', bizStep: 'commissioning', place: 4, time: '2025-04-12T05:30:00+07:00', disposition: 'active' },
      { org: 'che-bien-tra-noc', bizStep: 'receiving', place: 5, time: '2025-04-12T10:00:00+07:00' },
      { org: 'che-bien-tra-noc', bizStep: 'packing', place: 5, time: '2025-04-12T16:30:00+07:00' },
      { org: 'van-tai-tay-do', bizStep: 'shipping', place: 5, time: '2025-04-13T07:00:00+07:00', disposition: 'in_transit' },
    ],
  },
];

/** The EPCIS 2.0 ObjectEvent of a demo step (no eventID: the server names it by its hash). */
export function demoEvent(j: DemoJourney, s: DemoStep): Record<string, unknown> {
  const loc = PLACES[s.place]!;
  const ev: Record<string, unknown> = {
    type: 'ObjectEvent',
    eventTime: new Date(s.time).toISOString(),
    eventTimeZoneOffset: '+07:00',
    action: s.bizStep === 'commissioning' ? 'ADD' : 'OBSERVE',
    bizStep: s.bizStep,
    readPoint: { id: loc.id },
    bizLocation: { id: loc.id },
    quantityList: [{ epcClass: `https://id.gs1.org/01/${j.gtin}/10/${j.lot}`, quantity: 1000, uom: 'KGM' }],
  };
  if (s.disposition) ev.disposition = s.disposition;
  if (s.ilmd) ev.ilmd = s.ilmd;
  return ev;
}
