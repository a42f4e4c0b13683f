import { html } from './html.ts';
import { pageShell } from './page-shell.ts';

/**
 * Vietnamese error pages of the resolver: 400 (the code printed on the product is not a valid
 * GS1 Digital Link: wrong check digit, bad characters…) and 404 (valid, but no such lot here).
 */

export function badCodePage(path: string, reason: string, base: string): string {
  const body = html`<h1>Mã không hợp lệ</h1>
<section class="badge badge-bad" role="alert"><h2><span class="icon" aria-hidden="true">⚠</span>Mã truy xuất nguồn gốc này không đúng định dạng GS1</h2>
<p>${reason.charAt(0).toUpperCase() + reason.slice(1)}</p></section>
<div class="card"><p style="margin-top:0">Đường dẫn đã quét:</p><p class="code">${path}</p>
<p>Mã đúng có dạng /01/<em>GTIN 14 chữ số</em>/10/<em>số lô</em>, ví dụ <span class="code">/01/08936012345674/10/CD-2025-HT1</span>.
Nếu mã in trên bao bì bị mờ hoặc hỏng, hãy liên hệ cơ sở sản xuất.</p></div>`;
  return pageShell({ title: 'Mã không hợp lệ — Truy xuất nguồn gốc', body, base });
}

export function notFoundPage(path: string, what: string, base: string): string {
  const body = html`<h1>Không tìm thấy</h1>
<section class="badge badge-bad" role="alert"><h2><span class="icon" aria-hidden="true">?</span>${what}</h2>
<p>Mã đúng định dạng nhưng hệ thống truy xuất nguồn gốc Cần Thơ chưa có dữ liệu cho mã này.</p></section>
<div class="card"><p style="margin-top:0">Đường dẫn đã quét:</p><p class="code">${path}</p>
<p>Sản phẩm có thể chưa được ghi nhận, hoặc mã không phải do hệ thống này cấp. Hãy thận trọng với sản phẩm có mã không tra cứu được.</p></div>`;
  return pageShell({ title: 'Không tìm thấy — Truy xuất nguồn gốc', body, base });
}
