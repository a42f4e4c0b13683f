import type { Location, OrgInput, Product } from '../orgs/org.types.ts';
import { DEMO_LOTS, gln, gtin, PREFIX } from './demo-ids.ts';

/**
 * Demo organisations of Can Tho's rice and pangasius chains at real places (seed/PLACES.md), with
 * invented names and certificate numbers in the formats the schemes use. All are custodial (the
 * server signs for them); real organisations sign their captures themselves.
 */
const CERT = 'https://cantho.gov.vn/truy-xuat/chung-nhan/';

export const DEMO_ORGS: readonly OrgInput[] = [
  {
    code: 'htx-thanh-phu', name: 'Hợp tác xã Nông nghiệp Thạnh Phú', kind: 'cooperative', gln: gln(PREFIX.htx, '00001'),
    address: 'Ấp Thạnh Phước, xã Thạnh Phú, huyện Cờ Đỏ, TP. Cần Thơ', lat: 10.1412, lon: 105.4475,
    certificates: [
      { scheme: 'VietGAP', id: 'VietGAP-TT-24-05-92-0015', issuer: 'Chi cục Trồng trọt và Bảo vệ thực vật TP. Cần Thơ', validFrom: '2024-08-20', validUntil: '2026-08-19', url: `${CERT}vietgap-tt-24-05-92-0015` },
      { scheme: 'OCOP', id: 'OCOP-CT-2024-0112', issuer: 'UBND TP. Cần Thơ', validFrom: '2024-11-05', validUntil: '2027-11-04', rating: '4 sao', url: `${CERT}ocop-ct-2024-0112` },
    ],
  },
  {
    code: 'xay-xat-thoi-lai', name: 'Công ty TNHH Xay xát Lúa gạo Thới Lai', kind: 'processor', gln: gln(PREFIX.miller, '00001'),
    address: 'Quốc lộ 91B, thị trấn Thới Lai, huyện Thới Lai, TP. Cần Thơ', lat: 10.0632, lon: 105.5574,
    certificates: [{ scheme: 'ISO 22000', id: 'QT-ISO22000-0921', issuer: 'Trung tâm Chứng nhận Phù hợp (QUACERT)', validUntil: '2026-05-31', url: `${CERT}qt-iso22000-0921` }],
  },
  {
    code: 'dong-goi-o-mon', name: 'Công ty CP Lương thực Sông Hậu – Xưởng đóng gói Ô Môn', kind: 'processor', gln: gln(PREFIX.packer, '00001'),
    address: 'KCN Trà Nóc 2, phường Phước Thới, quận Ô Môn, TP. Cần Thơ', lat: 10.1127, lon: 105.6668,
    certificates: [{ scheme: 'HACCP', id: 'HACCP-CT-2023-0388', issuer: 'Cục Quản lý Chất lượng Nông Lâm sản và Thủy sản (NAFIQAD)', validUntil: '2026-02-28' }],
  },
  {
    code: 'mekong-logistics', name: 'Công ty TNHH Vận tải Mekong Logistics', kind: 'logistics', gln: gln(PREFIX.logistics, '00001'),
    address: 'Đường Võ Nguyên Giáp, phường Phú Thứ, quận Cái Răng, TP. Cần Thơ', lat: 9.9985, lon: 105.7912, certificates: [],
  },
  {
    code: 'sieu-thi-ninh-kieu', name: 'Siêu thị Xanh Ninh Kiều', kind: 'retailer', gln: gln(PREFIX.retailer, '00001'),
    address: 'Đường 30 Tháng 4, phường Xuân Khánh, quận Ninh Kiều, TP. Cần Thơ', lat: 10.0291, lon: 105.7705,
    certificates: [{ scheme: 'ATTP', id: 'ATTP-NK-2023-118', issuer: 'Ban Quản lý An toàn thực phẩm TP. Cần Thơ', validUntil: '2026-12-31' }],
  },
  {
    code: 'ca-tra-thot-not', name: 'Trang trại nuôi cá tra Tân Lộc (Thốt Nốt)', kind: 'farm', gln: gln(PREFIX.farm, '00001'),
    address: 'Khu vực Tân Lộc, phường Thới Thuận, quận Thốt Nốt, TP. Cần Thơ', lat: 10.2626, lon: 105.5612,
    certificates: [
      { scheme: 'GlobalG.A.P.', id: 'GGN 4063061871234', issuer: 'Control Union Việt Nam', validUntil: '2026-03-15', url: `${CERT}ggn-4063061871234` },
      { scheme: 'VietGAP', id: 'VietGAP-TS-24-03-92-0007', issuer: 'Chi cục Thủy sản TP. Cần Thơ', validUntil: '2027-03-10', url: `${CERT}vietgap-ts-24-03-92-0007` },
    ],
  },
  {
    code: 'thuy-san-thot-not', name: 'Công ty CP Thủy sản Thốt Nốt – Nhà máy chế biến', kind: 'processor', gln: gln(PREFIX.plant, '00001'),
    address: 'KCN Thốt Nốt, phường Thuận Hưng, quận Thốt Nốt, TP. Cần Thơ', lat: 10.2795, lon: 105.5331,
    certificates: [
      { scheme: 'HACCP', id: 'HACCP-TS-2024-0456', issuer: 'Cục Quản lý Chất lượng Nông Lâm sản và Thủy sản (NAFIQAD)', validUntil: '2027-01-31', url: `${CERT}haccp-ts-2024-0456` },
      { scheme: 'BRCGS', id: 'BRCGS-1623547', issuer: 'SGS Việt Nam', rating: 'AA', validUntil: '2026-06-30' },
    ],
  },
  {
    code: 'cang-cai-cui', name: 'Cảng Cần Thơ – Bến Cái Cui', kind: 'logistics', gln: gln(PREFIX.port, '00001'),
    address: 'Khu vực Phú Thành, phường Tân Phú, quận Cái Răng, TP. Cần Thơ', lat: 10.0058, lon: 105.8264, certificates: [],
  },
  {
    code: 'so-khcn-can-tho', name: 'Sở Khoa học và Công nghệ TP. Cần Thơ', kind: 'authority', gln: gln(PREFIX.authority, '00001'),
    address: '02 Lý Thường Kiệt, phường Tân An, quận Ninh Kiều, TP. Cần Thơ', lat: 10.0336, lon: 105.7871, certificates: [],
  },
];

