// End-to-end test of the verification page in the system Chromium, driven by
// playwright-core (nothing is downloaded); jsQR reads back the QR code the
// page draws. The Rust harness
// (tests/page_browser.rs) starts a real server and a tampering proxy,
// registers a design and a grant with the CLI, and runs this script; it can
// also be run by hand against a server you started (see README.md here).
//
// Environment (all required unless marked optional):
//   PROVENANT_URL          base URL of the real server, which serves the page
//   PROVENANT_TAMPER_URL   base URL of a proxy serving the same page and API, whose
//                          design answers have a state record altered and whose license
//                          check answers have a record changed or a revocation dropped
//   PROVENANT_LOG_KEY      the log's verifier key text (origin+keyid+base64)
//   PROVENANT_DESIGN_FILE  the registered design's file
//   PROVENANT_OTHER_FILE   a file that is not registered
//   PROVENANT_BIG_FILE     an 8 MiB file, hashed 5 times for the timing line
//   PROVENANT_DESIGN_ID    the registered design's id (BLAKE3 hex)
//   PROVENANT_LICENSEE     a key holding a grant on it: FR, retail, apparel, max_units 1000,
//                          starting 2026-01-01
//   PROVENANT_OWNERS       JSON list of the design's current owners [{key, share_ppm}]
//   PROVENANT_RECEIPT_FILE a receipt (the answer of POST /v1/entries) from that log
//   PROVENANT_SCREENSHOTS  directory for the screenshots (created if missing)
//   PROVENANT_CHROMIUM     optional: the browser binary (default /usr/bin/chromium)
//   PROVENANT_TIMING_RUNS  optional: runs of each timing measure (default 5)
//   PROVENANT_SKIP         optional: comma-separated steps to skip by hand (tamper, timing);
//                          each skipped step is printed, never silently passed
//
// The step "saved-file" downloads the page as one file (GET /verify/page.html,
// through the page's link), writes it to PROVENANT_SCREENSHOTS and opens it
// from there (file://).
//
// Output: one line `PROVENANT_TIMINGS {"hash8MiBms":[...],"verifyCheckMs":[...],
// "webCryptoSha256ms":[...],"checkRoundTripMs":[...]}` (the last two are baselines)
// (no assertion on time), and "e2e: ok". Any failure exits 1 with a message
// and a screenshot named failure-*.png.

import assert from 'node:assert/strict';
import {createHash, generateKeyPairSync} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import jsQR from 'jsqr';
import {chromium} from 'playwright-core';
import {SETTLE_MS, verdictAfter} from './verdict.mjs';

function need(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see the top of tests/browser/e2e.mjs)`);
  return value;
}

const skip = new Set((process.env.PROVENANT_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const env = {
  url: need('PROVENANT_URL').replace(/\/+$/, ''),
  tamperUrl: skip.has('tamper') ? null : need('PROVENANT_TAMPER_URL').replace(/\/+$/, ''),
  logKey: need('PROVENANT_LOG_KEY').trim(),
  designFile: need('PROVENANT_DESIGN_FILE'),
  otherFile: need('PROVENANT_OTHER_FILE'),
  bigFile: skip.has('timing') ? null : need('PROVENANT_BIG_FILE'),
  designId: need('PROVENANT_DESIGN_ID'),
  licensee: need('PROVENANT_LICENSEE'),
  owners: JSON.parse(need('PROVENANT_OWNERS')),
  receiptFile: need('PROVENANT_RECEIPT_FILE'),
  shots: need('PROVENANT_SCREENSHOTS'),
};
const [keyOrigin, keyId] = env.logKey.split('+');
// Timing runs of each measure; PROVENANT_TIMING_RUNS sets more for docs/BENCHMARKS.md.
const RUNS = Number(process.env.PROVENANT_TIMING_RUNS ?? 5);

/** The question the grant allows; `territory` varies for the denied case. */
const allowed = {action: 'commercial', territory: 'FR', channel: 'retail', category: 'apparel', quantity: '10', date: '2026-06-15'};

const problems = [];
let shot = 0;

async function screenshot(page, name) {
  shot += 1;
  const file = path.join(env.shots, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({path: file, fullPage: true});
  return file;
}

function watch(page) {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    // A 404 (a design not registered) is logged by Chromium as a failed
    // resource; that is expected. A CSP refusal or a script error is not.
    if (message.type() === 'error' && !/^Failed to load resource/.test(text)) problems.push(`console: ${text}`);
  });
}

/** Opens `base + path` and waits for the page's modules to have started. */
async function open(page, base, where = '/') {
  await page.goto(base + where);
  await page.waitForSelector('html[data-ready="true"]', {timeout: SETTLE_MS});
}

/**
 * A verifier key of the same origin but another Ed25519 key (C2SP signed
 * note: key id = SHA-256(name || 0x0A || 0x01 || public key)[:4]).
 */
function otherLogKey() {
  const {publicKey} = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({format: 'jwk'}).x, 'base64url');
  const typed = Buffer.concat([Buffer.from([0x01]), raw]);
  const id = createHash('sha256').update(Buffer.concat([Buffer.from(`${keyOrigin}\n`), typed])).digest().subarray(0, 4);
  return `${keyOrigin}+${id.toString('hex')}+${typed.toString('base64')}`;
}

/** Pins a log key by pasting it, as a user would (the log's own key by default). */
async function pinKey(page, text = env.logKey) {
  const details = page.locator('#key-change');
  if (!(await details.evaluate((node) => node.open))) await page.click('#key-change > summary');
  await page.fill('#key-input', text);
  await page.click('#key-pin');
  const pinned = page.locator('#pinned-key');
  await page.waitForFunction((id) => document.querySelector('#pinned-key').textContent.includes(id), text.split('+')[1]);
  assert.equal(await pinned.getAttribute('data-state'), 'you', 'the pasted key is the trusted one');
  const words = await pinned.textContent();
  assert.ok(words.includes(keyOrigin) && words.includes(text.split('+')[1]), `the trusted key's origin and id are shown: ${words}`);
}

