// Debian's Chromium for the dashboard's browser tests, driven by playwright-core (never a
// downloaded browser), and the folder their screenshots go to (test/artifacts/, git-ignored).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT } from './fixture.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, 'test', 'artifacts');

/** True when this machine has the browser; otherwise says the test is skipped, and why. */
export function chromiumAvailable(): boolean {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: needs ${CHROMIUM} (Debian package chromium)`);
    return false;
  }
  mkdirSync(SHOTS, { recursive: true });
  return true;
}

/** A headless Chromium; close it when done. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
