// Provenant's verifier for the browser (and Node): everything the Rust
// verifier (crates/api/src/verify.rs) checks, with the same verdicts, on
// WebCrypto alone. Pure ES modules, no DOM.
//
// Answers are given as JSON text (read strictly: a member name repeated in
// one object is refused) or as values from `parseJson`; the log's key as
// the result of `parseLogKey` (or its text). Every failure is a
// `VerifyError` with a stable `.code` and a message naming what failed.

export { VerifyError, CODES } from './errors.js';
export { parseJson } from './json.js';
export { canonicalize, jcs } from './jcs.js';
export { toHex, fromHex, toBase64, fromBase64, utf8 } from './bytes.js';
export { sha256 } from './hash.js';
export { verifySignature } from './ed25519.js';
export { parseTimestamp } from './timestamp.js';
export { parseLogKey, verifyCheckpoint } from './checkpoint.js';
export { verifyBundle, parseBundle } from './bundle.js';
export { verifyDesign, verifyGrant, verifyCheck, verifyAbsence, verifyIdentified, verifyEntries } from './answers.js';
export { verifyReceipt, verifyConsistency, verifyInclusionAnswer } from './log.js';
export { consistencyFromTiles } from './tiles.js';
export { verifyRegistration } from './registration.js';
export { checkLicense } from './check.js';
export { covers, CHANNELS } from './vocab.js';
