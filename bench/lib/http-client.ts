import { type ChildProcess, fork } from 'node:child_process';

export type ClientRequest =
  | { id: number; cmd: 'ingest'; url: string; key: string; bodies: string[]; concurrency: number }
  | { id: number; cmd: 'latency'; url: string; key: string; n: number; warmup: number };

export interface IngestResult {
  /** Wall time from the first request sent to the last response read. */
  ms: number;
  /** CPU time the client process spent meanwhile (user + system). */
  clientCpuMs: number;
  requests: number;
  /** First few non-201 answers. */
  failures: { status: number; text: string }[];
  /** Rows answered with "error" inside 201 answers. */
  rejectedRows: number;
}

export interface LatencyResult {
  /** Duration of each timed request (request sent → whole body read), in ms. */
  times: number[];
  /** Status of the first request; when ≥ 400 nothing is timed. */
  status: number;
  /** Body of the first answer. */
  sample: string;
  bytes: number;
}

type NoId<T> = T extends unknown ? Omit<T, 'id'> : never;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** Drives the HTTP client child process (bench/lib/http-client.child.ts) from the benchmark. */
export class HttpClient {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`HTTP client: ${m.error}`));
    });
    const fail = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`HTTP client exited (${signal ?? code})`)));
  }

  /** Starts the client process (TypeScript, through tsx's loader). */
  static start(): HttpClient {
    const file = new URL('./http-client.child.ts', import.meta.url).pathname;
    return new HttpClient(fork(file, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  private call<T>(req: NoId<ClientRequest>): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...req, id });
    });
  }

  /** POSTs every body, `concurrency` requests in flight. */
  ingest(url: string, key: string, bodies: string[], concurrency: number): Promise<IngestResult> {
    return this.call({ cmd: 'ingest', url, key, bodies, concurrency });
  }

  /** GETs `url` warmup + n times, one at a time, timing the last n. */
  latency(url: string, key: string, n: number, warmup = 2): Promise<LatencyResult> {
    return this.call({ cmd: 'latency', url, key, n, warmup });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.disconnect();
    await exited;
  }
}
