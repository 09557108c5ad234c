// Render one QTI 3.0 item with @citolab/qti-components in headless Chromium and report how its MathML is laid out.
// Run from tests/node (or its installed copy), whose node_modules hold @citolab/qti-components and playwright-core.
// Usage: node qti_math.mjs --samples DIR --item /samples/items/x.xml --shot out.png [--page qti_math.html]
// The page (under site/) loads the item with the package's own transform and renders it.
// Prints JSON: {status, count, namespaces, frac: {num, den, box}, sqrt: {box, body}, text, blocked}.
import os from 'node:os';
import path from 'node:path';
import { arg, openPlayer } from './harness.mjs';

const SAMPLES = path.resolve(arg('samples', '.'));
const ITEM = arg('item', '');
const SHOT = arg('shot', path.join(os.tmpdir(), 'qbank-qti-math.png'));
const PAGE = arg('page', 'qti_math.html');

const { base, page, blocked, close } = await openPlayer(SAMPLES);
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
  await close();
}
