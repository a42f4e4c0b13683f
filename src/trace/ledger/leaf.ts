/**
 * The bytes of one log leaf (docs/api/trace.md §4.1): a small canonical text that commits to the
 * stored event (its ID, CBV 2.0 §8.9 Event Hash ID, the SHA-256 of its exact JSON text and its
 * recordTime) and to the organisation's signed capture it came from. Its RFC 9162 leaf hash is
 * SHA-256(0x00 ‖ these bytes); the same bytes are the C2SP tlog-tiles log entries.
 *
 * Why text, fixed order, one `name value` per line: a browser can rebuild it with string
 * concatenation and compare it field by field with what it shows; no JSON canonicalisation needed.
 */

/** First line of every leaf. */
export const LEAF_VERSION = 'cantho-trace-leaf/v1';

/** The fields of a leaf, in their order. */
export interface LeafFields {
  readonly eventId: string;
  readonly eventHash: string;
  /** `sha-256:<hex>` of the stored event JSON text. */
  readonly eventJson: string;
  /** UTC `YYYY-MM-DDThh:mm:ss.sssZ`. */
  readonly recordTime: string;
  readonly org: string;
  readonly keyId: string;
  readonly captureId: string;
  /** `sha-256:<hex>` of the capture request body. */
  readonly captureDigest: string;
  readonly captureIndex: number;
  /** Standard base64 of the 64-byte Ed25519 signature. */
  readonly signature: string;
}

const NAMES = ['event-id', 'event-hash', 'event-json', 'record-time', 'org', 'key', 'capture', 'capture-digest', 'capture-index', 'signature'] as const;

/** Largest leaf accepted when parsing (entries bundle length prefixes are uint16 anyway). */
export const MAX_LEAF_BYTES = 4096;

function values(f: LeafFields): string[] {
  return [f.eventId, f.eventHash, f.eventJson, f.recordTime, f.org, f.keyId, f.captureId, f.captureDigest, String(f.captureIndex), f.signature];
}

// Whitespace (incl. Unicode spaces) and C0/C1 control characters: the values must not be able to
// start a new line or field of the leaf text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const LEAF_BAD = /[\s\x00-\x1f\x7f-\x9f]/;

/** True when `v` can be a leaf value: non-empty, no whitespace or control characters, bounded. */
export function isLeafValue(v: string): boolean {
  return v.length > 0 && v.length <= 1024 && !LEAF_BAD.test(v);
}

/** The leaf text; throws when a value could break the line format (callers validate first). */
export function formatLeaf(f: LeafFields): string {
  const vals = values(f);
  let out = `${LEAF_VERSION}\n`;
  for (let i = 0; i < NAMES.length; i++) {
    const v = vals[i]!;
    if (!isLeafValue(v)) throw new Error(`leaf field ${NAMES[i]} is not a single token`);
    out += `${NAMES[i]} ${v}\n`;
  }
  return out;
}

/** The per-capture fields of a leaf (the same for every event of one capture). */
export type LeafCaptureFields = Omit<LeafFields, 'eventId' | 'eventHash' | 'eventJson' | 'captureIndex'>;

/**
 * {@link formatLeaf} for the events of one capture: the capture's fields are checked and laid out
 * once, so each event only adds its own four values. Returns the same text as formatLeaf.
 */
export function leafFormatter(c: LeafCaptureFields): (eventId: string, eventHash: string, eventJson: string, captureIndex: number) => string {
  const middle: string[] = [c.recordTime, c.org, c.keyId, c.captureId, c.captureDigest];
  for (let i = 0; i < middle.length; i++) {
    if (!isLeafValue(middle[i]!)) throw new Error(`leaf field ${NAMES[i + 3]} is not a single token`);
  }
  if (!isLeafValue(c.signature)) throw new Error('leaf field signature is not a single token');
  const mid = `\n${NAMES[3]} ${c.recordTime}\n${NAMES[4]} ${c.org}\n${NAMES[5]} ${c.keyId}\n${NAMES[6]} ${c.captureId}\n${NAMES[7]} ${c.captureDigest}\n${NAMES[8]} `;
  const tail = `\n${NAMES[9]} ${c.signature}\n`;
  return (eventId, eventHash, eventJson, captureIndex) => {
    if (!isLeafValue(eventId)) throw new Error(`leaf field ${NAMES[0]} is not a single token`);
    if (!isLeafValue(eventHash)) throw new Error(`leaf field ${NAMES[1]} is not a single token`);
    if (!isLeafValue(eventJson)) throw new Error(`leaf field ${NAMES[2]} is not a single token`);
    return `${LEAF_VERSION}\n${NAMES[0]} ${eventId}\n${NAMES[1]} ${eventHash}\n${NAMES[2]} ${eventJson}${mid}${captureIndex}${tail}`;
  };
}

/** Parses leaf text strictly (exact line names and order, canonical index), or returns null. */
export function parseLeaf(text: string): LeafFields | null {
  if (text.length > MAX_LEAF_BYTES || !text.endsWith('\n')) return null;
  const lines = text.slice(0, -1).split('\n');
  if (lines.length !== NAMES.length + 1 || lines[0] !== LEAF_VERSION) return null;
  const v: string[] = [];
  for (let i = 0; i < NAMES.length; i++) {
    const line = lines[i + 1]!;
    const prefix = `${NAMES[i]} `;
    if (!line.startsWith(prefix)) return null;
    const value = line.slice(prefix.length);
    if (!isLeafValue(value)) return null;
    v.push(value);
  }
  if (!/^(0|[1-9][0-9]{0,8})$/.test(v[8]!)) return null;
  const f: LeafFields = {
    eventId: v[0]!,
    eventHash: v[1]!,
    eventJson: v[2]!,
    recordTime: v[3]!,
    org: v[4]!,
    keyId: v[5]!,
    captureId: v[6]!,
    captureDigest: v[7]!,
    captureIndex: Number(v[8]),
    signature: v[9]!,
  };
  return formatLeaf(f) === text ? f : null;
}
