// Answer the gaps of a QTI 3.0 cloze item in @citolab/qti-components (headless Chromium, offline) and
// report SCORE after each attempt. Run from tests/node (or its installed copy): its node_modules
// and site/index.html are used.
// Usage: node run_cloze_item.mjs --samples DIR --item /samples/items/x.xml --attempts JSON [--shot out.png]
// JSON is a list of attempts; an attempt maps a response identifier to the text to type (text entry)
// or the identifier of the option to pick (inline choice). Prints {"scores": [...], ...} as JSON.
import path from 'node:path';
import { arg, openPlayer } from './harness.mjs';

const SAMPLES = path.resolve(arg('samples'));
const ITEM = arg('item');
const ATTEMPTS = JSON.parse(arg('attempts'));
const SHOT = arg('shot', null);

const { base, page, blocked, consoleErrors, close } = await openPlayer(SAMPLES);
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
  await close();
  process.exit(exitCode);
}
