// The review site (`incident-bot serve`) in headless Chromium: playwright-core drives Debian's
// /usr/bin/chromium (playwright-core never downloads a browser), axe-core checks accessibility.
//
// Run by tests/browser/browser_test.cpp (ctest e2e.browser), which starts the sites and passes
// them in IB_REVIEW_CONFIG (JSON):
//   { bot, chromium,
//     case: { url, db, incident },           the case study recorded by `incident-bot demo`
//     live: { url, db, incident, hostile },  `incident-bot run` still recording, a hostile message in it
//     big:  { url, incident, entries } }     100,000 messages
// A line `@post TEXT` on stdout asks the driver to type TEXT into the live incident's channel.
// Prints one line per check and ends with "browser: N passed, N failed"; exits 1 if any failed.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';

const config = JSON.parse(process.env.IB_REVIEW_CONFIG ?? '{}');
const axeSource = createRequire(import.meta.url)('axe-core').source;

// ---- A tiny harness: every check is a named async function that throws on failure ----------------
let passed = 0;
let failed = 0;
async function check(name, fn) {
  const started = Date.now();
  try {
    const note = await fn();
    passed++;
    console.log(`ok   ${name}${note ? ` — ${note}` : ''} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message.split('\n').slice(0, 12).join('\n     ')}`);
  }
}
function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// `incident-bot export` of one incident: its exact bytes.
function exported(site, format) {
  return execFileSync(config.bot, ['export', '--db', site.db, '--incident', String(site.incident), '--format', format],
                      { maxBuffer: 64 << 20 });
}

const entries = (page) => page.locator('ol.timeline > li');
// The incident page fetches its summary (chart, participants, hypotheses, …) after the first paint.
const summaryShown = (page) => page.waitForSelector('body[data-summary="shown"]', { state: 'attached', timeout: 10000 });
const caseUrl = `${config.case.url}/incidents/${config.case.incident}`;
const caseRecord = JSON.parse(exported(config.case, 'json').toString('utf8'));

const browser = await chromium.launch({
  executablePath: config.chromium ?? '/usr/bin/chromium',
  // Chromium's sandbox cannot start as root (CI runs as root).
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
// Times on the pages in UTC and the viewer's zone: fix the zone, so runs compare.
const context = await browser.newContext({ timezoneId: 'UTC', viewport: { width: 1280, height: 900 } });

await check('the list shows the case-study incident', async () => {
  const page = await context.newPage();
  await page.goto(`${config.case.url}/`);
  const title = caseRecord.incident.title;
  const link = page.getByRole('link', { name: title, exact: true });
  expect(await link.count() === 1, `no link named "${title}" on the list`);
  expect(await link.isVisible(), 'the incident link is not visible');
  expect(await link.getAttribute('href') === `/incidents/${config.case.incident}`, 'the link goes elsewhere');
  const row = page.locator('table.incidents tbody tr', { has: link });
  const cells = await row.locator('td').allTextContents();
  expect(cells.includes(caseRecord.incident.severity), `the row does not show ${caseRecord.incident.severity}: ${cells}`);
  await page.close();
  return title;
});

await check('the incident page shows the chart and the timeline; a chart mark scrolls to its entry', async () => {
  const page = await context.newPage();
  await page.goto(caseUrl);
  await summaryShown(page);
  const chart = page.locator('.chart svg').first();
  expect(await chart.isVisible(), 'no visible chart');
  const box = await chart.boundingBox();
  expect(box && box.width > 300 && box.height > 100, `the chart is ${JSON.stringify(box)}`);
  const marks = chart.locator('a[href^="#"]');
  expect(await marks.count() > 0, 'the chart has no marks that link to entries');
  const shown = await entries(page).count();
  const total = caseRecord.timeline.length;
  expect(shown === Math.min(total, 200), `${shown} entries listed, the record has ${total}`);
  expect(await entries(page).first().isVisible(), 'the first entry is not visible');
  // The last mark: its entry is far down the page, out of view until the click.
  const mark = marks.last();
  const target = (await mark.getAttribute('href')).slice(1);
  const entry = page.locator(`[id="${target}"]`);
  const inView = () => entry.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  });
  expect(!(await inView()), `entry #${target} is in view before the click`);
  await mark.click();
  await page.waitForFunction((id) => location.hash === `#${id}`, target, { timeout: 2000 });
  expect(await inView(), `entry #${target} was not scrolled into view`);
  const markCount = await marks.count();
  await page.close();
  return `${shown} entries, ${markCount} marks`;
});

