// The auditor's offline check of what someone handed over: a receipt (the
// answer of POST /v1/entries, JSON), a C2SP tlog-proof bundle (with the
// entry's leaf bytes, pasted or fetched from the log), or a bare checkpoint.
// Only the pinned key is needed; the server is asked nothing except, for a
// bundle without leaf bytes, the entry itself, which must then hash to the
// proven leaf.

import {
  canonicalize, parseBundle, parseJson, toBase64, verifyBundle, verifyCheckpoint, verifyReceipt,
} from '../verify/index.js';
import {getJson} from './api.js';
import {byId, code, facts} from './dom.js';
import {trustedKey} from './keys.js';
import {setBody, setVerdict, startCheck} from './verdict.js';
import {count, dateWords} from './words.js';

const BUNDLE_HEADER = 'c2sp.org/tlog-proof@v1';

/** What the pasted text is: 'bundle', 'receipt' or 'checkpoint'. */
export function kindOf(text) {
  const trimmed = text.trimStart();
  if (trimmed.startsWith(BUNDLE_HEADER)) return 'bundle';
  if (trimmed.startsWith('{')) return 'receipt';
  return 'checkpoint';
}

async function receipt(text, key) {
  const value = parseJson(text);
  const {checkpoint: {size}} = await verifyReceipt(value, key);
  return [
    `this ${value.entry.kind} entry is entry ${count(value.index)} of the log of ${key.origin}, whose checkpoint at size ${count(size)} it verifies against.`,
    facts([
      ['Entry', `${count(value.index)}, a ${value.entry.kind}`],
      ['Logged', dateWords(value.entry.logged_at)],
      ['Leaf hash', code(value.leaf_hash)],
      ['Checkpoint size', count(size)],
    ]),
  ];
}

/** The leaf bytes a bundle proves: pasted, or the entry fetched from the log and canonicalised. */
async function leafBytes(index) {
  const pasted = byId('audit-leaf').value;
  if (pasted.trim()) {
    // The entry as JSON (its leaf bytes, or the answer of GET /v1/entries/{index}),
    // however it is spaced: what is proven is its canonical form.
    const value = parseJson(pasted);
    const entry = value && typeof value === 'object' && 'entry' in value && 'index' in value ? value.entry : value;
    return [new TextEncoder().encode(canonicalize(entry)), 'the entry you pasted', entry];
  }
  // The leaf bytes are JCS(entry) (docs/PROTOCOL.md section 9): the
  // bundle's proof then says whether the entry the server sent is the one
  // logged at that index.
  const answer = await getJson(`/v1/entries/${index}`);
  return [new TextEncoder().encode(canonicalize(answer.body.entry)), 'the entry the server sent', answer.body.entry];
}

async function bundle(text, key) {
  const {index} = parseBundle(text);
  const [bytes, source, entry] = await leafBytes(index);
  const checkpoint = await verifyBundle(text, bytes, key);
  return [
    `${source} is entry ${count(index)} of the log of ${key.origin}, proven under its checkpoint at size ${count(checkpoint.size)}.`,
    facts([
      ['Entry', entry ? `${count(index)}, a ${entry.kind}` : count(index)],
      ['Logged', entry ? dateWords(entry.logged_at) : null],
      ['Checkpoint size', count(checkpoint.size)],
      ['Root', code(toBase64(checkpoint.root))],
    ]),
  ];
}

async function checkpoint(text, key) {
  const result = await verifyCheckpoint(text, key);
  return [
    `a checkpoint of ${result.origin} at size ${count(result.size)}, signed by the key you trust.`,
    facts([['Size', count(result.size)], ['Root', code(toBase64(result.root))]]),
  ];
}

async function run() {
  const node = byId('audit-result');
  const text = byId('audit-input').value;
  const trusted = trustedKey();
  if (!text.trim()) {
    setVerdict(node, 'not-verified', 'paste or drop a receipt, a proof bundle or a checkpoint first.');
    setBody(node);
    return;
  }
  if (!trusted) {
    setVerdict(node, 'not-verified', 'no log key is trusted yet: pin the log\u2019s key above.');
    setBody(node);
    return;
  }
  startCheck(node, 'Verifying in this browser\u2026');
  try {
    const kind = kindOf(text);
    const check = {bundle, receipt, checkpoint}[kind];
    const [detail, body] = await check(text, trusted.key);
    setVerdict(node, 'verified', detail);
    setBody(node, body);
  } catch (error) {
    setVerdict(node, 'not-verified', error.message);
    setBody(node);
  }
}

async function readInto(file, target) {
  byId(target).value = await file.text();
}

/** Wires the audit form: paste, choose or drop a file, verify. */
export function initAudit() {
  byId('audit-verify').addEventListener('click', () => run());
  const input = byId('audit-file');
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (file) await readInto(file, 'audit-input');
    input.value = '';
  });
  const zone = byId('audit-drop');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', async (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = event.dataTransfer?.files?.[0];
    if (file) await readInto(file, 'audit-input');
  });
}