/** Under another key of the same name, the same answers do not verify. */
async function wrongKeyFlow(page) {
  await pinKey(page, otherLogKey());
  await page.waitForFunction(() => /not the key you trust/.test(document.querySelector('#server-key').textContent),
    null, {timeout: SETTLE_MS}); // the server's claimed key is flagged
  const design = await verdictAfter(page, '#design-result', () => page.setInputFiles('#file-input', env.designFile));
  expectVerdict(design, 'not-verified', 'the registered design under another key');
  await screenshot(page, 'wrong-key');
  await pinKey(page);
}

function expectVerdict(result, verdict, what) {
  const word = {'verified': 'Verified', 'not-verified': 'Not verified', 'server-says': 'The server says'}[verdict];
  assert.equal(result.verdict, verdict, `${what}: data-verdict (page says: ${result.text.slice(0, 400)})`);
  assert.equal(result.word, word, `${what}: the visible verdict`);
}

/** Drops a file on the drop zone with a real drop event (DataTransfer holding a File). */
async function dropFile(page, file) {
  const bytes = [...await fs.readFile(file)];
  const transfer = await page.evaluateHandle(({bytes, name}) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name));
    return data;
  }, {bytes, name: path.basename(file)});
  await page.dispatchEvent('#drop-zone', 'drop', {dataTransfer: transfer});
}

async function askCheck(page, question) {
  await page.fill('#check-design', env.designId);
  await page.fill('#check-licensee', env.licensee);
  await page.selectOption('#check-action', question.action);
  await page.selectOption('#check-territory', question.territory);
  await page.selectOption('#check-channel', question.channel);
  await page.selectOption('#check-category', question.category);
  await page.fill('#check-quantity', question.quantity);
  await page.fill('#check-date', question.date);
  return verdictAfter(page, '#check-result', () => page.click('#check-submit'));
}

async function everyControlLabelled(page) {
  const unlabelled = await page.$$eval('input, select, textarea, button', (nodes) => nodes
    .filter((n) => n.tagName === 'BUTTON' ? !n.textContent.trim() : n.labels.length === 0)
    .map((n) => n.id || n.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, [], 'every control has a label');
}

/** The file input is reached with the keyboard alone, and its focus is visible. */
async function keyboardReachesFileInput(page) {
  await page.evaluate(() => document.activeElement?.blur());
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const node = document.activeElement;
      return {id: node?.id, outline: node ? getComputedStyle(node.closest('.dropzone') ?? node).outlineStyle : 'none'};
    });
    if (focused.id === 'file-input') {
      assert.notEqual(focused.outline, 'none', 'the focused drop zone shows its focus');
      return;
    }
  }
  assert.fail('the file input cannot be reached with the Tab key');
}

