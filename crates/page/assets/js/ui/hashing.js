// A file's BLAKE3 (its design id) and SHA-256, computed in the browser and
// never sent anywhere. BLAKE3 comes from the vendored hash-wasm build (which
// adds itself to globalThis.hashwasm). SHA-256 comes from WebCrypto for a
// file small enough to hold in memory (six times faster here, and off the
// page's thread); WebCrypto has no incremental digest, so a larger file is
// streamed in chunks through hash-wasm's SHA-256 instead, never held whole.

import '../../vendor/hash-wasm/blake3.umd.min.js';
import '../../vendor/hash-wasm/sha256.umd.min.js';

function library() {
  const lib = globalThis.hashwasm;
  if (!lib?.createBLAKE3 || !lib?.createSHA256) throw new Error('the hashing library did not load');
  return lib;
}

/**
 * Compiles both hashers' WebAssembly once, when the page loads, so that
 * hashing a file (and its timing) is the hashing alone. Resolves when ready;
 * a failure is reported by hashFile.
 */
export const hashersReady = Promise.resolve()
  .then(() => Promise.all([library().createBLAKE3(), library().createSHA256()]))
  .then(() => true, () => false);

/** Files up to this size are read whole and their SHA-256 is WebCrypto's. */
const IN_MEMORY = 64 << 20;

/** How much BLAKE3 takes at a time between progress reports. */
const SLICE = 1 << 20;

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Hashes a Blob (a File): {blake3, sha256, size}, hashes as lower-case hex.
 * `onProgress(bytesDone, size)` is called after each chunk.
 */
export async function hashFile(file, onProgress = () => {}) {
  return file.size <= IN_MEMORY ? hashInMemory(file, onProgress) : hashStreamed(file, onProgress);
}

async function hashInMemory(file, onProgress) {
  const blake3 = await library().createBLAKE3();
  const bytes = new Uint8Array(await file.arrayBuffer());
  // Started first: WebCrypto digests while BLAKE3 runs here.
  const sha256 = crypto.subtle.digest('SHA-256', bytes);
  blake3.init();
  for (let at = 0; at < bytes.byteLength; at += SLICE) {
    blake3.update(bytes.subarray(at, at + SLICE));
    onProgress(Math.min(at + SLICE, bytes.byteLength), file.size);
  }
  return {blake3: blake3.digest('hex'), sha256: hex(await sha256), size: bytes.byteLength};
}

async function hashStreamed(file, onProgress) {
  const lib = library();
  const [blake3, sha256] = await Promise.all([lib.createBLAKE3(), lib.createSHA256()]);
  blake3.init();
  sha256.init();
  let done = 0;
  const reader = file.stream().getReader();
  for (;;) {
    const {done: finished, value} = await reader.read();
    if (finished) break;
    blake3.update(value);
    sha256.update(value);
    done += value.byteLength;
    onProgress(done, file.size);
  }
  return {blake3: blake3.digest('hex'), sha256: sha256.digest('hex'), size: done};
}
