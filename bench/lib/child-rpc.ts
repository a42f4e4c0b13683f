import { type ChildProcess, fork } from 'node:child_process';

/** A request type without the `id` that ChildRpc adds. */
export type NoId<T> = T extends unknown ? Omit<T, 'id'> : never;

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/**
 * Calls into a load-generating child process (TypeScript, run through tsx's loader) over IPC:
 * each request gets an id, the child answers `{ id, ok, result | error }`. A child that exits
 * fails whatever is pending. Benchmarks run their clients this way so that the client's CPU is
 * not the server's.
 */
export class ChildRpc<Req extends { id: number }> {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly child: ChildProcess;

  protected constructor(file: URL, name: string) {
    this.child = fork(file.pathname, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${name}: ${m.error}`));
    });
    const fail = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.child.on('error', fail);
    this.child.on('exit', (code, signal) => fail(new Error(`${name} exited (${signal ?? code})`)));
  }

  protected call<T>(req: NoId<Req>): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...req, id });
    });
  }

  /** Lets the child finish: it exits when the IPC channel closes. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.disconnect();
    await exited;
  }
}
