import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_KEY = 'bench-admin-key-0123456789abcdef';
const root = new URL('../..', import.meta.url).pathname;

/** A `cantho serve` process of its own on a new SQLite database in `dir`; resolves once it answers /health. */
export async function serve(dir: string, name: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; base: string; port: number; stop(): Promise<void> }> {
  const port = 18_000 + Math.floor(Math.random() * 2000);
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MQTT_ENABLED: 'false', ...env, DATABASE_URL: join(dir, `${name}.db`), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', CANTHO_BOOTSTRAP_ADMIN_KEY: BENCH_KEY },
  });
  let errors = '';
  child.stderr!.on('data', (d) => (errors += d));
  const stop = async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the ${name} server exited with ${child.exitCode}: ${errors}`);
    const up = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (up) return { child, base: `http://127.0.0.1:${port}/v1.1`, port, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`the ${name} server did not come up`);
}

const statusMiB = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/** A process's peak resident memory (VmHWM), in MiB. */
export const peakMiB = (pid: number) => statusMiB(pid, 'VmHWM');
/** A process's resident memory now (VmRSS), in MiB. */
export const rssMiB = (pid: number) => statusMiB(pid, 'VmRSS');
