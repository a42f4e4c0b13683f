/**
 * Vietnamese words for CBV 2.0 business steps, dispositions and organisation kinds
 * (seed/GLOSSARY.md: thu hoạch / xay xát / đóng gói / vận chuyển / tiếp nhận / bán lẻ …).
 * Shared by the server page and the browser verifier.
 */

const BIZ_STEPS: Readonly<Record<string, string>> = {
  commissioning: 'Khởi tạo lô hàng',
  harvesting: 'Thu hoạch',
  farming: 'Canh tác',
  milling: 'Xay xát',
  drying: 'Sấy',
  processing: 'Chế biến',
  transforming: 'Chế biến',
  packing: 'Đóng gói',
  unpacking: 'Mở gói',
  inspecting: 'Kiểm tra chất lượng',
  sampling: 'Lấy mẫu kiểm nghiệm',
  storing: 'Lưu kho',
  shipping: 'Vận chuyển',
  departing: 'Xuất phát',
  arriving: 'Đến nơi',
  receiving: 'Tiếp nhận',
  accepting: 'Tiếp nhận',
  loading: 'Xếp hàng lên xe',
  unloading: 'Dỡ hàng',
  stocking: 'Nhập kho',
  retail_selling: 'Bán lẻ',
  selling: 'Bán',
  installing: 'Lắp đặt',
  feeding: 'Cho ăn',
  slaughtering: 'Sơ chế',
  cycle_counting: 'Kiểm kê',
  sensor_reporting: 'Ghi nhận cảm biến',
  certificate_issuing: 'Cấp chứng nhận',
};

const ORG_KINDS: Readonly<Record<string, string>> = {
  farm: 'Cơ sở sản xuất',
  cooperative: 'Hợp tác xã',
  processor: 'Cơ sở chế biến',
  logistics: 'Nhà phân phối',
  retailer: 'Cửa hàng bán lẻ',
  authority: 'Cơ quan quản lý',
};

const PREFIXES = ['https://ref.gs1.org/cbv/BizStep-', 'urn:epcglobal:cbv:bizstep:', 'cbv:BizStep-'];

/** The bare CBV term of a bizStep value (bare term, CBV Web URI or URN), else the value itself. */
export function bareBizStep(v: string | null | undefined): string {
  if (!v) return '';
  for (const p of PREFIXES) if (v.startsWith(p)) return v.slice(p.length);
  return v;
}

/** Vietnamese label of a business step; unknown custom steps show their last path segment. */
export function bizStepLabel(v: string | null | undefined): string {
  const term = bareBizStep(v);
  if (!term) return 'Sự kiện';
  const label = BIZ_STEPS[term];
  if (label) return label;
  const tail = term.split(/[/#:]/).filter(Boolean).pop() ?? term;
  return BIZ_STEPS[tail] ?? tail.replace(/[_-]+/g, ' ');
}

/** Vietnamese name of an organisation kind (docs/api/trace.md §1). */
export function orgKindLabel(kind: string | null | undefined): string {
  return (kind && ORG_KINDS[kind]) || 'Đơn vị';
}
