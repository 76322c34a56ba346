// What the page remembers in localStorage, and where it sends requests.
//
// Keys: `provenant.logKey` (the key the user pinned), `provenant.api` (an API
// base URL the user saved), `provenant.checkpoint.<origin>` (a checkpoint the
// user saved, per log). Storage may be unavailable (a private window, a
// saved file): then nothing is remembered and nothing breaks.
//
// A saved file (`GET /verify/page.html`, opened from disk) asks the server
// named in its `<meta name="provenant-api">`, which it was saved from.

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

/** Whether the page was served over http(s); if not, it is a saved file (`file://`). */
export function isServed() {
  return location.protocol === 'http:' || location.protocol === 'https:';
}

/**
 * The server a saved file was made for (`<meta name="provenant-api">`, put
 * in by `GET /verify/page.html`), normalised; null when there is none or it
 * is unusable.
 */
export function fileApiBase() {
  const text = globalThis.document?.querySelector('meta[name="provenant-api"]')?.getAttribute('content');
  if (!text) return null;
  try {
    return normaliseBase(text);
  } catch {
    return null;
  }
}

/**
 * The API's base URL. In a saved file that names its server, that server
 * (its Content-Security-Policy lets it ask no other). Otherwise `?api=` in
 * the page's address, else the saved setting, else the page's own origin
 * (the page and the API are served together). Returns {base, source} with
 * source `file`, `query`, `saved` or `page`.
 */
export function apiBase() {
  if (!isServed()) {
    const base = fileApiBase();
    if (base) return {base, source: 'file'};
  }
  const query = new URLSearchParams(location.search).get('api');
  for (const [text, source] of [[query, 'query'], [load('api'), 'saved']]) {
    if (!text) continue;
    try {
      return {base: normaliseBase(text), source};
    } catch {
      // An unusable override is ignored; the page's origin still works.
    }
  }
  return {base: isServed() ? location.origin : '', source: 'page'};
}
