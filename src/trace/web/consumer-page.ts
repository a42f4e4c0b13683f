import { lotPath } from './digital-link-path.ts';
import { type Html, html, jsonScript, raw } from './html.ts';
import { journeyMapSvg, type MapPoint } from './journey-map.ts';
import type { Certificate, JourneyEvent, LotView, Organisation, TrustPins } from './lot-types.ts';
import { pageShell } from './page-shell.ts';
import { bizStepLabel, orgKindLabel } from './step-labels.ts';
import { formatDate, formatDateTime, isoInstant } from './vn-format.ts';

/**
 * The consumer page of one lot (what a QR code on a bag of rice opens): product, producer, the
 * Circular 02/2024/TT-BKHCN trace code fields, each step of the journey with time, place (and a
 * map), actor and certificates, and the verification badge.
 *
 * The badge is NOT rendered by the server: the page starts in "đang kiểm tra" and only the
 * in-browser verifier (verify.js, with the keys pinned below) can turn it into "đã xác minh".
 */

/** What the page needs besides the lot: where its verifier fetches from and the pinned keys. */
export interface PageContext {
  /** Absolute base URL of the site (CANTHO_PUBLIC_URL or the request's host). */
  readonly base: string;
  readonly pins: TrustPins;
  /** Path of the verifier module and its SRI hash. */
  readonly script: { readonly src: string; readonly integrity: string };
}

/** The JSON the page embeds for its verifier (`<script type="application/json" id="trace-config">`). */
export interface VerifierConfig {
  readonly lotApi: string;
  readonly captureApi: string;
  readonly pins: TrustPins;
}

function certClass(scheme: string): string {
  const s = scheme.toLowerCase().replace(/[^a-z]/g, '');
  return ['vietgap', 'globalgap', 'ocop'].includes(s) ? ` ${s}` : '';
}

function certChips(certs: readonly Certificate[] | undefined): Html | '' {
  if (!certs || certs.length === 0) return '';
  return html`<ul class="chips" aria-label="Chứng nhận">${certs.map(
    (c) => html`<li><span class="chip${certClass(c.scheme)}" title="${c.issuer}${c.validUntil ? ` — hiệu lực đến ${formatDate(c.validUntil)}` : ''}">${c.scheme}${c.rating ? ` ${c.rating}` : ''}</span></li>`,
  )}</ul>`;
}

function certList(certs: readonly Certificate[]): Html {
  return html`<ul class="small">${certs.map(
    (c) =>
      html`<li><strong>Chứng nhận ${c.scheme}${c.rating ? ` ${c.rating}` : ''}</strong> — số ${c.id}, cấp bởi ${c.issuer}${c.validFrom || c.validUntil ? html`, hiệu lực ${c.validFrom ? `từ ${formatDate(c.validFrom)} ` : ''}${c.validUntil ? `đến ${formatDate(c.validUntil)}` : ''}` : ''}</li>`,
  )}</ul>`;
}

function actorLine(o: Organisation | null): Html {
  if (!o) return html`<span class="muted">Không rõ đơn vị</span>`;
  return html`<span data-field="actor" data-org="${o.code}">${o.name}</span> <span class="muted small">(${orgKindLabel(o.kind)})</span>`;
}

function glnOf(e: JourneyEvent): string | null {
  if (!e.place) return null;
  return e.place.gln ?? /\/414\/(\d{13})/.exec(e.place.id)?.[1] ?? null;
}

