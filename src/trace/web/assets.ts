import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The in-browser verifier, bundled once per process from its TypeScript source
 * (verifier/client.ts and the pure modules it imports, including the CBV 2.0 pre-hash of
 * src/trace/epcis) with esbuild's JS API, in memory. Built on first use, so servers and tests that
 * never render a consumer page pay nothing.
 */

export interface VerifierBundle {
  readonly code: string;
  /** Subresource Integrity value (sha384) for the `<script integrity>` attribute. */
  readonly integrity: string;
  /** Short content hash, used as a cache-busting query. */
  readonly etag: string;
}

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'verifier', 'client.ts');
let pending: Promise<VerifierBundle> | null = null;

async function buildBundle(): Promise<VerifierBundle> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    // WebCrypto Ed25519: Chrome 113+, Firefox 129+, Safari 17+.
    target: ['chrome113', 'firefox129', 'safari17'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  return {
    code,
    integrity: `sha384-${createHash('sha384').update(code).digest('base64')}`,
    etag: createHash('sha256').update(code).digest('hex').slice(0, 16),
  };
}

/** The bundle (built at most once per process; a failed build is retried on the next call). */
export function verifierBundle(): Promise<VerifierBundle> {
  pending ??= buildBundle().catch((e: unknown) => {
    pending = null;
    throw e;
  });
  return pending;
}