const hasTag = (e, t) => (e.tags ?? []).includes(t);
await check('the hypothesis chip leaves only hypotheses', async () => {
  const page = await context.newPage();
  await page.goto(caseUrl);
  const expected = caseRecord.timeline.filter((e) => hasTag(e, 'hypothesis')).length;
  expect(expected > 0, 'the case study has no hypothesis to show');
  await page.locator('nav[aria-label="Filter by tag"]').getByRole('link', { name: 'hypothesis', exact: true }).click();
  await page.waitForURL(/[?&]tag=hypothesis/);
  const shown = await entries(page).count();
  expect(shown === expected, `${shown} entries shown, ${expected} are hypotheses`);
  const chips = await entries(page).locator('.chip.tag-hypothesis').count();
  expect(chips === shown, `${shown - chips} of the entries shown have no hypothesis chip`);
  await page.close();
  return `${shown} of ${caseRecord.timeline.length}`;
});

await check('the search finds a message', async () => {
  const page = await context.newPage();
  await page.goto(caseUrl);
  const needle = '92%';
  const expected = caseRecord.timeline.filter((e) => (e.text ?? '').includes(needle)).length;
  expect(expected > 0, `no message in the case study says ${needle}`);
  await page.getByLabel('Text', { exact: true }).fill(needle);
  await page.getByLabel('Text', { exact: true }).press('Enter');
  await page.waitForURL(/[?&]q=/);
  const texts = await entries(page).locator('.text').allTextContents();
  expect(texts.length === expected, `${texts.length} entries found, ${expected} say ${needle}`);
  expect(texts.every((t) => t.includes(needle)), `an entry found does not say ${needle}: ${texts}`);
  await page.close();
  return `"${needle}": ${texts.length} found`;
});

await check('Tab reaches the chips, with a visible focus; Enter and Space toggle one', async () => {
  const page = await context.newPage();
  await page.goto(caseUrl);
  // Tab from the top of the page until the hypothesis chip has the focus.
  const focusChip = async () => {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const on = await page.evaluate(() => {
        const a = document.activeElement;
        return !!a && a.matches('nav[aria-label="Filter by tag"] a') && a.textContent === 'hypothesis';
      });
      if (on) return i + 1;
    }
    throw new Error('80 presses of Tab did not reach the hypothesis chip');
  };
  const presses = await focusChip();
  const outline = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  expect(outline.style !== 'none' && outline.width >= 2, `the focused chip shows no outline: ${JSON.stringify(outline)}`);
  await page.keyboard.press('Enter');
  await page.waitForURL(/[?&]tag=hypothesis/);
  const current = page.locator('nav[aria-label="Filter by tag"] a[aria-current="true"]');
  expect(await current.textContent() === 'hypothesis', 'Enter did not turn the hypothesis chip on');
  await focusChip();
  await page.keyboard.press('Space');
  await page.waitForURL((url) => !url.search.includes('tag='));
  expect(await current.textContent() === 'all', 'Space did not turn the hypothesis chip off');
  expect(await entries(page).count() === Math.min(caseRecord.timeline.length, 200), 'the timeline is still filtered');
  await page.close();
  return `${presses} presses of Tab`;
});

await check('a hostile message renders as text and runs nothing; a message stored by run appears without a reload',
            async () => {
  const page = await context.newPage();
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs++; d.dismiss().catch(() => {}); });
  await page.goto(`${config.live.url}/incidents/${config.live.incident}`);
  const hostile = config.live.hostile;
  const asText = async (when) => {
    const texts = await entries(page).locator('.text').allTextContents();
    expect(texts.includes(hostile), `${when}: the hostile message is not shown as its own text`);
    const elements = await page.locator('main img, main script, main iframe, main [onerror]').count();
    expect(elements === 0, `${when}: ${elements} element(s) made from the hostile text`);
    // An error event of a real <img src=x> comes after the load; give it a moment.
    await page.waitForTimeout(200);
    const flag = await page.evaluate(() => window.__ibPwned);
    expect(flag === undefined && dialogs === 0, `${when}: the payload ran (flag ${flag}, ${dialogs} dialogs)`);
  };
  await summaryShown(page);
  await asText('on load (the summary shown too)');
  expect(await page.locator('body[data-live]').count() === 1, 'the open incident\'s page does not poll for updates');

  // A flag that a reload would lose, then a message typed in Slack and stored by `run`.
  await page.evaluate(() => { window.__ibSamePage = 'still here'; });
  const text = `rolled back the checkout deploy ${process.pid}-${Date.now()}`;
  const asked = Date.now();
  console.log(`@post ${text}`);
  await page.waitForFunction((t) => document.getElementById('main').textContent.includes(t), text,
                             { timeout: 2000, polling: 20 })
    .catch(() => { throw new Error(`"${text}" did not appear within 2 s`); });
  const ms = Date.now() - asked;
  expect(await page.evaluate(() => window.__ibSamePage) === 'still here', 'the page was reloaded');
  const last = await entries(page).last().locator('.text').textContent();
  expect(last === text, `the new message is not the last entry: "${last}"`);
  await asText('after the live update');
  await page.close();
  return `the message was on the page ${ms} ms after it was typed in Slack (budget 2000 ms)`;
});

