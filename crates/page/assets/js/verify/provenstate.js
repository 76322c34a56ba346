// The records an answer proved (crates/model/src/proven_state.rs): each
// key proven present (its record) or absent (null). It is the only state
// the recomputation reads, and reading a key it does not hold fails,
// naming the key: the answer leaned on something it did not prove.

import { canonicalize } from './jcs.js';
import { describeKey } from './statemap.js';

/** A read of a record the answer did not prove. */
export class UnprovenRead extends Error {
  constructor(what) {
    super(`the answer does not prove ${what}`);
    this.name = 'UnprovenRead';
  }
}

export class ProvenState {
  #records = new Map();
  #emptyLog = false;

  /** The state of a log a checkpoint of size 0 proves empty: every key absent. */
  static ofEmptyLog() {
    const state = new ProvenState();
    state.#emptyLog = true;
    return state;
  }

  /** Adds a key whose proof was checked: `record` null when proven absent. */
  insert(key, record) {
    this.#records.set(canonicalize(key), record);
  }

  /** How many keys were proven. */
  get size() {
    return this.#records.size;
  }

  /** The record under `key`, null when proven absent. */
  get(key) {
    if (this.#emptyLog) return null;
    const k = canonicalize(key);
    if (!this.#records.has(k)) throw new UnprovenRead(describeKey(key));
    return this.#records.get(k);
  }

  /** A design's record, or null. */
  design(design) {
    return this.get({ kind: 'design', design });
  }

  /** A grant's record, or null. */
  grant(grant) {
    return this.get({ kind: 'grant', grant });
  }

  /** A dispute's record, or null. */
  dispute(dispute) {
    return this.get({ kind: 'dispute', dispute });
  }

  /** The key that succeeded `key`, or null. */
  successor(key) {
    return this.get({ kind: 'key', key })?.successor ?? null;
  }

  /** The grants `licensee` holds on `design` (revoked ones too), sorted; empty when proven absent. */
  licenseeGrants(design, licensee) {
    return this.get({ kind: 'licensee', design, licensee })?.grants ?? [];
  }
}