function step(e: JourneyEvent, n: number): Html {
  const gln = glnOf(e);
  return html`<li id="step-${n}" data-event-id="${e.eventId}" data-leaf-index="${e.verification?.leafIndex ?? ''}">
<span class="num" aria-hidden="true">${n}</span>
<h3><span class="visually-hidden">Bước ${n}: </span><span data-field="step">${bizStepLabel(e.bizStep)}</span></h3>
<dl class="fields small">
<dt>Thời gian</dt><dd><time data-field="time" datetime="${isoInstant(e.eventTime)}">${formatDateTime(e.eventTime)}</time></dd>
<dt>Địa điểm</dt><dd>${e.place ? html`${e.place.name ?? 'Địa điểm'}${e.place.address ? html`<br><span class="muted">${e.place.address}</span>` : ''}${gln ? html`<br><span class="muted">Mã địa điểm (GLN): <span class="code" data-field="gln">${gln}</span></span>` : ''}` : html`<span class="muted">Không ghi nhận</span>`}</dd>
<dt>Đơn vị thực hiện</dt><dd>${actorLine(e.actor)}</dd>
${e.certificates.length ? html`<dt>Chứng nhận</dt><dd>${certChips(e.certificates)}</dd>` : ''}
</dl>
<p class="step-warning" hidden></p>
</li>`;
}

/** Circular 02/2024/TT-BKHCN trace code fields: product trace code, location trace code, lot, time. */
function traceCodes(lot: LotView): Html {
  const first = lot.events[0];
  const placeGln = (first && glnOf(first)) ?? lot.producer?.gln ?? null;
  const elementString = `(01)${lot.gtin}(10)${lot.lot}${lot.serial ? `(21)${lot.serial}` : ''}`;
  return html`<section class="card" aria-labelledby="codes-h">
<h2 id="codes-h" style="margin-top:0">Mã truy xuất nguồn gốc</h2>
<p class="small muted" style="margin-top:0">Theo Thông tư 02/2024/TT-BKHCN, mã GS1.</p>
<dl class="fields">
<dt>Mã truy vết sản phẩm</dt><dd><span class="code">${elementString}</span></dd>
<dt>Mã truy vết địa điểm</dt><dd>${placeGln ? html`<span class="code">${placeGln}</span> <span class="muted small">(GLN)</span>` : html`<span class="muted">Không ghi nhận</span>`}</dd>
<dt>Lô hàng</dt><dd><span class="code">${lot.lot}</span>${lot.serial ? html` · số sê-ri <span class="code">${lot.serial}</span>` : ''}</dd>
<dt>Thời gian</dt><dd>${first ? html`<time datetime="${isoInstant(first.eventTime)}">${formatDateTime(first.eventTime)}</time> <span class="muted small">(${bizStepLabel(first.bizStep).toLowerCase()})</span>` : html`<span class="muted">Không ghi nhận</span>`}</dd>
</dl></section>`;
}

/** The verification badge area: neutral until the in-browser verifier decides. */
function badge(): Html {
  return html`<section id="verify" class="badge badge-wait" role="status" aria-live="polite" aria-atomic="true">
<h2><span class="icon" aria-hidden="true">⏳</span><span id="verify-title">Đang kiểm tra dữ liệu…</span></h2>
<p id="verify-text">Trình duyệt của bạn đang tự kiểm tra chữ ký số và bằng chứng Merkle của từng bước.</p>
<noscript><p><strong>Cần bật JavaScript</strong> để trình duyệt tự kiểm tra dữ liệu. Khi chưa kiểm tra, không thể khẳng định dữ liệu không bị thay đổi.</p></noscript>
</section>`;
}

function producerCard(lot: LotView): Html | '' {
  const p = lot.producer;
  if (!p) return '';
  return html`<section class="card" aria-labelledby="producer-h">
<h2 id="producer-h" style="margin-top:0">Cơ sở sản xuất</h2>
<p style="margin:0"><strong>${p.name}</strong> <span class="muted">(${orgKindLabel(p.kind)})</span></p>
${p.address ? html`<p class="muted small" style="margin:.2rem 0 0">${p.address}</p>` : ''}
${p.certificates?.length ? certList(p.certificates) : ''}
</section>`;
}

