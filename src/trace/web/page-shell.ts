import { type Html, html, raw } from './html.ts';

/**
 * The common frame of the consumer pages: Vietnamese, mobile-first (one column, large type,
 * 44 px touch targets), high contrast, visible focus, no external fonts, images or scripts.
 */

const CSS = `
:root{--ink:#15242d;--muted:#4f6370;--line:#d5e0e6;--bg:#f5f8f9;--brand:#0b5d7a;--ok:#146c2e;--ok-bg:#e3f4e8;--bad:#a4161a;--bad-bg:#fdeaea;--wait:#6b5a00;--wait-bg:#fff7d6}
*{box-sizing:border-box}
body{margin:0;font:17px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--brand)}a:focus-visible,button:focus-visible,summary:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:9}
header.site{background:var(--brand);color:#fff;padding:10px 16px;font-weight:600}
header.site a{color:#fff;text-decoration:none}
main{max-width:46rem;margin:0 auto;padding:12px 14px 40px}
h1{font-size:1.55rem;line-height:1.25;margin:.6rem 0 .2rem}h2{font-size:1.2rem;margin:1.6rem 0 .6rem}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:12px 0}
.muted{color:var(--muted)}.small{font-size:.9rem}
code,.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;word-break:break-all}
dl.fields{display:grid;grid-template-columns:1fr;gap:2px 12px;margin:0}
dl.fields dt{font-weight:600;color:var(--muted);font-size:.9rem;margin-top:6px}dl.fields dd{margin:0}
@media(min-width:34rem){dl.fields{grid-template-columns:13rem 1fr}dl.fields dt{margin-top:0}}
.badge{border-radius:10px;padding:14px 16px;margin:12px 0;border:2px solid}
.badge h2{margin:0;font-size:1.15rem;display:flex;gap:.5rem;align-items:flex-start}
.badge p{margin:.4rem 0 0}.badge ul{margin:.4rem 0 0;padding-left:1.2rem}
.badge-ok{background:var(--ok-bg);border-color:var(--ok);color:var(--ok)}
.badge-bad{background:var(--bad-bg);border-color:var(--bad);color:var(--bad)}
.badge-wait{background:var(--wait-bg);border-color:#c9a400;color:var(--wait)}
.badge .icon{font-size:1.4rem;line-height:1}
.badge details{color:var(--ink);margin-top:.5rem}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0 0;padding:0;list-style:none}
.chip{display:inline-block;border:1px solid var(--brand);color:var(--brand);border-radius:999px;padding:1px 10px;font-size:.85rem;font-weight:600;background:#fff}
.chip.vietgap{border-color:#2e7d32;color:#2e7d32}.chip.globalgap{border-color:#1565c0;color:#1565c0}.chip.ocop{border-color:#b26a00;color:#8a5200}
ol.journey{list-style:none;margin:0;padding:0;counter-reset:s}
ol.journey>li{position:relative;background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px 12px 54px;margin:0 0 10px}
ol.journey>li .num{position:absolute;left:12px;top:12px;width:30px;height:30px;border-radius:50%;background:var(--brand);color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
ol.journey>li h3{margin:0;font-size:1.08rem}
ol.journey>li.step-bad{border:2px solid var(--bad)}ol.journey>li.step-bad .num{background:var(--bad)}
ol.journey>li.step-ok .num::after{content:"✓";position:absolute;right:-8px;bottom:-6px;font-size:.75rem;background:var(--ok);border-radius:50%;width:16px;height:16px;display:flex;align-items:center;justify-content:center}
.step-warning{color:var(--bad);font-weight:600;margin:.3rem 0 0}
.journey-map{width:100%;height:auto;border:1px solid var(--line);border-radius:10px;background:#fff;display:block}
.m-land{fill:#f1f6ee}.m-river{fill:none;stroke:#7fb3d5;stroke-width:9;stroke-linecap:round;stroke-linejoin:round}
.m-river-label{fill:#2f6f96;font-size:18px;font-style:italic}.m-district{fill:#6f8591;font-size:16px}
.m-path{fill:none;stroke:#0b5d7a;stroke-width:3.5;stroke-dasharray:8 5}
.m-point rect{fill:#0b5d7a;stroke:#fff;stroke-width:2}.m-point text{fill:#fff;font-size:17px;font-weight:700}
footer{max-width:46rem;margin:0 auto;padding:0 14px 30px;color:var(--muted);font-size:.9rem}
.btn{display:inline-block;min-height:44px;padding:10px 14px;border-radius:8px;border:1px solid var(--brand);background:#fff;color:var(--brand);font-weight:600;text-decoration:none;margin:4px 8px 4px 0}
details>summary{cursor:pointer;min-height:32px}
@media print{header.site,.no-print,footer{display:none}body{background:#fff}}
`;

/** A complete page. `head` may add elements (e.g. the config JSON and module script). */
export function pageShell(opts: { title: string; body: Html; head?: Html; base?: string }): string {
  return html`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${opts.title}</title><meta name="robots" content="noindex"><link rel="icon" href="data:,">
<style>${raw(CSS)}</style>${opts.head ?? ''}</head>
<body><a class="skip" href="#main">Bỏ qua, đến nội dung chính</a>
<header class="site"><a href="${opts.base ?? ''}/">Cần Thơ</a> · Truy xuất nguồn gốc</header>
<main id="main">${opts.body}</main>
<footer><p>Hệ thống truy xuất nguồn gốc nông sản, thủy sản TP Cần Thơ — dữ liệu theo chuẩn GS1 EPCIS 2.0, mã GS1 Digital Link.</p></footer>
</body></html>`.value;
}
