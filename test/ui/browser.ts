/**
 * Headless Chromium for the UI tests: Debian's `chromium` (installed by scripts/ci-system-deps.sh), driven by
 * playwright-core, which never downloads a browser of its own. Without Chromium the tests skip with the
 * reason, unless NETFENCE_REQUIRE_BROWSER=1 (CI), where its absence is a failure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.NETFENCE_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} not found: install Debian's chromium (bash scripts/ci-system-deps.sh) to run the browser tests`;
  if (process.env.NETFENCE_REQUIRE_BROWSER === '1') throw new Error(reason);
  return reason;
}

export interface Launched {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh headless Chromium with its own temporary profile. */
export async function launch(
  options: { width?: number; height?: number; dark?: boolean } = {},
): Promise<Launched> {
  const profile = mkdtempSync(join(tmpdir(), 'netfence-chromium-'));
  // A persistent context on a fresh temporary profile: playwright passes it as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    deviceScaleFactor: 1,
    colorScheme: options.dark === true ? 'dark' : 'light',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
