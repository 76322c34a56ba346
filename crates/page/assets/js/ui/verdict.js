// The verdict of a result region: its `data-verdict` (the tests' hook) and
// the words shown first in it. Only four verdicts exist:
//   verified      every proof checked in this browser against the pinned key
//   server-says   the entries are proven, but what was computed from them is the server's word
//   not-verified  something failed to verify (or could not be asked): do not rely on it
//   pending       still hashing, asking or checking

import {h, replace} from './dom.js';

export const WORDS = {
  'verified': 'Verified',
  'server-says': 'The server says',
  'not-verified': 'Not verified',
  'pending': 'Checking\u2026',
};

/** The verdict line of `region` (created on first use, always its first child). */
function line(region) {
  let node = region.querySelector(':scope > .verdict');
  if (!node) {
    node = h('p', {class: 'verdict'}, h('span', {class: 'verdict-word'}), h('span', {class: 'verdict-detail'}));
    region.prepend(node);
  }
  return node;
}

/** Sets the verdict of `region`, with a sentence saying what it rests on. */
export function setVerdict(region, verdict, detail = '') {
  if (!(verdict in WORDS)) throw new Error(`unknown verdict ${verdict}`);
  region.hidden = false;
  region.dataset.verdict = verdict;
  region.setAttribute('aria-busy', verdict === 'pending' ? 'true' : 'false');
  const node = line(region);
  node.querySelector('.verdict-word').textContent = WORDS[verdict];
  const separator = verdict === 'pending' ? ' ' : ': ';
  node.querySelector('.verdict-detail').textContent = detail ? separator + detail : '';
}

/** The region's body (everything below the verdict line), emptied and filled with `children`. */
export function setBody(region, ...children) {
  let body = region.querySelector(':scope > .result-body');
  if (!body) {
    body = h('div', {class: 'result-body'});
    region.append(body);
  }
  return replace(body, ...children);
}

/** Starts a check: pending, with the body emptied. */
export function startCheck(region, detail) {
  setVerdict(region, 'pending', detail);
  setBody(region);
}

/**
 * Runs the latest of several overlapping tasks on one region: a result that
 * arrives after a newer task started is dropped, so a slow answer for an
 * earlier file can never overwrite the verdict of the file chosen since.
 */
export function latestOnly() {
  let current = 0;
  return (task) => {
    const mine = ++current;
    return task(() => mine === current);
  };
}
