/** Kinds of supply-chain organisation (the design's actors plus the authority that witnesses the log). */
export const ORG_KINDS = ['farm', 'cooperative', 'processor', 'logistics', 'retailer', 'authority'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** A certificate an organisation holds (VietGAP, GlobalGAP, OCOP, ASC, …), shown on the consumer page. */
export interface Certificate {
  readonly scheme: string;
  readonly id: string;
  readonly issuer: string;
  readonly validFrom?: string;
  readonly validUntil?: string;
  readonly url?: string;
  /** e.g. OCOP stars ("4 sao"). */
  readonly rating?: string;
}

/** One signing key of an organisation as published (never the private part). */
export interface OrgKey {
  readonly keyId: string;
  /** Raw 32-byte Ed25519 public key, standard base64. */
  readonly publicKey: string;
  /** True when the server holds the (sealed) private key and signs for the organisation. */
  readonly custodial: boolean;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** An organisation as the API shows it. */
export interface Org {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly kind: OrgKind;
  readonly gln: string | null;
  readonly address: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly certificates: readonly Certificate[];
  readonly keys: readonly OrgKey[];
}

/** What creating an organisation takes. */
export interface OrgInput {
  readonly code: string;
  readonly name: string;
  readonly kind: OrgKind;
  readonly gln?: string | null;
  readonly address?: string | null;
  readonly lat?: number | null;
  readonly lon?: number | null;
  readonly certificates?: readonly Certificate[];
}

/** Product master data for a GTIN. */
export interface Product {
  readonly gtin: string;
  readonly name: string;
  readonly nameEn: string | null;
  readonly description: string | null;
  readonly category: string | null;
  readonly imageUrl: string | null;
  readonly ownerOrg: string | null;
}

/** Location master data for a GLN (readPoint / bizLocation). */
export interface Location {
  readonly gln: string;
  readonly name: string;
  readonly address: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly org: string | null;
}
