import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the figures were measured on (printed and written beside them). */
export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function memTotalBytes(): number {
  try {
    const m = /^MemTotal:\s*(\d+)\s*kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* not Linux */
  }
  return os.totalmem();
}

export function machineInfo(): MachineInfo {
  return {
    // Same number `nproc` prints: the CPUs this process may run on.
    nproc: os.availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round((memTotalBytes() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** Version of an installed package, read from its package.json. */
export function packageVersion(name: string): string {
  try {
    const file = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
