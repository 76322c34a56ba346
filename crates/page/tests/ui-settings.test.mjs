// Which server the page asks, served or saved as a file
// (assets/js/ui/settings.js), and the design page URL it prints
// (assets/js/ui/design-view.js). The browser's `location` and the file's
// `<meta name="provenant-api">` are stood in for.

import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';

import {designUrl} from '../assets/js/ui/design-view.js';
import {apiBase, isServed} from '../assets/js/ui/settings.js';

const ID = 'ab'.repeat(32);

/** The page at `href`, its head holding `<meta name="provenant-api" content=api>` when `api` is given. */
function pageAt(href, api) {
  globalThis.location = new URL(href);
  globalThis.document = {
    querySelector: (selector) => (selector === 'meta[name="provenant-api"]' && api !== undefined
      ? {getAttribute: (name) => (name === 'content' ? api : null)}
      : null),
  };
}

afterEach(() => {
  delete globalThis.location;
  delete globalThis.document;
});

test('a served page asks its own origin and prints its own design pages, whatever a meta says', () => {
  pageAt('http://ledger.example:8080/verify/', 'http://elsewhere.example');
  assert.equal(isServed(), true);
  assert.deepEqual(apiBase(), {base: 'http://ledger.example:8080', source: 'page'});
  assert.equal(designUrl(ID), `http://ledger.example:8080/verify/design/${ID}`);
});

test('a served page still takes ?api=', () => {
  pageAt('https://mirror.example/?api=https://ledger.example/', undefined);
  assert.deepEqual(apiBase(), {base: 'https://ledger.example', source: 'query'});
  assert.equal(designUrl(ID), `https://mirror.example/verify/design/${ID}`);
});

test('a saved file asks the server it was saved from, and prints that server\u2019s design pages', () => {
  pageAt('file:///home/me/provenant-verifier.html?api=https://other.example', 'http://127.0.0.1:8080');
  assert.equal(isServed(), false);
  assert.deepEqual(apiBase(), {base: 'http://127.0.0.1:8080', source: 'file'});
  assert.equal(designUrl(ID), `http://127.0.0.1:8080/verify/design/${ID}`);
});

test('a file naming no usable server falls back to what the user gives', () => {
  pageAt('file:///home/me/provenant-verifier.html', undefined);
  assert.deepEqual(apiBase(), {base: '', source: 'page'});
  pageAt('file:///home/me/provenant-verifier.html?api=https://ledger.example', 'javascript:alert(1)');
  assert.deepEqual(apiBase(), {base: 'https://ledger.example', source: 'query'});
});
