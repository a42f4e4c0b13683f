import { ChildRpc } from './lib/child-rpc.ts';

/** One signed request: body text and its Cantho-Signature header. */
export interface SignedRequest {
  readonly body: string;
  readonly signature: string;
}

export type LedgerClientRequest =
  | { id: number; cmd: 'post'; url: string; key: string; requests: SignedRequest[]; concurrency: number; expect: number }
  | { id: number; cmd: 'gets'; urls: string[] };

export interface PostResult {
  ms: number;
  clientCpuMs: number;
  ok: number;
  failures: { status: number; text: string }[];
}

/** Drives bench/ledger-client.child.ts (the HTTP load generator in its own process). */
export class LedgerClient extends ChildRpc<LedgerClientRequest> {
  static start(): LedgerClient {
    return new LedgerClient(new URL('./ledger-client.child.ts', import.meta.url), 'ledger client');
  }

  /** POSTs every signed request, `concurrency` in flight, counting answers with status `expect`. */
  post(url: string, key: string, requests: SignedRequest[], concurrency: number, expect: number): Promise<PostResult> {
    return this.call({ cmd: 'post', url, key, requests, concurrency, expect });
  }

  /** GETs each URL in turn and returns the client-side round-trip times (ms). */
  gets(urls: string[]): Promise<number[]> {
    return this.call({ cmd: 'gets', urls });
  }
}
