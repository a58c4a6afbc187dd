// The README's screenshots of the review site: the list, the case study's incident page and the
// statistics, taken with the browser the browser suite uses (Debian's chromium via playwright-core).
//
//   node tests/browser/screenshots.mjs BASE_URL OUT_DIR     (scripts/screenshots.sh runs it)
import { chromium } from 'playwright-core';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node tests/browser/screenshots.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
// A laptop-sized window, UTC as the viewer's zone, no animations: the same picture on every run
// of the same database.
const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, timezoneId: 'UTC' });
const page = await context.newPage();
for (const [path, file] of [['/', 'review-list.png'], ['/incidents/1', 'review-incident.png'],
                            ['/stats', 'review-stats.png']]) {
  await page.goto(base + path);
  // An incident's chart comes with its summary, fetched after the first paint.
  if (path.startsWith('/incidents/'))
    await page.waitForSelector('body[data-summary="shown"]', { state: 'attached', timeout: 10000 });
  await page.screenshot({ path: `${out}/${file}`, animations: 'disabled' });
  console.log(`${out}/${file}`);
}
await browser.close();
