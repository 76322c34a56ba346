// The shopper's and creator's flow: a file is hashed here, the log is asked
// about its BLAKE3, and the answer is shown as verified only once every
// proof checks against the pinned key (verifyDesign) and the registration
// entry fetched from the log is the one proven (verifyRegistration).
// "Not registered" is said only when the log's proof of absence verifies.

import {verifyAbsence, verifyDesign, verifyEntries, verifyRegistration} from '../verify/index.js';
import {getJson} from './api.js';
import {byId, h, replace} from './dom.js';
import {absentView, designUrl, designView} from './design-view.js';
import {hashFile, hashersReady} from './hashing.js';
import {trustedKey} from './keys.js';
import {hold} from './memory.js';
import {qrSvg} from './qr.js';
import {record, timed} from './timing.js';
import {latestOnly, setBody, setVerdict, startCheck} from './verdict.js';
import {count} from './words.js';

const DESIGN_ID = /^[0-9a-f]{64}$/;
const region = () => byId('design-result');
const latest = latestOnly();

function whatWasChecked(checkpoint, key) {
  const size = checkpoint?.size === undefined ? '' : ` at log size ${count(checkpoint.size)}`;
  return `checked in this browser against the key of ${key.origin}${size}: the checkpoint\u2019s signature, the inclusion proofs and the state proofs.`;
}

/** Hashes `file` and looks its design up. */
export function lookUpFile(file) {
  return latest(async (current) => {
    startCheck(region(), `Hashing ${file.name} (${count(file.size)} bytes) in this browser\u2026`);
    let hashes;
    await hashersReady;
    try {
      let ms;
      let shown = performance.now();
      const progress = (done, size) => {
        // At most four updates a second, so a large file's progress costs nothing measurable.
        if (performance.now() - shown < 250 || !current()) return;
        shown = performance.now();
        setVerdict(region(), 'pending', `Hashing ${file.name}: ${Math.floor((100 * done) / Math.max(size, 1))}%\u2026`);
      };
      [hashes, ms] = await timed(() => hashFile(file, progress));
      record('hashMs', ms);
    } catch (error) {
      if (current()) setVerdict(region(), 'not-verified', `the file could not be hashed: ${error.message}`);
      return;
    }
    if (current()) await lookUp(hashes.blake3, hashes, current);
  });
}

/** Looks a design up by id (the design page, or an id typed in). */
export function lookUpId(id) {
  return latest((current) => lookUp(id, null, current));
}

async function lookUp(id, hashes, current) {
  const node = region();
  replace(byId('design-link'));
  if (!DESIGN_ID.test(id)) {
    setVerdict(node, 'not-verified', `\u201c${id}\u201d is not a design id (64 lower-case hex digits).`);
    setBody(node);
    return;
  }
  const trusted = trustedKey();
  if (!trusted) {
    setVerdict(node, 'not-verified', 'no log key is trusted yet: pin the log\u2019s key above, then try again.');
    setBody(node);
    return;
  }
  startCheck(node, `Asking the log about design ${id.slice(0, 16)}\u2026`);
  try {
    const answer = await getJson(`/v1/designs/${id}`, {accept: [404]});
    if (!current()) return;
    if (answer.status === 404) await showAbsent(id, hashes, answer.body, trusted.key, current);
    else await showRegistered(id, hashes, answer.body, trusted.key, current);
  } catch (error) {
    if (current()) {
      setVerdict(node, 'not-verified', error.message);
      setBody(node);
    }
  }
}

