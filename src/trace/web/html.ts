/**
 * Minimal safe HTML building for the server-rendered pages: every interpolated value is escaped
 * unless it is an {@link Html} value produced by this module. Outside data (product names, lot
 * numbers, event fields) is attacker-controlled; escaping by default is what keeps it inert.
 */

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function render(v: Part): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return esc(v);
}

/** Tagged template: `html\`<p>${name}</p>\`` escapes `name`; nested `html` values and arrays are kept. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup (only for strings this program built, e.g. the SVG map). */
export function raw(s: string): Html {
  return new Html(s);
}

/** JSON for a `<script type="application/json">` block: `<`, `>`, `&` and U+2028/9 escaped. */
export function jsonScript(value: unknown): Html {
  return new Html(
    JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029'),
  );
}
