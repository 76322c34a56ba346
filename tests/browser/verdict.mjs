// What the browser scripts share: how long the page may take to settle, and
// reading a result region's verdict after an action.

/** How long a verdict may take to come. */
export const SETTLE_MS = 30_000;

/** Marks a result region stale, runs `action`, and waits for its new verdict. */
export async function verdictAfter(page, selector, action) {
  await page.$eval(selector, (node) => { node.dataset.verdict = 'pending'; });
  await action();
  await page.waitForFunction((sel) => {
    const node = document.querySelector(sel);
    return node && !node.hidden && node.dataset.verdict !== 'pending';
  }, selector, {timeout: SETTLE_MS});
  return page.$eval(selector, (node) => ({
    verdict: node.dataset.verdict,
    word: node.querySelector('.verdict-word')?.textContent ?? '',
    text: node.textContent,
  }));
}
