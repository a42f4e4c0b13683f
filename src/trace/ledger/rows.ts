/** Row shapes written by the append transaction and read back by queries, proofs and the audit. */

/** One problem in a capture job (EPCIS REST `RFC7807ProblemResponseBody`). */
export interface CaptureProblem {
  readonly type: string;
  readonly title: string;
  readonly status?: number;
  readonly detail: string;
  /** JSON Pointer of the event in the captured document. */
  readonly instance?: string;
}

/** A signed capture (one request) as stored. */
export interface CaptureRow {
  readonly id: string;
  readonly orgId: number;
  readonly keyId: string;
  readonly digest: string;
  /** Standard base64 of the Ed25519 signature. */
  readonly signature: string;
  /** The exact request body. */
  readonly body: string;
  readonly behaviour: 'rollback' | 'proceed';
  readonly success: boolean;
  readonly errors: readonly CaptureProblem[];
  readonly eventCount: number;
  readonly firstLeaf: number | null;
  readonly createdAt: number;
  readonly finishedAt: number;
  readonly apiKeyId: number | null;
}

/** One EPC (or EPC class) an event names, for MATCH_* queries (role codes: see the migration). */
export interface EpcRow {
  readonly epc: string;
  readonly role: number;
}

/** An event prepared for appending: indexed fields plus the JSON object to store. */
export interface PreparedEvent {
  readonly eventId: string;
  readonly eventHash: string;
  readonly eventType: string;
  readonly action: string | null;
  readonly eventTime: number;
  readonly bizStep: string | null;
  readonly disposition: string | null;
  readonly readPoint: string | null;
  readonly bizLocation: string | null;
  readonly captureIndex: number;
  readonly epcs: readonly EpcRow[];
  /**
   * The event's JSON text without `recordTime`; the appender adds `"recordTime":"…"` as the last
   * member (EPCIS 2.0 §7.4.1: the repository sets it), so serialising happens outside the log lock.
   */
  readonly jsonHead: string;
}

/** An event as stored (one log leaf). */
export interface EventRow {
  readonly leafIndex: number;
  readonly eventId: string;
  readonly eventHash: string;
  readonly eventType: string;
  readonly action: string | null;
  readonly eventTime: number;
  readonly recordTime: number;
  readonly bizStep: string | null;
  readonly disposition: string | null;
  readonly readPoint: string | null;
  readonly bizLocation: string | null;
  readonly captureId: string;
  readonly captureIndex: number;
  readonly orgId: number;
  readonly eventJson: string;
}

/** A published checkpoint: the log-signed note (without cosignatures) and its root. */
export interface CheckpointRow {
  readonly size: number;
  readonly root: Uint8Array;
  readonly note: string;
  readonly createdAt: number;
}

/** A witness cosignature line kept for a checkpoint size. */
export interface CosignatureRow {
  readonly size: number;
  readonly witness: string;
  /** The whole `— name base64` signature line (without the newline). */
  readonly line: string;
}
