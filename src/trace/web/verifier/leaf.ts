/**
 * The log leaf of one traceability event (docs/api/trace.md §4.1, `cantho-trace-leaf/v1`): fixed
 * field order, one `name value` per line, every line ending in LF. Parsed strictly so that the
 * verifier reads exactly what was hashed into the tree.
 */

export const LEAF_HEADER = 'cantho-trace-leaf/v1';

export const LEAF_FIELDS = [
  'event-id',
  'event-hash',
  'event-json',
  'record-time',
  'org',
  'key',
  'capture',
  'capture-digest',
  'capture-index',
  'signature',
] as const;

export type LeafField = (typeof LEAF_FIELDS)[number];
export type Leaf = Readonly<Record<LeafField, string>>;

/** Parses leaf text; throws an Error naming the first problem. */
export function parseLeaf(text: string): Leaf {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new Error('leaf must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== LEAF_HEADER) throw new Error(`leaf must start with ${LEAF_HEADER}`);
  if (lines.length !== LEAF_FIELDS.length + 1) throw new Error(`leaf must have ${LEAF_FIELDS.length} fields`);
  const out: Partial<Record<LeafField, string>> = {};
  LEAF_FIELDS.forEach((name, i) => {
    const line = lines[i + 1]!;
    if (!line.startsWith(`${name} `) || line.length === name.length + 1) throw new Error(`leaf line ${i + 2} must be "${name} <value>"`);
    const value = line.slice(name.length + 1);
    // Values are single tokens (no spaces or control characters), as the backend writes them.
    if (value.length > 1024 || /[\s\p{Cc}]/u.test(value)) throw new Error(`leaf field ${name} is not a single token`);
    out[name] = value;
  });
  if (!/^(0|[1-9][0-9]{0,8})$/.test(out['capture-index']!)) throw new Error('leaf capture-index is not a canonical number');
  return out as Leaf;
}

/** The organisation's signature base of a capture (docs/api/trace.md §1). */
export function captureSignatureBase(keyId: string, digest: string): string {
  return `cantho-capture/v1\nkey ${keyId}\ndigest ${digest}\n`;
}
