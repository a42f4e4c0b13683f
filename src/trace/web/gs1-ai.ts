/**
 * The few GS1 Application Identifiers the Digital Link resolver accepts, with their format exactly
 * as the GS1 Barcode Syntax Dictionary writes it (gs1-ai.test.ts checks each entry against the
 * dictionary file), and a small interpreter for those format strings.
 *
 * Why a copy and not the whole dictionary: the resolver only serves GTIN-keyed product pages
 * (01 with qualifiers 22/10/21 or 235, and a handful of data attributes); the dictionary file is
 * test material outside the project.
 */

export interface AiSpec {
  readonly ai: string;
  /** The dictionary's flags column: `*` fixed length, `?` allowed as a Digital Link data attribute. */
  readonly flags: string;
  /** The dictionary's specification column, e.g. `N14,csum,gcppos2` or `X..20`. */
  readonly spec: string;
  /** The dictionary's `dlpkey=` attribute (primary keys only). */
  readonly dlpkey?: string;
  /** Vietnamese title for messages. */
  readonly title: string;
}

export const AI_SPECS: ReadonlyMap<string, AiSpec> = new Map(
  [
    { ai: '01', flags: '*?', spec: 'N14,csum,gcppos2', dlpkey: '22,10,21|235', title: 'mã sản phẩm GTIN (01)' },
    { ai: '10', flags: '?', spec: 'X..20', title: 'số lô (10)' },
    { ai: '21', flags: '', spec: 'X..20', title: 'số sê-ri (21)' },
    { ai: '22', flags: '', spec: 'X..20', title: 'phiên bản sản phẩm CPV (22)' },
    { ai: '235', flags: '', spec: 'X..28', title: 'số sê-ri bên thứ ba TPX (235)' },
    { ai: '11', flags: '*?', spec: 'N6,yymmd0', title: 'ngày sản xuất (11)' },
    { ai: '13', flags: '*?', spec: 'N6,yymmd0', title: 'ngày đóng gói (13)' },
    { ai: '15', flags: '*?', spec: 'N6,yymmd0', title: 'hạn dùng tốt nhất (15)' },
    { ai: '16', flags: '*?', spec: 'N6,yymmd0', title: 'hạn bán (16)' },
    { ai: '17', flags: '*?', spec: 'N6,yymmd0', title: 'hạn sử dụng (17)' },
    { ai: '7003', flags: '?', spec: 'N6,yymmdd N4,hhmi', title: 'thời điểm hết hạn (7003)' },
    ...['0', '1', '2', '3', '4', '5'].map((d) => ({ ai: `310${d}`, flags: '*?', spec: 'N6', title: `khối lượng tịnh, kg (310${d})` })),
  ].map((s) => [s.ai, s]),
);

/** GS1 Digital Link short names (1.0) that mean the same as numeric AIs in a URI path. */
export const SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ['gtin', '01'],
  ['lot', '10'],
  ['ser', '21'],
  ['cpv', '22'],
]);

/** GS1 General Specifications §7.9.1 mod-10 check digit over the digits before it. */
export function checkDigitOk(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 2, w = 3; i >= 0; i--, w = 4 - w) sum += (digits.charCodeAt(i) - 48) * w;
  return (10 - (sum % 10)) % 10 === digits.charCodeAt(digits.length - 1) - 48;
}

// GS1 General Specifications §7.11 (Figure 7.11-1): CSET 82.
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

function linterProblem(linter: string, v: string): string | null {
  switch (linter) {
    case 'csum':
      return checkDigitOk(v) ? null : 'sai số kiểm tra (check digit)';
    case 'yymmd0':
    case 'yymmdd': {
      const mm = Number(v.slice(2, 4));
      const dd = Number(v.slice(4, 6));
      if (mm < 1 || mm > 12) return 'tháng không hợp lệ';
      if (dd === 0 && linter === 'yymmd0') return null;
      const days = new Date(Date.UTC(2000 + Number(v.slice(0, 2)), mm, 0)).getUTCDate();
      return dd >= 1 && dd <= days ? null : 'ngày không hợp lệ';
    }
    case 'hhmi':
      return Number(v.slice(0, 2)) <= 23 && Number(v.slice(2, 4)) <= 59 ? null : 'giờ không hợp lệ';
    default:
      // gcppos*: GS1 Company Prefix allocation checks need GS1's prefix table; not applied here.
      return null;
  }
}

/**
 * Why `value` does not fit the AI's dictionary format (Vietnamese, for the 400 page), or null.
 * Components are consumed left to right; each is `N`/`X` with an exact (`N14`) or variable
 * (`X..20`) length, then comma-separated linters.
 */
export function aiValueProblem(spec: AiSpec, value: string): string | null {
  let rest = value;
  const comps = spec.spec.split(' ');
  for (const [i, comp] of comps.entries()) {
    const [type, ...linters] = comp.split(',');
    const m = /^([NX])(\.\.)?(\d+)$/.exec(type!);
    if (!m) return 'định dạng không được hỗ trợ';
    const max = Number(m[3]);
    const variable = m[2] === '..';
    const take = variable ? Math.min(max, rest.length) : max;
    if (variable && i !== comps.length - 1) return 'định dạng không được hỗ trợ';
    const part = rest.slice(0, take);
    if (part.length === 0) return 'giá trị rỗng';
    if (!variable && part.length !== max) return `phải có đúng ${max} ký tự`;
    if (m[1] === 'N' && !/^[0-9]+$/.test(part)) return 'chỉ được chứa chữ số';
    if (m[1] === 'X' && !CSET82.test(part)) return 'chứa ký tự không cho phép (GS1 CSET 82)';
    for (const l of linters) {
      const p = linterProblem(l, part);
      if (p) return p;
    }
    rest = rest.slice(take);
  }
  return rest.length > 0 ? `dài quá (tối đa ${value.length - rest.length} ký tự)` : null;
}