await check('the downloads equal `incident-bot export` byte for byte', async () => {
  const page = await context.newPage();
  await page.goto(caseUrl);
  const sizes = [];
  for (const [name, format] of [['JSON', 'json'], ['Markdown', 'md'], ['CSV', 'csv'], ['SVG', 'svg']]) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.downloads').getByRole('link', { name, exact: true }).click(),
    ]);
    const file = `incident-${config.case.incident}.${format}`;
    expect(download.suggestedFilename() === file, `${name} is saved as ${download.suggestedFilename()}, not ${file}`);
    const got = readFileSync(await download.path());
    const want = exported(config.case, format);
    expect(got.equals(want), `${name}: ${got.length} bytes downloaded differ from export's ${want.length}`);
    sizes.push(`${format} ${got.length} B`);
  }
  await page.close();
  return sizes.join(', ');
});

// Issue 18's criterion: 1 s from navigation. The page reads one page of the timeline (the server's
// answer complete 75-181 ms after navigation start), so the first 200 entries were on screen at
// 379-708 ms with this 2-core machine loaded 10-11 deep (before the paged read: 872 ms idle, 1.3-3.7 s
// at load 5-12); README "The review site in a browser" reports the figures.
const bigLimitMs = 1000;
await check('the 100,000-entry page shows its first 200 entries within 1 s of navigation, then its summary', async () => {
  const page = await context.newPage();
  // From navigation start (performance.now()'s origin): the first animation frame, i.e. the
  // paint about to happen, in which 200 entries are in the document.
  await page.addInitScript(() => {
    const poll = () => {
      if (document.querySelectorAll('ol.timeline > li').length >= 200) window.__ibShownAt = performance.now();
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  });
  await page.goto(`${config.big.url}/incidents/${config.big.incident}`, { waitUntil: 'domcontentloaded' });
  const shownAt = await (await page.waitForFunction(() => window.__ibShownAt, null, { timeout: 10000 })).jsonValue();
  const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0].toJSON());
  const count = await entries(page).count();
  expect(count === 200, `${count} entries on the first page`);
  expect(await entries(page).first().isVisible(), 'the first entry is not visible');
  const said = await page.locator('#timeline-count').textContent();
  expect(said.startsWith(`${config.big.entries} of ${config.big.entries} entries`), `the page says "${said}"`);
  const load = `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`;
  // The summary (chart, participants, 10,000 hypotheses' first 100, coordination) comes after.
  await summaryShown(page);
  const summaryAt = await page.evaluate(() => performance.now());
  expect(await page.locator('#chart svg').count() === 1, 'the summary brought no chart');
  const figure = `${Math.round(shownAt)} ms (server's answer complete at ${Math.round(nav.responseEnd)} ms; ` +
    `the summary by ${Math.round(summaryAt)} ms; ${load})`;
  const verdict = shownAt < bigLimitMs ? 'meets the 1 s target' : 'MISSES the 1 s target';
  console.log(`     first 200 of ${config.big.entries} entries on screen: ${figure}: ${verdict}`);
  expect(shownAt < bigLimitMs, `the first 200 entries took ${figure}`);
  await page.close();
  return `${figure}: ${verdict}`;
});

await check('axe-core finds no serious or critical violation on the list, incident and stats pages', async () => {
  // axe is injected into the page: a context that lets it past the site's Content-Security-Policy.
  const axeContext = await browser.newContext({ bypassCSP: true, timezoneId: 'UTC' });
  const page = await axeContext.newPage();
  const found = [];
  let rules = 0;
  for (const path of ['/', `/incidents/${config.case.incident}`, '/stats']) {
    await page.goto(config.case.url + path);
    if (path.startsWith('/incidents/')) await summaryShown(page);
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    rules = Math.max(rules, result.passes.length + result.violations.length + result.incomplete.length);
    for (const v of result.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
      found.push(`${path}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
  }
  await axeContext.close();
  expect(found.length === 0, found.join('\n'));
  return `3 pages, ${rules} rules applied`;
});

await browser.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
