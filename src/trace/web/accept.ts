/**
 * HTTP content negotiation (RFC 9110 §12.5.1) for the resolver: picks the best of the offered
 * media types by q-value, then by specificity, then by the order of the offers (HTML first, so a
 * browser's `*∕*` gets the page).
 */

interface Range {
  type: string;
  sub: string;
  q: number;
}

function parse(header: string): Range[] {
  const out: Range[] = [];
  for (const part of header.split(',').slice(0, 32)) {
    const [mt, ...params] = part.trim().split(';');
    const m = /^([a-z0-9!#$&^_.+-]+|\*)\/([a-z0-9!#$&^_.+-]+|\*)$/i.exec(mt?.trim() ?? '');
    if (!m) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k?.toLowerCase() === 'q') q = Math.min(1, Math.max(0, Number(v) || 0));
    }
    out.push({ type: m[1]!.toLowerCase(), sub: m[2]!.toLowerCase(), q });
  }
  return out;
}

/** The offer the client prefers, or null if it accepts none (no header → the first offer). */
export function negotiate<T extends string>(acceptHeader: string | undefined, offers: readonly T[]): T | null {
  if (!acceptHeader || acceptHeader.trim() === '') return offers[0] ?? null;
  const ranges = parse(acceptHeader);
  let best: { offer: T; q: number; spec: number; order: number } | null = null;
  offers.forEach((offer, order) => {
    const [type, sub] = offer.toLowerCase().split('/') as [string, string];
    let q = -1;
    let spec = -1;
    for (const r of ranges) {
      const s = r.type === type && r.sub === sub ? 2 : r.type === type && r.sub === '*' ? 1 : r.type === '*' && r.sub === '*' ? 0 : -1;
      if (s > spec) {
        spec = s;
        q = r.q;
      }
    }
    if (spec < 0 || q <= 0) return;
    if (!best || q > best.q || (q === best.q && spec > best.spec)) best = { offer, q, spec, order };
  });
  return (best as { offer: T } | null)?.offer ?? null;
}
