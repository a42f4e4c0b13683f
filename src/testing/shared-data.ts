import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Locates `../shared/data` beside the project checkout. That folder holds real public data used as
 * test material only (never copied into the project). On a new user's machine it is absent: tests
 * that need it skip with a visible notice. CI sets CANTHO_REQUIRE_SHARED=1, which turns the skip
 * into a failure so the data-dependent tests are required there.
 */
export function sharedDataDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = resolve(here, '..', '..', '..', 'shared', 'data');
  if (existsSync(dir)) return dir;
  if (process.env.CANTHO_REQUIRE_SHARED === '1') {
    throw new Error(`CANTHO_REQUIRE_SHARED=1 but ${dir} is missing`);
  }
  return null;
}

/** Path inside shared/data, or null (and a printed notice) when the folder is absent. */
export function sharedDataPath(...parts: string[]): string | null {
  const dir = sharedDataDir();
  if (!dir) {
    process.stderr.write(`NOTICE: ../shared/data not found; skipping tests that need ${parts.join('/')}\n`);
    return null;
  }
  return join(dir, ...parts);
}

/** The option for node:test's `skip` when shared data is absent. */
export function skipWithoutSharedData(...parts: string[]): string | false {
  return sharedDataPath(...parts) ? false : `needs ../shared/data/${parts.join('/')} (absent on this machine)`;
}
