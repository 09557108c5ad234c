// Answer the gaps of a QTI 3.0 cloze item in @citolab/qti-components (headless Chromium, offline) and
// report SCORE after each attempt. Run from tests/node (or its installed copy): its node_modules
// and site/index.html are used.
// Usage: node run_cloze_item.mjs --samples DIR --item /samples/items/x.xml --attempts JSON [--shot out.png]
// JSON is a list of attempts; an attempt maps a response identifier to the text to type (text entry)
// or the identifier of the option to pick (inline choice). Prints {"scores": [...], ...} as JSON.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const here = process.cwd();
const SAMPLES = path.resolve(arg('samples'));
const ITEM = arg('item');
const ATTEMPTS = JSON.parse(arg('attempts'));
const SHOT = arg('shot', null);
const PKG = path.join(here, 'node_modules', '@citolab', 'qti-components');
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.xml': 'application/xml', '.png': 'image/png' };
const ROUTES = [['/qti/', PKG], ['/samples/', SAMPLES], ['/', path.join(here, 'site')]];

function serve(req, res) {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  for (const [prefix, dir] of ROUTES) {
    if (!url.startsWith(prefix)) continue;
    const file = path.resolve(dir, '.' + url.slice(prefix.length - 1).replace(/\/$/, '/index.html'));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) break;
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
    return fs.createReadStream(file).pipe(res);
  }
  res.writeHead(404).end('not found');
}

const server = http.createServer(serve);
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'qbank-cloze-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--no-first-run', '--disable-sync', '--disable-quic'],
});
const blocked = [];
await context.route('**/*', (route) => {
  const u = new URL(route.request().url());
  if (u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
  blocked.push(route.request().url());
  return route.abort();
});
const page = context.pages()[0] || await context.newPage();
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(String(e)));

const result = { item: ITEM, scores: [], responses: [] };
let exitCode = 1;
try {
  for (const [n, attempt] of ATTEMPTS.entries()) {
    await page.goto(`${base}/index.html?item=${encodeURIComponent(ITEM)}`);
    await page.waitForFunction(() => window.qbankStatus, null, { timeout: 20000 });
    const status = await page.evaluate(() => window.qbankStatus);
    if (status !== 'loaded') throw new Error(status);
    await page.locator('qti-assessment-item').waitFor({ state: 'attached', timeout: 10000 });
    result.textEntries = await page.locator('qti-text-entry-interaction').count();
    result.inlineChoices = await page.locator('qti-inline-choice-interaction').count();
    for (const [ident, value] of Object.entries(attempt)) {
      const entry = page.locator(`qti-text-entry-interaction[response-identifier="${ident}"]`);
      if (await entry.count()) {
        const input = entry.locator('input');
        await input.click();
        await input.fill(value);
        await input.press('Tab');
        continue;
      }
      const menu = page.locator(`qti-inline-choice-interaction[response-identifier="${ident}"]`);
      await menu.locator('button[part="trigger"]').click();
      await menu.locator(`qti-inline-choice[identifier="${value}"]`).click();
    }
    if (SHOT && n === 0) await page.screenshot({ path: SHOT, fullPage: true });
    const outcome = await page.evaluate((idents) => {
      const item = document.querySelector('qti-assessment-item');
      item.processResponse();
      const responses = {};
      for (const id of idents) responses[id] = item.getResponse(id)?.value ?? null;
      return { score: item.getOutcome('SCORE')?.value, responses };
    }, Object.keys(attempt));
    result.scores.push(Number(outcome.score));
    result.responses.push(outcome.responses);
  }
  exitCode = blocked.length === 0 ? 0 : 1;
} catch (err) {
  result.error = err.message;
} finally {
  result.blockedNonLoopbackRequests = blocked;
  result.consoleErrors = consoleErrors;
  console.log(JSON.stringify(result, null, 2));
  await context.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(exitCode);
}
