// Render one QTI 3.0 item with @citolab/qti-components in headless Chromium and report how its MathML is laid out.
// Run from tests/node (or its installed copy), whose node_modules hold @citolab/qti-components and playwright-core.
// Usage: node qti_math.mjs --samples DIR --item /samples/items/x.xml --shot out.png [--page qti_math.html]
// The page (under site/) loads the item with the package's own transform and renders it.
// Prints JSON: {status, count, namespaces, frac: {num, den, box}, sqrt: {box, body}, text, blocked}.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const SAMPLES = path.resolve(arg('samples', '.'));
const ITEM = arg('item', '');
const SHOT = arg('shot', path.join(os.tmpdir(), 'qbank-qti-math.png'));
const PAGE = arg('page', 'qti_math.html');
const PKG = path.join(here, 'node_modules', '@citolab', 'qti-components');
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.xml': 'application/xml' };
const ROUTES = [['/qti/', PKG], ['/samples/', SAMPLES], ['/', path.join(here, 'site')]];

const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  for (const [prefix, dir] of ROUTES) {
    if (!url.startsWith(prefix)) continue;
    const file = path.resolve(dir, '.' + url.slice(prefix.length - 1).replace(/\/$/, '/index.html'));
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) break;
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream' });
    return fs.createReadStream(file).pipe(res);
  }
  res.writeHead(404).end('not found');
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'qbank-chromium-'));
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
let result = { item: ITEM };
try {
  await page.goto(`${base}/${PAGE}?item=${encodeURIComponent(ITEM)}`);
  await page.waitForFunction(() => window.qbankStatus, null, { timeout: 20000 });
  result.status = await page.evaluate(() => window.qbankStatus);
  await page.locator('qti-assessment-item math').first().waitFor({ state: 'visible', timeout: 10000 });
  Object.assign(result, await page.evaluate(() => {
    const item = document.querySelector('qti-assessment-item');
    const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; };
    const maths = [...item.querySelectorAll('math')];
    const frac = item.querySelector('mfrac');
    const sqrt = item.querySelector('msqrt');
    return {
      count: maths.length,
      namespaces: [...new Set(maths.map((m) => m.namespaceURI))],
      mathml: maths.every((m) => m instanceof MathMLElement),
      frac: frac && { box: box(frac), num: box(frac.children[0]), den: box(frac.children[1]) },
      sqrt: sqrt && { box: box(sqrt), body: box(sqrt.children[0]) },
      text: item.innerText,
    };
  }));
  await page.screenshot({ path: SHOT, fullPage: true });
} catch (err) {
  result.status = `error: ${err.message}`;
} finally {
  result.blocked = blocked;
  console.log(JSON.stringify(result));
  await context.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