/** Places (GLN master data) used as readPoint / bizLocation. */
export const DEMO_LOCATIONS: readonly Location[] = [
  ...DEMO_ORGS.filter((o) => o.kind !== 'authority').map((o) => ({ gln: o.gln!, name: o.name, address: o.address ?? null, lat: o.lat ?? null, lon: o.lon ?? null, org: o.code })),
  { gln: gln(PREFIX.htx, '00018'), name: 'Cánh đồng lớn ST25 – ấp Thạnh Phước', address: 'Ấp Thạnh Phước, xã Thạnh Phú, huyện Cờ Đỏ', lat: 10.1468, lon: 105.4391, org: 'htx-thanh-phu' },
  { gln: gln(PREFIX.farm, '00035'), name: 'Ao nuôi số 3', address: 'Khu vực Tân Lộc, quận Thốt Nốt', lat: 10.2651, lon: 105.5580, org: 'ca-tra-thot-not' },
];

/** Product master data (GTIN-14). */
export const DEMO_PRODUCTS: readonly Product[] = [
  { gtin: gtin(PREFIX.htx, '10012'), name: 'Lúa tươi ST25', nameEn: 'Fresh paddy, ST25 variety', description: null, category: 'rice', imageUrl: null, ownerOrg: 'htx-thanh-phu' },
  { gtin: gtin(PREFIX.miller, '10001'), name: 'Gạo trắng ST25 (hàng rời)', nameEn: 'Milled white rice ST25 (bulk)', description: null, category: 'rice', imageUrl: null, ownerOrg: 'xay-xat-thoi-lai' },
  {
    gtin: DEMO_LOTS.rice.gtin, name: 'Gạo ST25 Thạnh Phú – túi 5 kg', nameEn: 'Thạnh Phú ST25 rice – 5 kg bag',
    description: 'Gạo thơm ST25 trồng theo tiêu chuẩn VietGAP trên cánh đồng lớn xã Thạnh Phú, huyện Cờ Đỏ; sản phẩm OCOP 4 sao của TP. Cần Thơ.',
    category: 'rice', imageUrl: null, ownerOrg: 'htx-thanh-phu',
  },
  { gtin: gtin(PREFIX.farm, '10008'), name: 'Cá tra nguyên con', nameEn: 'Whole live pangasius', description: null, category: 'seafood', imageUrl: null, ownerOrg: 'ca-tra-thot-not' },
  {
    gtin: DEMO_LOTS.pangasius.gtin, name: 'Cá tra phi lê đông lạnh IQF', nameEn: 'Frozen pangasius fillet (IQF)',
    description: 'Cá tra nuôi tại Thốt Nốt theo GlobalG.A.P., phi lê và cấp đông IQF tại nhà máy đạt HACCP và BRCGS, xuất khẩu qua cảng Cái Cui.',
    category: 'seafood', imageUrl: null, ownerOrg: 'thuy-san-thot-not',
  },
];
