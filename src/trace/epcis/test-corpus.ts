import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sharedDataPath } from '../../testing/shared-data.ts';

/**
 * Test-only helpers locating the EPCIS test material in ../shared/data/epcis (GS1 examples,
 * OpenEPCIS test resources, CBV Event Hash vectors). That material is never copied into the
 * project; when it is absent the tests skip (and fail in CI, see src/testing/shared-data.ts).
 */

/** Root of the shared EPCIS data, or null when absent (a notice is printed). */
export const EPCIS_DATA: string | null = sharedDataPath('epcis');

/** Files under `sub` (relative to the EPCIS data root) whose names end with one of `exts`, sorted. */
export function corpusFiles(sub: string, exts: readonly string[] = ['.json', '.jsonld']): string[] {
  if (!EPCIS_DATA) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (exts.some((e) => name.endsWith(e))) out.push(p);
    }
  };
  walk(join(EPCIS_DATA, sub));
  return out.sort();
}

/** Path relative to the EPCIS data root, for test names. */
export function corpusName(path: string): string {
  return EPCIS_DATA ? relative(EPCIS_DATA, path) : path;
}

/** Parsed JSON file. */
export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Non-empty lines of a text file. */
export function readLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}

/** OpenEPCIS documents under Capture/ and Query/ that the OpenEPCIS suite classifies as valid. */
export function openEpcisValidFiles(): string[] {
  const root = 'openepcis-test-resources/2.0/EPCIS/JSON';
  return [
    ...corpusFiles(`${root}/Capture/Documents`),
    ...corpusFiles(`${root}/Capture/Events`),
    ...corpusFiles(`${root}/Query`).filter((f) => !f.includes('/Invalid/') && !f.includes('/Queries/')),
  ];
}

/** OpenEPCIS documents classified as invalid EPCIS documents. */
export function openEpcisInvalidFiles(): string[] {
  const root = 'openepcis-test-resources/2.0/EPCIS/JSON';
  return [...corpusFiles(`${root}/Capture/Invalid`), ...corpusFiles(`${root}/Query/Invalid`)];
}
