import { ChildRpc } from './child-rpc.ts';

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

/** Drives the HTTP client child process (bench/lib/http-client.child.ts) from the benchmark. */
export class HttpClient extends ChildRpc<ClientRequest> {
  /** Starts the client process. */
  static start(): HttpClient {
    return new HttpClient(new URL('./http-client.child.ts', import.meta.url), 'HTTP client');
  }

  /** POSTs every body, `concurrency` requests in flight. */
  ingest(url: string, key: string, bodies: string[], concurrency: number): Promise<IngestResult> {
    return this.call({ cmd: 'ingest', url, key, bodies, concurrency });
  }

  /** GETs `url` warmup + n times, one at a time, timing the last n. */
  latency(url: string, key: string, n: number, warmup = 2): Promise<LatencyResult> {
    return this.call({ cmd: 'latency', url, key, n, warmup });
  }
}
