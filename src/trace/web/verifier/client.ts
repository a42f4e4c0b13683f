import { canonicalGs1Uri } from '../../epcis/digital-link.ts';
import type { LotView } from '../lot-types.ts';
import { bizStepLabel } from '../step-labels.ts';
import { formatDateTime } from '../vn-format.ts';
import { CHECK_LABELS } from './check-labels.ts';
import { type LotVerification, verifyLot } from './verify-lot.ts';
import type { VerifierConfig } from '../consumer-page.ts';

/**
 * Browser entry of the consumer page's verifier (bundled by esbuild into /trace/assets/verify.js).
 * Reads the pinned keys embedded in the page, fetches the lot's proof data and the signed capture
 * documents from the API, runs every check (verify-lot.ts), checks that the steps the page shows
 * are the verified ones, and only then shows "đã xác minh". Any failure shows a warning naming
 * the failed checks and marks the steps concerned.
 */

type Outcome = { ok: true; result: LotVerification } | { ok: false; failed: { key: keyof typeof CHECK_LABELS; detail: string }[]; result?: LotVerification; pending?: boolean };

const $ = (id: string): HTMLElement | null => document.getElementById(id);

async function fetchJson(url: string): Promise<unknown> {
  const r = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

function glnIn(id: string | null): string | null {
  if (!id) return null;
  return /\/414\/(\d{13})/.exec(canonicalGs1Uri(id) ?? id)?.[1] ?? null;
}

/** Checks that the page's steps are exactly the verified events, in order, with their fields. */
function pageMismatches(lot: LotView): string[] {
  const items = Array.from(document.querySelectorAll<HTMLElement>('ol.journey > li[data-event-id]'));
  const out: string[] = [];
  if (items.length !== lot.events.length) out.push(`the page shows ${items.length} steps, the log has ${lot.events.length}`);
  items.forEach((li, i) => {
    const e = lot.events[i];
    if (!e || li.dataset.eventId !== e.eventId) {
      out.push(`step ${i + 1} is not the verified event`);
      li.classList.add('step-bad');
      return;
    }
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(e.verification.eventJson) as Record<string, unknown>;
    } catch {
      return; // reported by the event-data check
    }
    const text = (f: string) => li.querySelector<HTMLElement>(`[data-field="${f}"]`)?.textContent?.trim() ?? null;
    const place = (ev.bizLocation as { id?: string } | undefined)?.id ?? (ev.readPoint as { id?: string } | undefined)?.id ?? null;
    const problems: string[] = [];
    if (text('time') !== formatDateTime(String(ev.eventTime))) problems.push('time');
    if (text('step') !== bizStepLabel(typeof ev.bizStep === 'string' ? ev.bizStep : null)) problems.push('step');
    const gln = text('gln');
    if (gln !== null && gln !== glnIn(place)) problems.push('place');
    const org = li.querySelector<HTMLElement>('[data-field="actor"]')?.dataset.org;
    const leafOrg = /\norg (\S+)\n/.exec(e.verification.leaf)?.[1];
    if (org !== undefined && org !== leafOrg) problems.push('actor');
    if (problems.length) {
      out.push(`step ${i + 1}: shown ${problems.join(', ')} differ from the verified event`);
      li.classList.add('step-bad');
    }
  });
  return out;
}

async function run(cfg: VerifierConfig): Promise<Outcome> {
  let lot: LotView;
  const bodies = new Map<string, string>();
  try {
    lot = (await fetchJson(cfg.lotApi)) as LotView;
    const ids = new Set((lot.events ?? []).map((e) => e?.verification?.capture?.captureID).filter((x): x is string => typeof x === 'string'));
    await Promise.all(
      [...ids].map(async (id) => {
        try {
          const c = (await fetchJson(cfg.captureApi + encodeURIComponent(id))) as { body?: unknown };
          if (typeof c.body === 'string') bodies.set(id, c.body);
        } catch {
          /* missing body: the org-signature check fails and says so */
        }
      }),
    );
  } catch (e) {
    return { ok: false, failed: [{ key: 'fetch', detail: e instanceof Error ? e.message : String(e) }] };
  }
  const result = await verifyLot(lot, cfg.pins, bodies);
  const failed: { key: keyof typeof CHECK_LABELS; detail: string }[] = result.checks.filter((c) => !c.ok).map((c) => ({ key: c.id, detail: c.detail }));
  const page = pageMismatches(lot);
  if (page.length) failed.push({ key: 'page', detail: page.join('; ') });
  for (const ev of result.events) {
    const li = document.querySelector<HTMLElement>(`ol.journey > li[data-event-id="${CSS.escape(ev.eventId)}"]`);
    if (!li) continue;
    if (!ev.ok) {
      li.classList.add('step-bad');
      const w = li.querySelector<HTMLElement>('.step-warning');
      if (w) {
        w.hidden = false;
        w.textContent = `⚠ Bước này không kiểm tra được: ${[...new Set(ev.failures.map((f) => CHECK_LABELS[f.id].bad))].join('; ')}.`;
      }
    }
  }
  if (failed.length === 0) return { ok: true, result };
  return { ok: false, failed, result, pending: result.pending && failed.every((f) => f.key === 'inclusion') };
}

