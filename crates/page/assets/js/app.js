// Provenant's verification page: the entry module. Every answer is checked
// in this browser (assets/js/verify/) against a log key the user trusts.
//
// Hooks for tests and tools (stable; change them only with the browser test):
//
// Result regions carry data-verdict = "verified" | "server-says" |
// "not-verified" | "pending", and start with a line whose first words are
// "Verified", "The server says", "Not verified" or "Checking…" (.verdict-word):
//   #design-result       a design looked up (file dropped, id typed, or /verify/design/{id});
//                        "Not registered." appears in it when the design is absent
//   #check-result        a license check
//   #log-result          the latest checkpoint
//   #consistency-result  the saved checkpoint against the latest
//   #audit-result        a receipt, proof bundle or checkpoint pasted or dropped
//
// Key:     #key-input (textarea), #key-pin (button), #key-forget, #key-message,
//          #pinned-key (data-state = none | you | deployment; shows origin and key id),
//          #server-key (what GET /v1/log claims, labelled, never trusted)
// Design:  #file-input (the drop zone #drop-zone is its label), #lookup-id + #lookup-form,
//          #owners > li (text "key — share", data-key, data-share-ppm), #ai-disclosure,
//          #parents, #dispute, #grants > li (data-grant, data-revoked), #sha-compare,
//          #design-link with #design-url and #qr > svg.qr (data-modules)
// Check:   #check-form with #check-design #check-licensee #check-action #check-territory
//          #check-channel #check-category #check-quantity #check-date (yyyy-mm-dd) #check-submit;
//          #check-verdict ("Allowed" | "Denied"), #check-reasons > li (data-reason), #check-units
// Audit:   #audit-input (textarea), #audit-file (#audit-drop is its label), #audit-leaf,
//          #audit-verify; #log-refresh, #log-size, #checkpoint-save, #checkpoint-forget,
//          #saved-checkpoint, #consistency-check
// Settings: #api-input, #api-save, #api-reset, #api-current (#api-form, hidden in a saved file)
// Saving:  #save-page (in #save-line, shown only when served over http(s)): GET /verify/page.html,
//          the page as one file that works from disk (file://), asking the server in its
//          <meta name="provenant-api">
// Timing:  window.provenantTimings = {hashMs, verifyDesignMs, verifyCheckMs} (performance.now()
//          durations of the latest hashing and verifications; null until done), shown in #timing.

import {byId} from './ui/dom.js';
import {initAudit} from './ui/audit.js';
import {initCheck} from './ui/check.js';
import {initDesign, lookUpId, showDesignLink} from './ui/design.js';
import {initKeys, onKeyChange} from './ui/keys.js';
import {initLog, refreshLog} from './ui/logstate.js';
import {initSettings} from './ui/settings-panel.js';
import {apiUrl} from './ui/api.js';
import {isServed} from './ui/settings.js';
import './ui/timing.js';

/** The design id of a design page (/verify/design/{id}), or null. */
function designFromPath() {
  const match = /^\/verify\/design\/([^/]+)\/?$/.exec(location.pathname);
  return match ? decodeURIComponent(match[1]) : null;
}

/** Offers the page as a file to save, when it is not one already. */
function offerSave() {
  if (!isServed()) return;
  byId('save-page').href = apiUrl('/verify/page.html');
  byId('save-line').hidden = false;
}

async function start() {
  initSettings();
  offerSave();
  await initKeys();
  initDesign();
  initCheck();
  initLog();
  initAudit();
  const id = designFromPath();
  if (id) {
    document.body.classList.add('design-page');
    byId('lookup-id').value = id;
    lookUpId(id);
    if (/^[0-9a-f]{64}$/.test(id)) showDesignLink(id);
  }
  refreshLog();
  onKeyChange(() => {
    // A verdict on screen was reached under the previous key: withdraw it.
    for (const region of ['design-result', 'check-result', 'consistency-result', 'audit-result']) {
      const node = byId(region);
      node.hidden = true;
      node.dataset.verdict = 'pending';
    }
    refreshLog();
    if (id) lookUpId(id);
  });
  document.documentElement.dataset.ready = 'true';
}

start().catch((error) => {
  document.documentElement.dataset.ready = 'error';
  byId('key-message').textContent = `The page failed to start: ${error.message}`;
  throw error;
});
