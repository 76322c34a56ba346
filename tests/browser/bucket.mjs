// The verification page following a log from the bucket where its tiles
// are published (docs/PROTOCOL.md section 19), in the system Chromium
// driven by playwright-core. The Rust harness (tests/publish.rs) publishes
// a log to a real S3 server, writes the page with `provenant page` (one
// file that names no server) and runs this script, which opens the file
// asking the bucket's URL (`?api=`), pins the log key, verifies the
// bucket's checkpoint, and proves from the bucket's hash tiles alone that
// the log extends a checkpoint saved earlier.
//
// Environment (all required but PROVENANT_CHROMIUM):
//   PROVENANT_PAGE_FILE        the page file
//   PROVENANT_BUCKET_URL       the URL under which `checkpoint` and `tile/...` are published
//   PROVENANT_LOG_KEY          the log's verifier key
//   PROVENANT_OLD_CHECKPOINT   an earlier checkpoint of the log (its signed note)
//   PROVENANT_NEW_SIZE         the size the bucket's checkpoint has now
//   PROVENANT_SCREENSHOTS      directory for the screenshot
//   PROVENANT_CHROMIUM         optional: the browser binary (default /usr/bin/chromium)
//
// Output: "bucket: ok", or a message and exit 1.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium} from 'playwright-core';
import {SETTLE_MS, verdictAfter} from './verdict.mjs';

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see the top of tests/browser/bucket.mjs)`);
  return value;
}

const env = {
  page: need('PROVENANT_PAGE_FILE'),
  bucket: need('PROVENANT_BUCKET_URL'),
  logKey: need('PROVENANT_LOG_KEY').trim(),
  old: need('PROVENANT_OLD_CHECKPOINT'),
  size: need('PROVENANT_NEW_SIZE'),
  shots: need('PROVENANT_SCREENSHOTS'),
};
const origin = env.logKey.split('+')[0];
async function main() {
  await fs.mkdir(env.shots, {recursive: true});
  const browser = await chromium.launch({
    executablePath: process.env.PROVENANT_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const problems = [];
  try {
    const page = await browser.newPage({viewport: {width: 1200, height: 900}});
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const url = `${pathToFileURL(env.page).href}?api=${encodeURIComponent(env.bucket)}`;
    await page.goto(url);
    await page.waitForSelector('html[data-ready="true"]', {timeout: SETTLE_MS});
    const asking = await page.textContent('#api-current');
    assert.ok(asking.includes(env.bucket), `the page asks the bucket: ${asking}`);

    const details = page.locator('#key-change');
    if (!(await details.evaluate((node) => node.open))) await page.click('#key-change > summary');
    await page.fill('#key-input', env.logKey);
    await page.click('#key-pin');
    await page.waitForFunction((id) => document.querySelector('#pinned-key').textContent.includes(id), env.logKey.split('+')[1]);
    // A checkpoint this browser saved when the log was smaller.
    await page.evaluate(([name, text]) => {
      localStorage.setItem(name, JSON.stringify({text, savedAt: new Date().toISOString()}));
    }, [`provenant.checkpoint.${origin}`, env.old]);

    const log = await verdictAfter(page, '#log-result', () => page.click('#log-refresh'));
    assert.equal(log.verdict, 'verified', `the bucket's checkpoint verifies: ${log.text}`);
    const size = await page.textContent('#log-size');
    assert.equal(size.replace(/\D/g, ''), env.size, `the bucket's checkpoint is the log's: ${size}`);

    const grew = await verdictAfter(page, '#consistency-result', () => page.click('#consistency-check'));
    assert.equal(grew.verdict, 'verified', `the log extends the saved checkpoint: ${grew.text}`);
    assert.ok(grew.text.includes('published tiles'), `proven from the bucket's tiles: ${grew.text}`);
    await page.screenshot({path: path.join(env.shots, 'bucket.png'), fullPage: true});
    assert.deepEqual(problems, [], 'no script error or CSP refusal in the page');
  } finally {
    await browser.close();
  }
  console.log('bucket: ok');
}

main().catch((error) => {
  console.error(`bucket: FAILED: ${error.message}`);
  process.exit(1);
});