function show(o: Outcome): void {
  const box = $('verify');
  const title = $('verify-title');
  const text = $('verify-text');
  if (!box || !title || !text) return;
  const icon = box.querySelector('.icon');
  const checks = $('verify-checks');
  if (o.ok) {
    const n = o.result.events.length;
    const w = o.result.witnesses.filter((x) => x.ok).length;
    box.className = 'badge badge-ok';
    box.dataset.state = 'verified';
    if (icon) icon.textContent = '✓';
    title.textContent = 'Đã xác minh — dữ liệu không bị thay đổi';
    text.textContent = `Trình duyệt của bạn đã tự kiểm tra ${n} bước: chữ ký số của từng đơn vị, bằng chứng Merkle trong sổ cái, chữ ký của sổ cái và đồng ký của ${w} bên chứng kiến độc lập.`;
    for (const li of Array.from(document.querySelectorAll('ol.journey > li[data-event-id]'))) li.classList.add('step-ok');
    if (checks) checks.replaceChildren(...o.result.checks.map((c) => Object.assign(document.createElement('li'), { textContent: `✓ ${CHECK_LABELS[c.id].ok}` })));
    return;
  }
  box.className = o.pending ? 'badge badge-wait' : 'badge badge-bad';
  box.dataset.state = o.pending ? 'pending' : 'failed';
  if (icon) icon.textContent = o.pending ? '⏳' : '⚠';
  title.textContent = o.pending ? 'Chưa xác minh được — dữ liệu vừa được ghi, đang chờ sổ cái ký' : 'Không xác minh được — dữ liệu có thể đã bị thay đổi';
  const list = document.createElement('ul');
  for (const f of o.failed) list.append(Object.assign(document.createElement('li'), { textContent: CHECK_LABELS[f.key].bad }));
  const details = document.createElement('details');
  details.append(Object.assign(document.createElement('summary'), { textContent: 'Chi tiết kỹ thuật' }));
  const pre = document.createElement('ul');
  for (const f of o.failed) pre.append(Object.assign(document.createElement('li'), { textContent: `${f.key}: ${f.detail}` }));
  details.append(pre);
  text.replaceChildren(document.createTextNode(o.pending ? 'Vui lòng thử lại sau ít giây.' : 'Kiểm tra không đạt:'), list, details);
  if (checks && o.result) checks.replaceChildren(...o.result.checks.map((c) => Object.assign(document.createElement('li'), { textContent: `${c.ok ? '✓' : '✗'} ${c.ok ? CHECK_LABELS[c.id].ok : CHECK_LABELS[c.id].bad}` })));
}

async function main(): Promise<void> {
  const el = document.getElementById('trace-config');
  if (!el?.textContent) return;
  let cfg: VerifierConfig;
  try {
    cfg = JSON.parse(el.textContent) as VerifierConfig;
  } catch {
    show({ ok: false, failed: [{ key: 'pins', detail: 'the page configuration is not JSON' }] });
    return;
  }
  let outcome: Outcome;
  for (let attempt = 0; ; attempt++) {
    try {
      outcome = await run(cfg);
    } catch (e) {
      outcome = { ok: false, failed: [{ key: 'fetch', detail: e instanceof Error ? e.message : String(e) }] };
    }
    if (outcome.ok || !outcome.pending || attempt >= 4) break;
    show(outcome);
    await new Promise((r) => setTimeout(r, 1500));
  }
  show(outcome);
}

void main();
