/**
 * Simple (one code point to one code point) Unicode case mapping, the mapping libc's
 * towlower/towupper apply and so PostgreSQL's lower()/upper() under a UTF-8 locale. Characters
 * whose full mapping would change the length (ß → SS, İ → i̇) are left as they are, so both
 * databases and the reference evaluator agree.
 */
function mapEach(s: string, f: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const m = f(c);
    out += [...m].length === 1 ? m : c;
  }
  return out;
}

export function simpleLower(s: string): string {
  return mapEach(s, (c) => c.toLowerCase());
}

export function simpleUpper(s: string): string {
  return mapEach(s, (c) => c.toUpperCase());
}
