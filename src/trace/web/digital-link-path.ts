import { AI_SPECS, type AiSpec, aiValueProblem, SHORT_NAMES } from './gs1-ai.ts';

/**
 * Parses the path of a GS1 Digital Link URI served by this resolver (GS1 Digital Link 1.2 §4):
 * `/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]` or `/01/{gtin}/235/{tpx}`, qualifiers in the
 * order the syntax dictionary's `dlpkey=22,10,21|235` gives, optionally followed by one resolver
 * action (`qr.svg`, `qr.png`, `label`). GTIN-8/12/13 are zero-padded to GTIN-14 (§4.11).
 *
 * Input is attacker-controlled: every segment is percent-decoded strictly and checked against its
 * AI's dictionary format (including the GTIN check digit) before anything is looked up.
 */

export type ResolverAction = 'page' | 'qr.svg' | 'qr.png' | 'label';

export interface DigitalLinkKey {
  readonly gtin: string;
  readonly cpv?: string;
  readonly lot?: string;
  readonly serial?: string;
  readonly tpx?: string;
  readonly action: ResolverAction;
  /** Data attributes from the query string (AI → value), e.g. 17 (expiry). */
  readonly attributes: ReadonlyMap<string, string>;
}

/** A problem with the URI, in Vietnamese, for the 400 page; `ai` names the offending element. */
export interface DigitalLinkProblem {
  readonly message: string;
  readonly ai?: string;
}

export type ParseResult = { readonly ok: true; readonly key: DigitalLinkKey } | { readonly ok: false; readonly problem: DigitalLinkProblem };

const ACTIONS = new Set<ResolverAction>(['qr.svg', 'qr.png', 'label']);
/** Non-AI query parameters the resolver understands (GS1 DL 1.2 §6 linkType, and our format). */
const RESOLVER_PARAMS = new Set(['linkType', 'format', 'context', 'lang']);

function decode(seg: string): string | null {
  try {
    return decodeURIComponent(seg);
  } catch {
    return null;
  }
}

const fail = (message: string, ai?: string): ParseResult => ({ ok: false, problem: ai ? { message, ai } : { message } });

function checkValue(spec: AiSpec, raw: string): string | DigitalLinkProblem {
  const v = decode(raw);
  if (v === null) return { message: `${spec.title}: mã hóa phần trăm (%) không hợp lệ`, ai: spec.ai };
  const why = aiValueProblem(spec, v);
  return why ? { message: `${spec.title}: ${why}`, ai: spec.ai } : v;
}

/**
 * Parses `/01/...` (the path after the host, without query) and the query parameters. Returns the
 * key or a Vietnamese description of the first problem.
 */
export function parseDigitalLinkPath(path: string, query: Readonly<Record<string, unknown>> = {}): ParseResult {
  const segs = path.split('/').slice(1);
  if (segs.length > 1 && segs[segs.length - 1] === '') segs.pop();
  let action: ResolverAction = 'page';
  if (segs.length % 2 === 1 && ACTIONS.has(segs[segs.length - 1] as ResolverAction)) action = segs.pop() as ResolverAction;
  if (segs.length < 2 || segs.length % 2 !== 0) return fail('Đường dẫn phải gồm các cặp mã AI / giá trị, bắt đầu bằng /01/{GTIN}.');
  const ai = (s: string) => SHORT_NAMES.get(s) ?? s;
  if (ai(segs[0]!) !== '01') return fail('Khóa chính phải là mã sản phẩm GTIN (01).');

  const gtinSpec = AI_SPECS.get('01')!;
  const rawGtin = decode(segs[1]!);
  if (rawGtin === null || !/^[0-9]+$/.test(rawGtin) || ![8, 12, 13, 14].includes(rawGtin.length)) {
    return fail('Mã GTIN (01) phải gồm 8, 12, 13 hoặc 14 chữ số.', '01');
  }
  const gtin = checkValue(gtinSpec, rawGtin.padStart(14, '0'));
  if (typeof gtin !== 'string') return { ok: false, problem: gtin };

  // dlpkey=22,10,21|235: one of the alternative ordered sequences.
  const sequences = gtinSpec.dlpkey!.split('|').map((alt) => alt.split(','));
  const quals: [string, string][] = [];
  for (let i = 2; i < segs.length; i += 2) quals.push([ai(segs[i]!), segs[i + 1]!]);
  const fits = sequences.find((seq) => {
    let last = -1;
    for (const [q] of quals) {
      const at = seq.indexOf(q);
      if (at <= last) return false;
      last = at;
    }
    return true;
  });
  if (!fits) {
    const names = quals.map(([q]) => q).join(', ');
    return fail(`Các mã định danh bổ sung (${names}) không hợp lệ hoặc sai thứ tự: GTIN (01) chỉ nhận 22 → 10 → 21, hoặc 235.`);
  }
  const out: { -readonly [K in keyof DigitalLinkKey]?: DigitalLinkKey[K] } = { gtin, action };
  const field: Record<string, 'cpv' | 'lot' | 'serial' | 'tpx'> = { '22': 'cpv', '10': 'lot', '21': 'serial', '235': 'tpx' };
  for (const [q, raw] of quals) {
    const v = checkValue(AI_SPECS.get(q)!, raw);
    if (typeof v !== 'string') return { ok: false, problem: v };
    out[field[q]!] = v;
  }

  const attributes = new Map<string, string>();
  for (const [k, raw] of Object.entries(query)) {
    if (RESOLVER_PARAMS.has(k)) continue;
    if (!/^[0-9]{2,4}$/.test(k)) continue; // other parameters are ignored, as GS1 DL §6 allows
    const spec = AI_SPECS.get(k);
    if (!spec?.flags.includes('?')) return fail(`Mã AI (${k}) không được dùng làm thuộc tính dữ liệu trong GS1 Digital Link.`, k);
    if (typeof raw !== 'string') return fail(`${spec.title}: chỉ được ghi một lần`, k);
    const why = aiValueProblem(spec, raw);
    if (why) return fail(`${spec.title}: ${why}`, k);
    attributes.set(k, raw);
  }
  out.attributes = attributes;
  return { ok: true, key: out as DigitalLinkKey };
}

/** Percent-encodes a value for a Digital Link path segment (GS1 DL 1.2 §4.8: RFC 3986 unreserved kept). */
export function encodeDlValue(v: string): string {
  return encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path of a lot's Digital Link: `/01/{gtin14}/10/{lot}[/21/{serial}]`. */
export function lotPath(gtin: string, lot: string, serial?: string | null): string {
  return `/01/${gtin}/10/${encodeDlValue(lot)}${serial ? `/21/${encodeDlValue(serial)}` : ''}`;
}
