import { type Html, html, raw } from './html.ts';
import type { LotView } from './lot-types.ts';
import { bizStepLabel } from './step-labels.ts';
import { formatDate } from './vn-format.ts';

/**
 * A printable sheet of QR labels for one lot (A4, 50 × 70 mm labels): the QR code of the Digital
 * Link, the product name, and the Circular 02/2024/TT-BKHCN fields in human-readable form, so the
 * label still carries the codes when the QR code cannot be scanned.
 */

const CSS = `
@page{size:A4;margin:10mm}
*{box-sizing:border-box}body{margin:0;font:12px/1.35 system-ui,"Noto Sans",sans-serif;color:#000}
.bar{padding:10px;background:#eef3f6;font-size:15px}.bar button{font-size:15px;min-height:44px;padding:8px 14px;margin-right:8px}
.sheet{display:flex;flex-wrap:wrap;gap:4mm;padding:4mm}
.label{width:50mm;height:70mm;border:0.3mm dashed #999;padding:2.5mm;display:flex;flex-direction:column;align-items:center;text-align:center;break-inside:avoid;overflow:hidden}
.label svg{width:34mm;height:34mm;flex:none}.label .name{font-weight:700;font-size:10.5px;margin-top:1mm}
.label dl{margin:1mm 0 0;font-size:8.5px;text-align:left;width:100%}.label dt{font-weight:700;display:inline}.label dd{display:inline;margin:0}.label dd::after{content:"";display:block}
.label .url{font-family:ui-monospace,monospace;font-size:6.5px;word-break:break-all;margin-top:auto}
@media print{.bar{display:none}.label{border-color:#ccc}}
`;

function one(lot: LotView, svg: string, url: string, placeGln: string | null): Html {
  const first = lot.events[0];
  return html`<div class="label">${raw(svg)}
<div class="name">${lot.product?.name ?? lot.gtin}</div>
<dl>
<dt>Mã truy vết sản phẩm: </dt><dd>(01)${lot.gtin}(10)${lot.lot}</dd>
<dt>Mã truy vết địa điểm: </dt><dd>${placeGln ?? '—'}</dd>
<dt>Lô: </dt><dd>${lot.lot}</dd>
<dt>Thời gian: </dt><dd>${first ? `${formatDate(first.eventTime)} (${bizStepLabel(first.bizStep).toLowerCase()})` : '—'}</dd>
</dl>
<div class="url">${url}</div></div>`;
}

/** The label sheet with `copies` labels (1–60). */
export function labelPage(lot: LotView, qrSvgMarkup: string, url: string, copies: number): string {
  const n = Math.min(60, Math.max(1, Math.floor(copies) || 1));
  const first = lot.events[0];
  const placeGln = (first?.place?.gln ?? /\/414\/(\d{13})/.exec(first?.place?.id ?? '')?.[1]) || lot.producer?.gln || null;
  const label = one(lot, qrSvgMarkup, url, placeGln);
  return html`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>Tem QR — ${lot.product?.name ?? lot.gtin} — lô ${lot.lot}</title><style>${raw(CSS)}</style></head>
<body><div class="bar"><strong>Tem truy xuất nguồn gốc</strong> — lô ${lot.lot}, ${n} tem. Dùng lệnh In của trình duyệt (Ctrl+P) để in.</div>
<main class="sheet">${Array.from({ length: n }, () => label)}</main></body></html>`.value;
}
