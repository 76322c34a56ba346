// Why something does not verify: one error class, a stable code the page
// can branch on, and a message for people that names what failed.
//
// The codes follow the Rust verifier's `VerifyError` variants
// (crates/api/src/verify.rs), plus `malformed` for text that is not JSON
// or not the answer's shape (where the Rust client fails to deserialize).

/** Every code a `VerifyError` may carry. */
export const CODES = Object.freeze([
  'checkpoint', // the checkpoint is not signed by the log's key under its origin
  'size-mismatch', // the answer's tree_size is not its checkpoint's
  'proof', // an inclusion proof does not lead to the checkpoint's root
  'unproven', // the answer names an entry it does not prove
  'no-proofs', // nothing in the answer is tied to the log
  'no-state', // the answer carries no proven state: the server's word
  'state', // the proven state does not verify, or a read was not proven
  'differs', // the answer is not what the proven records give
  'receipt', // a receipt does not verify
  'bundle', // a tlog-proof bundle does not verify
  'inconsistent', // a consistency proof does not hold
  'proof-size', // a proof answer is for another size than its checkpoint
  'malformed', // not JSON, or not the shape of the answer
]);

/** A failed verification: `.code` (one of `CODES`) and a human `.message`. */
export class VerifyError extends Error {
  constructor(code, message) {
    if (!CODES.includes(code)) {
      throw new TypeError(`unknown verification code ${code}`);
    }
    super(message);
    this.name = 'VerifyError';
    this.code = code;
  }
}

/** Throws a `VerifyError`. */
export function fail(code, message) {
  throw new VerifyError(code, message);
}

/** The message of anything thrown. */
export function reason(e) {
  return e instanceof Error ? e.message : String(e);
}

/** Awaits every promise and throws the first failure in their order (all run at once). */
export async function inOrder(promises) {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => r.value);
}
