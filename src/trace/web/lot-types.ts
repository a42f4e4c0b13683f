/**
 * The consumer API's lot view (`GET /trace/api/lots/{gtin}/{lot}`, docs/api/trace.md §5), as the
 * page and the in-browser verifier read it. Everything here comes from the server being checked:
 * only what the verifier recomputes from `verification` is trusted.
 */

export interface Certificate {
  readonly scheme: string;
  readonly id: string;
  readonly issuer: string;
  readonly validFrom?: string | null;
  readonly validUntil?: string | null;
  readonly url?: string | null;
  readonly rating?: string | number | null;
}

export interface Organisation {
  readonly code: string;
  readonly name: string;
  readonly kind: string;
  readonly gln?: string | null;
  readonly address?: string | null;
  readonly lat?: number | null;
  readonly lon?: number | null;
  readonly certificates?: readonly Certificate[];
}

export interface Place {
  readonly gln?: string | null;
  readonly id: string;
  readonly name?: string | null;
  readonly address?: string | null;
  readonly lat?: number | null;
  readonly lon?: number | null;
}

export interface CaptureProof {
  readonly captureID: string;
  readonly org: string;
  readonly keyId: string;
  readonly publicKey: string;
  readonly digest: string;
  readonly signature: string;
  readonly signatureBase: string;
  readonly custodial: boolean;
}

export interface EventVerification {
  /** The stored event JSON text, byte for byte. */
  readonly eventJson: string;
  readonly leafIndex: number;
  /** The leaf bytes (docs/api/trace.md §4.1) as text. */
  readonly leaf: string;
  readonly capture: CaptureProof;
  /** Inclusion proof against `log.checkpoint`; null when the event is newer than every checkpoint. */
  readonly inclusion: { readonly treeSize: number; readonly hashes: readonly string[] } | null;
}

export interface JourneyEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly action?: string | null;
  readonly bizStep?: string | null;
  readonly disposition?: string | null;
  readonly eventTime: string;
  readonly eventTimeZoneOffset?: string | null;
  readonly recordTime?: string | null;
  readonly place: Place | null;
  readonly actor: Organisation | null;
  readonly certificates: readonly Certificate[];
  readonly lot?: { readonly gtin: string; readonly lot: string } | null;
  readonly event: Record<string, unknown>;
  readonly verification: EventVerification;
}

export interface Product {
  readonly gtin: string;
  readonly name: string;
  readonly nameEn?: string | null;
  readonly description?: string | null;
  readonly category?: string | null;
  readonly imageUrl?: string | null;
  readonly ownerOrg?: string | null;
}

export interface TrustPins {
  readonly origin: string;
  readonly logKey: string;
  readonly witnesses: readonly { readonly name: string; readonly key: string }[];
  readonly quorum: number;
}

export interface LotView {
  readonly digitalLink: string;
  readonly gtin: string;
  readonly lot: string;
  readonly serial: string | null;
  readonly product: Product | null;
  readonly producer: Organisation | null;
  readonly lotData?: { readonly ilmd?: Record<string, unknown> | null } | null;
  readonly events: readonly JourneyEvent[];
  readonly log: { readonly origin: string; readonly treeSize: number; readonly witnessed: boolean; readonly checkpoint: string };
  readonly trust?: TrustPins;
}
