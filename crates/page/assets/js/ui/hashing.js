// A file's BLAKE3 (its design id) and SHA-256, computed in the browser in one
// streamed pass: the file is read in chunks and never held whole, nor sent
// anywhere. Both hashes come from the vendored hash-wasm builds (WebCrypto
// has no streaming SHA-256), which add themselves to globalThis.hashwasm.

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

/**
 * Hashes a Blob (a File): {blake3, sha256, size}, hashes as lower-case hex.
 * `onProgress(bytesDone, size)` is called after each chunk.
 */
export async function hashFile(file, onProgress = () => {}) {
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