/** Drops the registered design's file: verified, its owners shown, its SHA-256 matching, its QR drawn. */
async function dropRegisteredDesign(page) {
  const design = await verdictAfter(page, '#design-result', () => dropFile(page, env.designFile));
  expectVerdict(design, 'verified', 'the registered design');
  const shown = await page.$$eval('#owners > li', (items) => items.map((li) => ({
    key: li.dataset.key, share_ppm: Number(li.dataset.sharePpm), text: li.textContent,
  })));
  const byKey = (a, b) => (a.key < b.key ? -1 : 1);
  assert.deepEqual(shown.map(({key, share_ppm}) => ({key, share_ppm})).sort(byKey),
    env.owners.map(({key, share_ppm}) => ({key, share_ppm})).sort(byKey), 'the owners shown');
  for (const owner of shown) assert.ok(owner.text.startsWith(`${owner.key} \u2014 `) && owner.text.endsWith('%'), `owner line "key — share": ${owner.text}`);
  assert.equal(await page.getAttribute('#sha-compare', 'class'), 'match', 'the file\u2019s SHA-256 matches the registered one');
  await page.waitForSelector('#qr svg.qr');
}

async function designFlow(page) {
  await open(page, env.url);
  await everyControlLabelled(page);
  await keyboardReachesFileInput(page);
  await pinKey(page);
  await screenshot(page, 'key-pinned');

  await dropRegisteredDesign(page);
  await screenshot(page, 'design-verified');

  const other = await verdictAfter(page, '#design-result', () => page.setInputFiles('#file-input', env.otherFile));
  expectVerdict(other, 'verified', 'the unregistered file (proof of absence)');
  assert.match(other.text, /Not registered/, 'the page says "Not registered"');
  await screenshot(page, 'not-registered');
}

async function checkFlow(page) {
  const yes = await askCheck(page, allowed);
  expectVerdict(yes, 'verified', 'the allowed license check');
  assert.equal(await page.textContent('#check-verdict'), 'Allowed');
  assert.equal(await page.locator('#check-reasons > li').count(), 0, 'no reason against');
  assert.match(await page.textContent('#check-units'), /\d/, 'units left are shown');
  await screenshot(page, 'check-allowed');

  const no = await askCheck(page, {...allowed, territory: 'US'});
  expectVerdict(no, 'verified', 'the denied license check');
  assert.equal(await page.textContent('#check-verdict'), 'Denied');
  const reasons = await page.$$eval('#check-reasons > li', (items) => items.map((li) => [li.dataset.reason, li.textContent]));
  assert.deepEqual(reasons.map(([code]) => code), ['territory'], 'denied for the territory alone');
  assert.match(reasons[0][1], /territory US/, `the reason in words: ${reasons[0][1]}`);
  await screenshot(page, 'check-denied');
}

async function auditFlow(page) {
  const log = await verdictAfter(page, '#log-result', () => page.click('#log-refresh'));
  expectVerdict(log, 'verified', 'the latest checkpoint');
  assert.match(await page.textContent('#log-size'), /^[1-9][\d,]*$/, 'the log size is shown');
  await page.click('#checkpoint-save');
  const consistent = await verdictAfter(page, '#consistency-result', () => page.click('#consistency-check'));
  expectVerdict(consistent, 'verified', 'consistency from the saved checkpoint');

  const receipt = await fs.readFile(env.receiptFile, 'utf8');
  await page.fill('#audit-input', receipt);
  const good = await verdictAfter(page, '#audit-result', () => page.click('#audit-verify'));
  expectVerdict(good, 'verified', 'the receipt');
  await screenshot(page, 'audit-receipt');

  // The same receipt with one hex digit of its leaf hash changed must fail.
  const value = JSON.parse(receipt);
  const flipped = value.leaf_hash[0] === '0' ? '1' : '0';
  value.leaf_hash = flipped + value.leaf_hash.slice(1);
  await page.fill('#audit-input', JSON.stringify(value));
  const bad = await verdictAfter(page, '#audit-result', () => page.click('#audit-verify'));
  expectVerdict(bad, 'not-verified', 'a receipt with its leaf hash changed');

  // A C2SP tlog-proof bundle for the receipt's entry, made from the log's
  // inclusion proof and checkpoint; the page fetches the entry and checks it.
  const checkpoint = await (await fetch(`${env.url}/checkpoint`)).text();
  const size = Number(checkpoint.split('\n')[1]);
  const inclusion = await (await fetch(`${env.url}/v1/proofs/inclusion?index=${value.index}&tree_size=${size}`)).json();
  const lines = inclusion.inclusion_proof.map((hex) => Buffer.from(hex, 'hex').toString('base64'));
  const bundle = `c2sp.org/tlog-proof@v1\nindex ${value.index}\n${lines.map((l) => `${l}\n`).join('')}\n${checkpoint}`;
  await page.fill('#audit-input', bundle);
  await page.fill('#audit-leaf', '');
  const proven = await verdictAfter(page, '#audit-result', () => page.click('#audit-verify'));
  expectVerdict(proven, 'verified', 'a proof bundle, with the entry fetched from the log');
  await screenshot(page, 'audit-bundle');

  // The same bundle with another entry pasted as its leaf bytes must fail.
  const other = JSON.parse(receipt).entry;
  other.logged_at = other.logged_at.replace(/^\d{4}/, (year) => String(Number(year) - 1));
  await page.fill('#audit-leaf', JSON.stringify(other));
  const wrong = await verdictAfter(page, '#audit-result', () => page.click('#audit-verify'));
  expectVerdict(wrong, 'not-verified', 'a proof bundle with another entry');
  await page.fill('#audit-leaf', '');
}

