// This browser's memory of each log, as the command line keeps one in its
// cache directory: the largest checkpoint it verified, per log key, in
// localStorage (`provenant.memory.<log key>`). An answer is then held to
// it: a larger checkpoint must extend the remembered one (a consistency
// proof, fetched and checked here) and is remembered; a smaller one is a
// stale answer (an old one, replayed) and is refused; one of the same size
// with another root is a fork, shown with both checkpoints. The age shown
// is how long ago this browser first saw the checkpoint it verified.

import {verifyCheckpoint, verifyConsistency} from '../verify/index.js';
import {getJson} from './api.js';
import {load, save} from './settings.js';
import {count} from './words.js';

function storageName(key) {
  return `memory.${key.text}`;
}

function read(key) {
  try {
    const kept = JSON.parse(load(storageName(key)) ?? 'null');
    return kept && typeof kept.text === 'string' && Number.isFinite(kept.seenAt) ? kept : null;
  } catch {
    return null;
  }
}

/**
 * Remembers `checkpoint` unless, read again just now, the memory already
 * holds a checkpoint at least as large (another tab, or another check of
 * this page, remembered it meanwhile): the memory never moves backwards.
 */
async function write(key, checkpoint, seenAt) {
  const kept = read(key);
  if (kept) {
    try {
      if ((await verifyCheckpoint(kept.text, key)).size >= checkpoint.size) return;
    } catch {
      // A memory that does not verify is replaced.
    }
  }
  save(storageName(key), JSON.stringify({text: checkpoint.text, seenAt}));
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function ago(then, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  const units = [[86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, unit] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
    }
  }
  return seconds < 5 ? 'just now' : `${seconds} seconds ago`;
}

/** The evidence of a fork: both checkpoints, whole. */
function fork(why, before, now) {
  return new Error(`fork: ${why}. The log's key signed both of these, and they cannot both be its history. Verified before:\n${before}\nIn this answer:\n${now}`);
}

/**
 * Holds a verified answer's checkpoint (`{size, root, text}`, signed by
 * `key`) to this browser's memory of the log, remembers it when it is
 * newer, and returns a sentence on its freshness.
 *
 * @throws {Error} a stale answer, a fork (with both checkpoints), or a
 *   consistency proof that could not be fetched.
 */
export async function hold(checkpoint, key, now = Date.now()) {
  const kept = read(key);
  if (!kept) {
    await write(key, checkpoint, now);
    return 'This browser saw this log for the first time just now.';
  }
  const before = await verifyCheckpoint(kept.text, key);
  if (checkpoint.size < before.size) {
    throw new Error(`stale: the answer is at log size ${count(checkpoint.size)}, and this browser already verified the log at size ${count(before.size)} (${ago(kept.seenAt, now)}): an old answer, replayed or cached. Do not rely on it`);
  }
  if (checkpoint.size === before.size) {
    if (String(checkpoint.root) !== String(before.root)) {
      throw fork(`two different trees of size ${count(before.size)}`, kept.text, checkpoint.text);
    }
    return `The log as this browser first saw it ${ago(kept.seenAt, now)}.`;
  }
  if (before.size > 0) {
    const proof = await getJson(`/v1/proofs/consistency?from=${before.size}&to=${checkpoint.size}`);
    try {
      await verifyConsistency(kept.text, checkpoint.text, proof.body, key);
    } catch (error) {
      // Only a proof that fails is evidence; a malformed answer is not.
      if (error.code === 'inconsistent') throw fork(error.message, kept.text, checkpoint.text);
      throw new Error(`the log's consistency proof from size ${count(before.size)} could not be checked: ${error.message}`);
    }
  }
  await write(key, checkpoint, now);
  return `It extends the log this browser verified at size ${count(before.size)} (${ago(kept.seenAt, now)}); first seen just now.`;
}
