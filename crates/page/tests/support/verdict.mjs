// What a verification gives, as the golden vectors name it: `ok`, or the
// code of the VerifyError it throws (any other error is a bug, rethrown).

import { VerifyError } from '../../assets/js/verify/index.js';

export async function code(promise) {
  try {
    await promise;
    return 'ok';
  } catch (e) {
    if (e instanceof VerifyError) return e.code;
    throw e;
  }
}
