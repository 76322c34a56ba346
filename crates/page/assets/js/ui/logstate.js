// The auditor's view of the log: its latest checkpoint (verified against the
// pinned key), a checkpoint the user saved earlier in this browser, and the
// consistency proof between the two (an append-only log passes; one that
// shrank, forked or was rewritten fails). The address asked may also be
// where the log's tiles are published (a bucket, a CDN: docs/PROTOCOL.md
// section 19), which answers no proofs route: the proof is then computed
// from the published hash tiles, and verified all the same.

import {consistencyFromTiles, toBase64, toHex, verifyCheckpoint, verifyConsistency} from '../verify/index.js';
import {getBytes, getJson, getText} from './api.js';
import {byId, code, facts, h, replace} from './dom.js';
import {trustedKey} from './keys.js';
import {forget, load, save} from './settings.js';
import {latestOnly, setBody, setVerdict, startCheck} from './verdict.js';
import {count} from './words.js';

let latest = null; // the latest verified checkpoint: verifyCheckpoint's result
const freshest = latestOnly();

function savedName(origin) {
  return `checkpoint.${origin}`;
}

function readSaved(origin) {
  try {
    const saved = JSON.parse(load(savedName(origin)) ?? 'null');
    return saved && typeof saved.text === 'string' ? saved : null;
  } catch {
    return null;
  }
}

function checkpointFacts(checkpoint) {
  return facts([
    ['Log', checkpoint.origin],
    ['Size', h('span', {id: 'log-size'}, count(checkpoint.size))],
    ['Root', code(typeof checkpoint.root === 'string' ? checkpoint.root : toBase64(checkpoint.root))],
  ]);
}

/** Fetches and verifies the latest checkpoint into #log-result. */
export function refreshLog() {
  return freshest(async (current) => {
    const node = byId('log-result');
    latest = null;
    byId('checkpoint-save').disabled = true;
    const trusted = trustedKey();
    if (!trusted) {
      setVerdict(node, 'not-verified', 'no log key is trusted yet: pin the log\u2019s key above.');
      setBody(node);
      return;
    }
    startCheck(node, 'Fetching the latest checkpoint\u2026');
    try {
      const text = await getText('/checkpoint');
      const checkpoint = await verifyCheckpoint(text, trusted.key);
      if (!current()) return;
      latest = {...checkpoint, text: checkpoint.text ?? text};
      setVerdict(node, 'verified', `the latest checkpoint is signed by the key of ${trusted.key.origin}.`);
      setBody(node, checkpointFacts(latest));
      byId('checkpoint-save').disabled = false;
    } catch (error) {
      if (!current()) return;
      setVerdict(node, 'not-verified', error.message);
      setBody(node);
    }
    showSaved();
  });
}

/** Shows the checkpoint saved for the trusted log, if any. */
function showSaved() {
  const trusted = trustedKey();
  const saved = trusted && readSaved(trusted.key.origin);
  const node = byId('saved-checkpoint');
  byId('consistency-check').disabled = !saved;
  byId('checkpoint-forget').hidden = !saved;
  if (!saved) {
    replace(node, 'No checkpoint saved in this browser for this log yet.');
    return;
  }
  const size = /^[^\n]*\n(\d+)\n/.exec(saved.text)?.[1];
  replace(node, `Saved ${saved.savedAt ? new Date(saved.savedAt).toLocaleString('en') : ''}: the log at size ${size ? count(Number(size)) : '?'}.`);
}

async function checkConsistency() {
  const node = byId('consistency-result');
  const trusted = trustedKey();
  const saved = trusted && readSaved(trusted.key.origin);
  if (!saved) return;
  startCheck(node, 'Checking that the log only grew since the checkpoint you saved\u2026');
  try {
    await refreshLog();
    if (!latest) throw new Error('the latest checkpoint did not verify');
    const old = await verifyCheckpoint(saved.text, trusted.key);
    if (old.size > latest.size) {
      throw new Error(`the log is now smaller (${count(latest.size)}) than the checkpoint you saved (${count(old.size)}): it shrank or forked`);
    }
    const {answer, fromTiles} = await consistencyProof(old.size, latest.size);
    await verifyConsistency(saved.text, latest.text, answer, trusted.key);
    const how = fromTiles ? ' (proven from the log\u2019s published tiles)' : '';
    setVerdict(node, 'verified', `the log at size ${count(latest.size)} extends the one you saved at size ${count(old.size)}: nothing was removed or rewritten${how}.`);
    setBody(node);
  } catch (error) {
    setVerdict(node, 'not-verified', error.message);
    setBody(node);
  }
}

/**
 * The consistency proof from `from` to `to`: the server's answer, or, where
 * the address is a bucket of published tiles (which answers the route with
 * a 403 or 404 that is no problem document), one computed from its tiles.
 */
async function consistencyProof(from, to) {
  try {
    const proof = await getJson(`/v1/proofs/consistency?from=${from}&to=${to}`);
    return {answer: proof.body, fromTiles: false};
  } catch (error) {
    if (error.problem || ![403, 404].includes(error.status)) throw error;
  }
  const hashes = from === 0 || from === to ? [] : await consistencyFromTiles(from, to, (path) => getBytes(`/${path}`));
  return {answer: {from, to, consistency_proof: hashes.map(toHex)}, fromTiles: true};
}

/** Wires the log panel's buttons. */
export function initLog() {
  byId('log-refresh').addEventListener('click', () => refreshLog());
  byId('checkpoint-save').addEventListener('click', () => {
    if (!latest) return;
    const stored = save(savedName(latest.origin), JSON.stringify({text: latest.text, savedAt: new Date().toISOString()}));
    byId('saved-checkpoint').textContent = stored ? '' : 'Your browser keeps no storage here: nothing was saved.';
    if (stored) showSaved();
  });
  byId('checkpoint-forget').addEventListener('click', () => {
    const trusted = trustedKey();
    if (trusted) forget(savedName(trusted.key.origin));
    showSaved();
  });
  byId('consistency-check').addEventListener('click', () => checkConsistency());
}
