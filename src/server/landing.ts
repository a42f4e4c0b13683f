import { readFileSync } from 'node:fs';
import { esc } from '../trace/web/html.ts';

/** The live table's script (landing-live.js), served at LANDING_SCRIPT_PATH. */
export const LANDING_SCRIPT = readFileSync(new URL('./landing-live.js', import.meta.url), 'utf8');
export const LANDING_SCRIPT_PATH = '/assets/landing-live.js';
/** The landing page runs only its own script and talks only to its own origin. */
export const LANDING_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

/**
 * The landing page: what this is, in Vietnamese first, the latest value of each public Datastream
 * kept current over Server-Sent Events, and links into the API.
 */
export function landingPage(base: string, demo: boolean): string {
  const link = (path: string, text: string) => `<li><a href="${esc(base + path)}">${text}</a> <code>${esc(path)}</code></li>`;
  return `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Cần Thơ — Nền tảng dữ liệu quan trắc</title><link rel="icon" href="data:,">
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b2b34}
h1{color:#0b5d7a}code{background:#eef3f6;padding:0 .3rem;border-radius:3px;overflow-wrap:anywhere}li{margin:.3rem 0}
table{border-collapse:collapse;width:100%;font-size:.95rem}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #dde6ea}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}tr.fresh{animation:fresh 2s ease-out}
@keyframes fresh{from{background:#fff3b0}to{background:transparent}}#live-status[data-state=live]::before{content:"● ";color:#1a8a3a}
#live-status[data-state=reconnecting]::before,#live-status[data-state=error]::before{content:"● ";color:#b3261e}</style></head>
<body>
<h1>Cần Thơ — Nền tảng ứng dụng công nghệ 4.0</h1>
<p>Hệ thống thu nhận số liệu quan trắc (mực nước, độ mặn, chất lượng không khí, thời tiết, ao nuôi thủy sản,
lưu lượng xe, công tơ điện) theo chuẩn OGC SensorThings API 1.1, phục vụ Trung tâm Điều hành đô thị thông minh (IOC)
theo Kế hoạch 266/KH-UBND.</p>
<p lang="en">Can Tho's Industry 4.0 platform: a sensing hub speaking OGC SensorThings API 1.1.${demo ? ' The demo network below is live: observations keep arriving.' : ''}</p>
<h2>Số liệu mới nhất <small lang="en">(latest values, live)</small></h2>
<p id="live-status" role="status" data-state="loading">Đang tải…</p>
<table id="live" hidden><thead><tr><th>Chuỗi số liệu (Datastream)</th><th>Giá trị</th><th>Thời điểm (giờ Việt Nam)</th></tr></thead><tbody></tbody></table>
<script src="${LANDING_SCRIPT_PATH}" defer></script>
<h2>API</h2>
<ul>
${link('/v1.1', 'SensorThings API 1.1 — gốc dịch vụ (service root)')}
${link('/v1.1/Things?$expand=Locations', 'Trạm quan trắc (Things) và vị trí')}
${link('/v1.1/Datastreams?$select=id,name,unitOfMeasurement', 'Chuỗi số liệu (Datastreams)')}
${link('/v1.1/Datastreams?$top=20&$expand=Observations($orderby=phenomenonTime%20desc;$top=1)', 'Giá trị mới nhất (latest values)')}
${demo ? link('/01/08936012345674/10/CD-2025-HT1', 'Truy xuất nguồn gốc — lô gạo ST25 Cờ Đỏ (GS1 Digital Link, tự kiểm chứng trong trình duyệt)') : ''}
${link('/health', 'Tình trạng hệ thống (health)')}
${link('/metrics', 'Số đo vận hành (Prometheus metrics)')}
</ul>
</body></html>`;
}
