import { readFile, rename, writeFile } from 'node:fs/promises';
import type { StateStore, WitnessState } from './witness.ts';

/**
 * Witness state in a local JSON file, replaced atomically (write to a temporary file, then rename)
 * so a crash never leaves a half-written state that would make the witness forget what it saw.
 */
export function fileState(path: string): StateStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
      const s = JSON.parse(text) as WitnessState;
      if (typeof s.origin !== 'string' || !Number.isSafeInteger(s.size) || typeof s.root !== 'string') throw new Error(`${path} is not a witness state file`);
      return s;
    },
    async save(s) {
      const tmp = `${path}.tmp-${process.pid}`;
      await writeFile(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, path);
    },
  };
}
