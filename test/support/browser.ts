// Headless Chromium for the tests that look at a page as an operator's browser does: Debian's
// `chromium` package (/usr/bin/chromium, installed by scripts/ensure-deps.sh) driven by
// playwright-core, which brings no browser of its own. A missing browser fails the test with the
// command that installs it; nothing is skipped.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's package as root with ` +
        '`apt-get update && apt-get install -y --no-install-recommends chromium` (scripts/ensure-deps.sh does)',
    );
  }
  // As root (CI), Chromium refuses its sandbox; playwright passes --no-sandbox unless asked otherwise.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000 });
}