function technical(lot: LotView, ctx: PageContext, cfg: VerifierConfig): Html {
  return html`<details class="card small"><summary><strong>Chi tiết kỹ thuật về việc kiểm chứng</strong></summary>
<p>Mỗi bước là một sự kiện GS1 EPCIS 2.0, được đơn vị thực hiện ký số và ghi vào sổ cái chỉ-ghi-thêm (cây Merkle RFC 9162).
Sổ cái ký điểm kiểm tra (checkpoint) bằng khóa của mình; các bên chứng kiến độc lập đồng ký sau khi kiểm tra rằng lịch sử không bị viết lại.
Trang này mang sẵn (ghim) khóa công khai của sổ cái và của bên chứng kiến, nên máy chủ không thể tự đổi khóa.</p>
<dl class="fields">
<dt>Sổ cái (origin)</dt><dd class="code">${ctx.pins.origin}</dd>
<dt>Khóa sổ cái (ghim)</dt><dd class="code">${ctx.pins.logKey}</dd>
<dt>Bên chứng kiến (ghim)</dt><dd>${ctx.pins.witnesses.length ? ctx.pins.witnesses.map((w) => html`<span class="code">${w.key}</span><br>`) : html`<span class="muted">Chưa cấu hình</span>`}</dd>
<dt>Số chữ ký đồng xác nhận cần có</dt><dd>${ctx.pins.quorum}</dd>
<dt>Kích thước sổ cái</dt><dd>${lot.log.treeSize} sự kiện</dd>
<dt>Dữ liệu kiểm chứng</dt><dd><a href="${cfg.lotApi}">${cfg.lotApi}</a></dd>
</dl>
<ul id="verify-checks" class="small"></ul>
</details>`;
}

/** The consumer page HTML of a lot. */
export function consumerPage(lot: LotView, ctx: PageContext): string {
  const name = lot.product?.name ?? `Sản phẩm ${lot.gtin}`;
  const dl = lotPath(lot.gtin, lot.lot, lot.serial);
  const cfg: VerifierConfig = {
    lotApi: `/trace/api/lots/${lot.gtin}/${encodeURIComponent(lot.lot)}${lot.serial ? `?serial=${encodeURIComponent(lot.serial)}` : ''}`,
    captureApi: '/trace/api/captures/',
    pins: ctx.pins,
  };
  const points: MapPoint[] = [];
  lot.events.forEach((e, i) => {
    if (e.place && typeof e.place.lat === 'number' && typeof e.place.lon === 'number') points.push({ n: i + 1, lat: e.place.lat, lon: e.place.lon, label: e.place.name ?? bizStepLabel(e.bizStep) });
  });
  const map = journeyMapSvg(points, `Bản đồ hành trình của lô ${lot.lot} tại Cần Thơ`);
  const body = html`
<p class="muted small" style="margin:.4rem 0 0">Truy xuất nguồn gốc</p>
<h1>${name}</h1>
<p class="muted" style="margin:.2rem 0">Lô <span class="code">${lot.lot}</span> · GTIN <span class="code">${lot.gtin}</span></p>
${lot.product?.description ? html`<p>${lot.product.description}</p>` : ''}
${badge()}
${traceCodes(lot)}
${producerCard(lot)}
<section aria-labelledby="journey-h">
<h2 id="journey-h">Hành trình sản phẩm</h2>
${map ? raw(map) : ''}
${lot.events.length === 0 ? html`<p class="muted">Chưa có sự kiện nào được ghi nhận cho lô này.</p>` : ''}
<ol class="journey" aria-label="Các bước của hành trình">${lot.events.map((e, i) => step(e, i + 1))}</ol>
</section>
${technical(lot, ctx, cfg)}
<p class="no-print"><a class="btn" href="${dl}/label">In tem QR</a><a class="btn" href="${dl}/qr.svg">Mã QR (SVG)</a><a class="btn" href="${dl}?linkType=all">Liên kết (linkset)</a></p>`;
  const head = html`<script type="application/json" id="trace-config">${jsonScript(cfg)}</script>
<script type="module" src="${ctx.script.src}" integrity="${ctx.script.integrity}"></script>`;
  return pageShell({ title: `${name} — lô ${lot.lot} — Truy xuất nguồn gốc`, body, head, base: ctx.base });
}
