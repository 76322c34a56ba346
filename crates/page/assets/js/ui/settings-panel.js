// The settings panel: which API the page asks. By default the page's own
// origin; `?api=` in the address or a saved setting points it elsewhere (for
// a copy of the page hosted away from the ledger; the read routes allow it).
// A saved file asks the server it was saved from and offers no choice.

import {byId} from './dom.js';
import {apiBase, forget, normaliseBase, save} from './settings.js';

function show() {
  const {base, source} = apiBase();
  const where = base || 'this page\u2019s own address';
  byId('api-current').textContent = {
    query: `Asking ${where} (from ?api= in the address).`,
    saved: `Asking ${where} (saved in this browser).`,
    page: `Asking ${where}.`,
    file: `Asking ${where}, the server this file was saved from: its security policy lets it ask no other.`,
  }[source];
  byId('api-reset').hidden = source !== 'saved';
  byId('api-form').hidden = source === 'file';
}

/** Wires the API address form. Changing it reloads the page, so every panel asks the new API. */
export function initSettings() {
  show();
  byId('api-save').addEventListener('click', () => {
    try {
      save('api', normaliseBase(byId('api-input').value));
      location.reload();
    } catch (error) {
      byId('api-current').textContent = `Not saved: ${error.message}.`;
    }
  });
  byId('api-reset').addEventListener('click', () => {
    forget('api');
    location.reload();
  });
}
