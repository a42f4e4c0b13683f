import { can, type Principal } from '../../auth/roles.ts';
import { AppError } from '../../core/errors.ts';
import { ed25519Verify } from '../log/ed25519.ts';
import { captureSignatureBase, parseSignatureHeader, sha256Tagged } from '../signing/capture-signature.ts';
import { OrgService } from '../orgs/org.service.ts';

/** Who signed a capture, as the leaf records it. */
export interface CaptureSigner {
  readonly orgId: number;
  readonly orgCode: string;
  readonly keyId: string;
  readonly digest: string;
  /** Standard base64 of the Ed25519 signature. */
  readonly signature: string;
  readonly custodial: boolean;
}

const enc = new TextEncoder();

/**
 * Authenticates and authorises a capture request (docs/api/trace.md §1): an API key allowed to
 * write trace data, then the organisation's detached Ed25519 signature over
 * `cantho-capture/v1 / key / digest` of the exact body bytes — or, when no signature is sent and
 * the organisation has a custodial key, a signature made here with it. The key's organisation must
 * be the caller's org scope (admins may act for any organisation).
 */
export async function authenticateCapture(
  orgs: OrgService,
  body: Uint8Array,
  headers: { signature?: string; org?: string },
  principal: Principal | null,
): Promise<CaptureSigner> {
  if (!principal) throw new AppError('UNAUTHENTICATED');
  if (!can(principal, 'write:trace')) throw new AppError('FORBIDDEN', 'this API key may not capture traceability events');
  const digest = sha256Tagged(body);
  if (headers.signature !== undefined) {
    const h = parseSignatureHeader(headers.signature);
    if (typeof h === 'string') throw new AppError('SIGNATURE_INVALID', h);
    const key = await orgs.resolveKey(h.keyId);
    if (!key) throw new AppError('SIGNATURE_INVALID', `unknown key ${h.keyId}`);
    if (key.revoked) throw new AppError('SIGNATURE_INVALID', `key ${h.keyId} is revoked`);
    OrgService.authorise(principal, key.orgId);
    if (!ed25519Verify(key.publicKey, enc.encode(captureSignatureBase(h.keyId, digest)), h.signature)) {
      throw new AppError('SIGNATURE_INVALID', 'the signature does not verify over cantho-capture/v1 with the SHA-256 of the body');
    }
    return { orgId: key.orgId, orgCode: key.orgCode, keyId: h.keyId, digest, signature: Buffer.from(h.signature).toString('base64'), custodial: false };
  }
  let orgId = principal.orgScope ?? null;
  if (orgId === null && principal.role === 'admin' && headers.org) orgId = await orgs.repo.orgIdByCode(headers.org);
  if (orgId === null) throw new AppError('SIGNATURE_REQUIRED');
  OrgService.authorise(principal, orgId);
  const signer = await orgs.custodialSigner(orgId);
  if (!signer) throw new AppError('SIGNATURE_REQUIRED', 'the organisation has no custodial key: sign the capture (Cantho-Signature header)');
  const key = await orgs.resolveKey(signer.keyId);
  const sig = signer.sign(enc.encode(captureSignatureBase(signer.keyId, digest)));
  return { orgId, orgCode: key!.orgCode, keyId: signer.keyId, digest, signature: Buffer.from(sig).toString('base64'), custodial: true };
}