async function showAbsent(id, hashes, problem, key, current) {
  const node = region();
  const absence = problem?.absence;
  if (!absence) {
    setVerdict(node, 'server-says', 'it is not registered, but sent no proof of absence, so this is its word only.');
    setBody(node, absentView(id, hashes));
    return;
  }
  try {
    const [result] = await timed(() => verifyAbsence(absence, id, key));
    const fresh = await hold(result.checkpoint, key);
    if (!current()) return;
    setVerdict(node, 'verified', `not registered. The log proves that no design has this content, ${whatWasChecked(result.checkpoint, key)} ${fresh}`);
  } catch (error) {
    if (!current()) return;
    if (error.code === 'no-state') {
      try {
        await verifyEntries(absence, key, 'absence');
        setVerdict(node, 'server-says', 'it is not registered; the log has no state commitment yet to prove it.');
      } catch (inner) {
        setVerdict(node, 'not-verified', `the server says it is not registered, but its answer fails: ${inner.message}`);
      }
    } else {
      setVerdict(node, 'not-verified', `the server says it is not registered, but its proof of absence fails: ${error.message}`);
    }
  }
  setBody(node, h('p', {class: 'absent'}, 'Not registered.'), absentView(id, hashes));
}

/** Verifies the design answer and its registration entry: [verdict, detail], and the time spent verifying. */
async function judge(id, answer, key) {
  if (answer?.id !== id || answer?.content?.blake3 !== id) {
    return [['not-verified', 'the server answered about another design than the one asked.'], 0];
  }
  let verdict;
  let spent = 0;
  try {
    const [result, ms] = await timed(() => verifyDesign(answer, key));
    spent += ms;
    verdict = ['verified', `${whatWasChecked(result.checkpoint, key)} ${await hold(result.checkpoint, key)}`];
  } catch (error) {
    if (error.code !== 'no-state') return [['not-verified', error.message], spent];
    try {
      const [, ms] = await timed(() => verifyEntries(answer, key, 'design'));
      spent += ms;
      verdict = ['server-says', 'the owners and licenses below are its word. The entries they rest on are proven in the log, but the log has no state commitment yet to prove the state.'];
    } catch (inner) {
      return [['not-verified', inner.message], spent];
    }
  }
  // The title, creators, AI disclosure and content hashes are the
  // registration's, which the state does not hold: fetch that entry and
  // check it is the proven one and says what the answer says.
  let entry;
  try {
    entry = await getJson(`/v1/entries/${answer.registered.index}`);
  } catch (error) {
    return [['not-verified', `the registration entry could not be fetched to check the details: ${error.message}`], spent];
  }
  try {
    const [, ms] = await timed(() => verifyRegistration(answer, entry.body));
    spent += ms;
  } catch (error) {
    return [['not-verified', error.message], spent];
  }
  return [verdict, spent];
}

async function showRegistered(id, hashes, answer, key, current) {
  const node = region();
  const [[verdict, detail], spent] = await judge(id, answer, key);
  if (!current()) return;
  if (verdict === 'not-verified') {
    setVerdict(node, verdict, `${detail.replace(/\.?$/, '.')} Do not rely on what follows.`);
    setBody(node, designView(answer, hashes));
    return;
  }
  record('verifyDesignMs', spent);
  setVerdict(node, verdict, detail);
  setBody(node, designView(answer, hashes));
  const check = byId('check-design');
  if (!check.value) check.value = id;
  showDesignLink(id);
}

/** The design's stable page and a QR code of it. */
export function showDesignLink(id) {
  const url = designUrl(id);
  replace(byId('design-link'),
    h('p', {}, 'This design\u2019s page: ', h('a', {href: url, id: 'design-url'}, url)),
    h('figure', {id: 'qr'}, qrSvg(url, `QR code of ${url}`), h('figcaption', {}, 'Print it on a tag: a phone opens the proof.')));
}

/** Wires the drop zone, the file input and the id form. */
export function initDesign() {
  const input = byId('file-input');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) lookUpFile(file).finally(() => { input.value = ''; });
  });
  const zone = byId('drop-zone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = event.dataTransfer?.files?.[0];
    if (file) lookUpFile(file);
  });
  byId('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    lookUpId(byId('lookup-id').value.trim());
  });
}
