// The log key the page trusts. It comes from the page's deployment (a meta
// tag the server fills in at start-up) or from the user, who pastes it and
// keeps it in localStorage; the user's key wins. It is never taken from the
// server being checked: `GET /v1/log` is only shown beside it, labelled.

import {parseLogKey} from '../verify/index.js';
import {byId, code, h, replace} from './dom.js';
import {forget, load, save} from './settings.js';
import {getJson} from './api.js';

const listeners = [];
let trusted = null;

/** The deployment's key text from `<meta name="provenant-log-key">`, or null. */
export function deploymentKeyText() {
  const text = document.querySelector('meta[name="provenant-log-key"]')?.getAttribute('content')?.trim();
  return text || null;
}

/** The trusted key: {key, source: 'you' | 'deployment'} or null. Its key is parseLogKey's result. */
export function trustedKey() {
  return trusted;
}

/** Calls `listener(trusted)` whenever the trusted key changes. */
export function onKeyChange(listener) {
  listeners.push(listener);
}

/** Hex of a key id however the verifier gives it (hex text, number or bytes). */
export function keyIdHex(keyId) {
  if (typeof keyId === 'number') return keyId.toString(16).padStart(8, '0');
  if (keyId instanceof Uint8Array) return Array.from(keyId, (b) => b.toString(16).padStart(2, '0')).join('');
  return String(keyId);
}

async function resolve() {
  const stored = load('logKey');
  if (stored) {
    try {
      return {key: await parseLogKey(stored), source: 'you'};
    } catch (error) {
      message(`The key saved in this browser is not a log key (${error.message}); it is ignored.`, true);
    }
  }
  const deployed = deploymentKeyText();
  if (deployed) {
    try {
      return {key: await parseLogKey(deployed), source: 'deployment'};
    } catch (error) {
      message(`The key this page was deployed with is not a log key (${error.message}).`, true);
    }
  }
  return null;
}

function message(text, isError = false) {
  const node = byId('key-message');
  node.textContent = text;
  node.classList.toggle('error', isError);
}

function render() {
  const panel = byId('pinned-key');
  panel.dataset.state = trusted ? trusted.source : 'none';
  if (!trusted) {
    replace(panel, h('strong', {}, 'No log key is trusted yet.'), ' Paste the log\u2019s verifier key below: until you do, nothing can be verified.');
    byId('key-change').open = true;
  } else {
    const {key, source} = trusted;
    replace(panel,
      h('span', {class: 'key-origin'}, 'Log ', h('strong', {}, key.origin)),
      ' \u00b7 key id ', code(keyIdHex(key.keyId)),
      h('span', {class: 'key-source'}, source === 'you' ? ' \u00b7 pinned by you in this browser' : ' \u00b7 set by this page\u2019s deployment'));
  }
  byId('key-forget').hidden = !(trusted?.source === 'you');
  showServerKey();
}

/** Shows what the server says its key is, and whether it is the trusted one. It changes no trust. */
async function showServerKey() {
  const node = byId('server-key');
  let claimed;
  try {
    claimed = (await getJson('/v1/log')).body.verifier_key;
  } catch (error) {
    // A bucket of published tiles (docs/PROTOCOL.md section 19) answers
    // no API route, with a status but no problem document.
    const bucket = !error.problem && [403, 404].includes(error.status);
    replace(node, bucket
      ? 'This address answers no Provenant API (a bucket where the log\u2019s tiles are published?): it says no key, which is why the key you pin is the only one trusted.'
      : `The server did not say which key it signs with (${error.message}).`);
    return;
  }
  if (typeof claimed !== 'string') {
    replace(node, 'The server did not say which key it signs with.');
    return;
  }
  const same = trusted && claimed.trim() === trusted.key.text.trim();
  replace(node, 'The server says its key is ', code(claimed), '. ',
    !trusted ? 'This page does not trust it for that: check it against a source you trust before pinning it.'
      : same ? 'That is the key you trust.'
        : h('strong', {class: 'warning'}, 'That is not the key you trust: its answers will not verify.'));
}

function setTrusted(next) {
  trusted = next;
  render();
  for (const listener of listeners) listener(trusted);
}

/** Reads the trusted key and wires the key panel's controls. */
export async function initKeys() {
  trusted = await resolve();
  render();
  byId('key-pin').addEventListener('click', async () => {
    const text = byId('key-input').value.trim();
    let key;
    try {
      key = await parseLogKey(text);
    } catch (error) {
      message(`That is not a log verifier key: ${error.message}`, true);
      return;
    }
    if (!save('logKey', key.text ?? text)) message('Your browser keeps no storage here: the key is trusted until you leave the page.');
    else message(`Trusting the key of ${key.origin}.`);
    byId('key-input').value = '';
    byId('key-change').open = false;
    setTrusted({key, source: 'you'});
  });
  byId('key-forget').addEventListener('click', async () => {
    forget('logKey');
    message('The key you pinned is forgotten.');
    setTrusted(await resolve());
  });
}