async function tamperFlow(page) {
  if (!env.tamperUrl) {
    console.log('e2e: SKIPPED the tampered answers (PROVENANT_SKIP=tamper)');
    return;
  }
  await open(page, env.tamperUrl);
  await pinKey(page);
  const design = await verdictAfter(page, '#design-result', () => page.setInputFiles('#file-input', env.designFile));
  expectVerdict(design, 'not-verified', 'a design answer with a state record altered');
  await screenshot(page, 'tampered-design');
  const check = await askCheck(page, allowed);
  expectVerdict(check, 'not-verified', 'a license check answer with a record altered');
  await screenshot(page, 'tampered-check');
}

/**
 * Reads the QR code the page drew: its dark squares from the SVG's path,
 * painted into pixels here and decoded by an independent reader (jsQR).
 */
async function readQr(page) {
  const {path: d, size} = await page.$eval('#qr svg.qr', (svg) => ({
    path: svg.querySelector('path').getAttribute('d'),
    size: Number(svg.getAttribute('viewBox').split(' ')[2]),
  }));
  const scale = 4;
  const width = size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const [, x, y] of d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const at = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
        pixels.fill(0, at, at + 3);
      }
    }
  }
  return jsQR(pixels, width, width)?.data ?? null;
}

async function designPage(page) {
  await open(page, env.url, `/verify/design/${env.designId}`);
  const result = await page.waitForFunction(() => {
    const node = document.querySelector('#design-result');
    return node && !node.hidden && node.dataset.verdict !== 'pending' && node.dataset.verdict;
  }, null, {timeout: SETTLE_MS});
  assert.equal(await result.jsonValue(), 'verified', 'the design page verifies (the key pinned before is kept)');
  const stable = `${env.url}/verify/design/${env.designId}`;
  assert.equal(await page.getAttribute('#design-url', 'href'), stable, 'the design page links its stable URL');
  assert.equal(await readQr(page), stable, 'the QR code reads as the stable URL');
  await screenshot(page, 'design-page');

  await page.setViewportSize({width: 360, height: 780});
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `nothing overflows a 360 px wide screen (by ${overflow} px)`);
  await screenshot(page, 'phone-360');
  await page.setViewportSize({width: 1200, height: 900});
}

/**
 * The verifier saved as one file through the page's own link, opened from
 * disk (file://, no server behind the page): its modules load under its
 * own policy, and it checks the server's answers across origins (CORS).
 */
async function savedFileFlow(page) {
  await open(page, env.url);
  const link = page.locator('#save-page');
  assert.ok(await link.isVisible(), 'the served page offers to save itself');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'provenant-verifier.html');
  const file = path.join(env.shots, download.suggestedFilename());
  await download.saveAs(file);

  const saved = await page.context().newPage();
  watch(saved);
  try {
    await saved.goto(pathToFileURL(file).href);
    await saved.waitForSelector('html[data-ready="true"]', {timeout: SETTLE_MS});
    assert.equal(await saved.evaluate(() => location.protocol), 'file:');
    assert.equal(await saved.locator('#save-page').isVisible(), false, 'a saved file does not offer to save itself');
    const asking = await saved.textContent('#api-current');
    assert.ok(asking.startsWith(`Asking ${env.url}, the server this file was saved from`), `the server it asks: ${asking}`);
    assert.equal(await saved.$eval('#api-form', (form) => form.hidden), true, 'a saved file offers no other server to ask');
    await pinKey(saved);
    await dropRegisteredDesign(saved);
    const stable = `${env.url}/verify/design/${env.designId}`;
    assert.equal(await saved.getAttribute('#design-url', 'href'), stable, 'the saved file links the server\u2019s design page');
    assert.equal(await readQr(saved), stable, 'and its QR code reads as that page');
    const log = await verdictAfter(saved, '#log-result', () => saved.click('#log-refresh'));
    expectVerdict(log, 'verified', 'the latest checkpoint, from the saved file');
    await screenshot(saved, 'saved-file');
  } finally {
    await saved.close();
  }
}

