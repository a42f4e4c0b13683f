import { encodeBase64 } from '../log/base64.ts';
import { inclusionProof } from '../log/merkle.ts';
import type { LeafRow } from '../ledger/leaf-row.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { leafTextOf } from '../ledger/proof.service.ts';
import type { OrgService } from '../orgs/org.service.ts';
import { captureSignatureBase } from '../signing/capture-signature.ts';

/** Everything a browser needs to verify one event (docs/api/trace.md §5, `verification`). */
export interface Verification {
  readonly eventJson: string;
  readonly leafIndex: number;
  readonly leaf: string;
  readonly capture: {
    readonly captureID: string;
    readonly org: string;
    readonly keyId: string;
    readonly publicKey: string | null;
    readonly keyRevoked: boolean;
    readonly custodial: boolean;
    readonly digest: string;
    readonly signature: string;
    readonly signatureBase: string;
  };
  /** RFC 9162 inclusion proof to the checkpoint of `treeSize` leaves; null if none covers the leaf yet. */
  readonly inclusion: { readonly treeSize: number; readonly hashes: readonly string[] } | null;
}

/** Builds the verification object of a leaf against the checkpoint of `treeSize` leaves (or none). */
export async function verificationOf(row: LeafRow, treeSize: number | null, store: LedgerStore, orgs: OrgService): Promise<Verification> {
  const key = await orgs.resolveKey(row.keyId);
  const covered = treeSize !== null && row.leafIndex < treeSize;
  return {
    eventJson: row.eventJson,
    leafIndex: row.leafIndex,
    leaf: leafTextOf(row),
    capture: {
      captureID: row.captureId,
      org: row.orgCode,
      keyId: row.keyId,
      publicKey: key?.publicKeyB64 ?? null,
      keyRevoked: key?.revoked ?? false,
      custodial: key?.custodial ?? false,
      digest: row.captureDigest,
      signature: row.signature,
      signatureBase: captureSignatureBase(row.keyId, row.captureDigest),
    },
    inclusion: covered ? { treeSize, hashes: (await inclusionProof(row.leafIndex, treeSize, store)).map(encodeBase64) } : null,
  };
}
