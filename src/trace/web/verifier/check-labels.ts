import type { CheckId } from './verify-lot.ts';

/** How the page names each check, in Vietnamese, when it passes and when it fails. */
export const CHECK_LABELS: Readonly<Record<CheckId | 'fetch' | 'page', { ok: string; bad: string }>> = {
  fetch: { ok: 'Đã tải dữ liệu kiểm chứng', bad: 'Không tải được dữ liệu kiểm chứng từ máy chủ' },
  webcrypto: { ok: 'Trình duyệt hỗ trợ kiểm tra mật mã', bad: 'Trình duyệt không kiểm tra được mật mã ở đây (cần kết nối HTTPS)' },
  pins: { ok: 'Khóa công khai được ghim trong trang hợp lệ', bad: 'Khóa công khai được ghim trong trang không hợp lệ' },
  'log-signature': { ok: 'Chữ ký của sổ cái trên điểm kiểm tra (checkpoint) hợp lệ', bad: 'Chữ ký của sổ cái trên điểm kiểm tra (checkpoint) không hợp lệ hoặc không phải khóa đã ghim' },
  witnesses: { ok: 'Có chữ ký đồng xác nhận của bên chứng kiến độc lập', bad: 'Thiếu chữ ký đồng xác nhận hợp lệ của bên chứng kiến độc lập (lịch sử có thể đã bị viết lại)' },
  'event-data': { ok: 'Nội dung từng sự kiện khớp mã băm trong sổ cái', bad: 'Nội dung sự kiện không khớp với mã băm đã ghi trong sổ cái' },
  'org-signature': { ok: 'Chữ ký số của đơn vị ghi nhận hợp lệ', bad: 'Chữ ký số của đơn vị ghi nhận không khớp với nội dung sự kiện' },
  inclusion: { ok: 'Mỗi sự kiện nằm trong sổ cái (bằng chứng Merkle)', bad: 'Sự kiện không nằm trong sổ cái đã ký (bằng chứng Merkle không khớp)' },
  consistency: { ok: 'Thông tin hiển thị khớp với dữ liệu đã ghi', bad: 'Thông tin hiển thị khác với dữ liệu đã ghi trong sổ cái' },
  page: { ok: 'Trang hiển thị đúng các sự kiện đã kiểm tra', bad: 'Trang hiển thị khác với dữ liệu đã kiểm tra' },
};