async function timings(page) {
  if (!env.bigFile) {
    console.log('e2e: SKIPPED the timing runs (PROVENANT_SKIP=timing)');
    return;
  }
  await open(page, env.url);
  const hash8MiBms = [];
  for (let i = 0; i < RUNS; i++) {
    await page.evaluate(() => { window.provenantTimings.hashMs = null; });
    await verdictAfter(page, '#design-result', () => page.setInputFiles('#file-input', env.bigFile));
    hash8MiBms.push(await page.evaluate(() => window.provenantTimings.hashMs));
  }
  const verifyCheckMs = [];
  for (let i = 0; i < RUNS; i++) {
    await page.evaluate(() => { window.provenantTimings.verifyCheckMs = null; });
    const result = await askCheck(page, allowed);
    expectVerdict(result, 'verified', `timing run ${i + 1} of the license check`);
    verifyCheckMs.push(await page.evaluate(() => window.provenantTimings.verifyCheckMs));
  }
  // Baselines in the same browser and run: the browser's own one-shot
  // SHA-256 of 8 MiB in memory (WebCrypto has no streaming digest, so the
  // page cannot use it for a file it streams), and the round trip of the
  // license check itself, which the verification comes on top of.
  const baselines = await page.evaluate(async ({runs, question}) => {
    const bytes = new Uint8Array(8 << 20).map((_, i) => i % 251);
    const webCryptoSha256ms = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await crypto.subtle.digest('SHA-256', bytes);
      webCryptoSha256ms.push(performance.now() - start);
    }
    const checkRoundTripMs = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const answer = await fetch('/v1/licenses/check', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(question)});
      await answer.text();
      checkRoundTripMs.push(performance.now() - start);
    }
    return {webCryptoSha256ms, checkRoundTripMs};
  }, {runs: RUNS, question: {design: env.designId, licensee: env.licensee, action: allowed.action, territory: allowed.territory,
    channel: allowed.channel, category: allowed.category, date: `${allowed.date}T00:00:00Z`, quantity: Number(allowed.quantity)}});
  for (const value of [...hash8MiBms, ...verifyCheckMs, ...baselines.webCryptoSha256ms, ...baselines.checkRoundTripMs]) {
    assert.equal(typeof value, 'number', 'every run recorded its time');
  }
  const round = (list) => list.map((ms) => Math.round(ms * 100) / 100);
  console.log(`PROVENANT_TIMINGS ${JSON.stringify({hash8MiBms: round(hash8MiBms), verifyCheckMs: round(verifyCheckMs),
    webCryptoSha256ms: round(baselines.webCryptoSha256ms), checkRoundTripMs: round(baselines.checkRoundTripMs)})}`);
}

async function main() {
  await fs.mkdir(env.shots, {recursive: true});
  const browser = await chromium.launch({
    executablePath: process.env.PROVENANT_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const context = await browser.newContext({viewport: {width: 1200, height: 900}});
  const page = await context.newPage();
  watch(page);
  let step = 'start';
  try {
    for (const [name, run] of [['design', designFlow], ['wrong-key', wrongKeyFlow], ['check', checkFlow], ['audit', auditFlow],
      ['design-page', designPage], ['saved-file', savedFileFlow], ['tamper', tamperFlow], ['timing', timings]]) {
      step = name;
      await run(page);
    }
    assert.deepEqual(problems, [], 'no script error or CSP refusal in the page');
  } catch (error) {
    await page.screenshot({path: path.join(env.shots, `failure-${step}.png`), fullPage: true}).catch(() => {});
    throw new Error(`step "${step}" failed: ${error.message}${problems.length ? `\npage problems:\n${problems.join('\n')}` : ''}`, {cause: error});
  } finally {
    await browser.close();
  }
  console.log(`e2e: ok (${shot} screenshots in ${env.shots})`);
}

main().catch((error) => {
  console.error(`e2e: FAILED: ${error.message}`);
  process.exit(1);
});
