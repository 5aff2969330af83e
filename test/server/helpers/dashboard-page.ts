/** The dashboard in a real Chromium (the Debian package, never a downloaded browser). */
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM } from '../../helpers/outside-program.js';

/** Starts a headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM.command, headless: true, args: ['--no-sandbox'] });
}

/**
 * A fresh page of the dashboard at `url`, logged in through the form with `token`, then moved to
 * `hash` (as a link click does); `errors` collects the page's uncaught errors.
 */
export async function dashboardPage(
  browser: Browser,
  url: string,
  token: string,
  hash?: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.fill('#token', token);
  await page.click('#login');
  await page.waitForSelector('#who:not([hidden])');
  if (hash !== undefined) await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  return { page, errors };
}
