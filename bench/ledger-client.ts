import { type ChildProcess, fork } from 'node:child_process';

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

type NoId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Drives bench/ledger-client.child.ts (the HTTP load generator in its own process). */
export class LedgerClient {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`ledger client: ${m.error}`));
    });
    child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`ledger client exited (${code})`));
      this.pending.clear();
    });
  }

  static start(): LedgerClient {
    const file = new URL('./ledger-client.child.ts', import.meta.url).pathname;
    return new LedgerClient(fork(file, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  private call<T>(req: NoId<LedgerClientRequest>): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...req, id });
    });
  }

  /** POSTs every signed request, `concurrency` in flight, counting answers with status `expect`. */
  post(url: string, key: string, requests: SignedRequest[], concurrency: number, expect: number): Promise<PostResult> {
    return this.call({ cmd: 'post', url, key, requests, concurrency, expect });
  }

  /** GETs each URL in turn and returns the client-side round-trip times (ms). */
  gets(urls: string[]): Promise<number[]> {
    return this.call({ cmd: 'gets', urls });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.disconnect();
    await exited;
  }
}
