import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium (CHROMIUM_PATH to override),
 * a fresh profile per run, and every background network feature off (the machine has no network).
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The `skip` option for browser tests: false when Chromium is installed; otherwise a reason (and
 * a notice), except in CI (CI=true), where a missing browser must fail the run instead.
 */
export function skipWithoutChromium(): string | false {
  if (existsSync(CHROMIUM) || process.env.CI === 'true') return false;
  process.stderr.write(`NOTICE: ${CHROMIUM} not found; skipping browser tests (apt-get install chromium)\n`);
  return `needs Chromium at ${CHROMIUM}`;
}

export interface Browser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'cantho-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    viewport: { width: 412, height: 915 },
    deviceScaleFactor: 1,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Folder for screenshots (E2E_SCREENSHOTS, else a temp folder), created once per run. */
export function screenshotDir(): string {
  const dir = process.env.E2E_SCREENSHOTS ?? join(tmpdir(), 'cantho-e2e-screenshots');
  return dir;
}
