// What the page remembers in localStorage, and where it sends requests.
//
// Keys: `provenant.logKey` (the key the user pinned), `provenant.api` (an API
// base URL the user saved), `provenant.checkpoint.<origin>` (a checkpoint the
// user saved, per log). Storage may be unavailable (a private window, a
// saved file): then nothing is remembered and nothing breaks.

const PREFIX = 'provenant.';

export function load(name) {
  try {
    return globalThis.localStorage?.getItem(PREFIX + name) ?? null;
  } catch {
    return null;
  }
}

export function save(name, value) {
  try {
    globalThis.localStorage?.setItem(PREFIX + name, value);
    return true;
  } catch {
    return false;
  }
}

export function forget(name) {
  try {
    globalThis.localStorage?.removeItem(PREFIX + name);
  } catch {
    // Nothing stored, nothing to forget.
  }
}

/**
 * An http(s) base URL without a trailing slash, or throws. A base with a
 * path (`https://host/ledger`) is kept: routes are appended to it.
 */
export function normaliseBase(text) {
  const url = new URL(text.trim());
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('the API address must start with http:// or https://');
  }
  if (url.search || url.hash) throw new Error('the API address takes no query or fragment');
  return url.href.replace(/\/+$/, '');
}

/**
 * The API's base URL: `?api=` in the page's address, else the saved
 * setting, else the page's own origin (the page and the API are served
 * together). Returns {base, source} with source `query`, `saved` or `page`.
 */
export function apiBase() {
  const query = new URLSearchParams(location.search).get('api');
  for (const [text, source] of [[query, 'query'], [load('api'), 'saved']]) {
    if (!text) continue;
    try {
      return {base: normaliseBase(text), source};
    } catch {
      // An unusable override is ignored; the page's origin still works.
    }
  }
  const own = location.protocol === 'http:' || location.protocol === 'https:' ? location.origin : '';
  return {base: own, source: 'page'};
}
