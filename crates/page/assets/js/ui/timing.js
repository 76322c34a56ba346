// How long hashing and verifying took in this browser, in milliseconds
// (performance.now()), exposed as window.provenantTimings for the browser
// test and shown in one small line (#timing).

import {byId} from './dom.js';

export const timings = {hashMs: null, verifyDesignMs: null, verifyCheckMs: null};
globalThis.provenantTimings = timings;

function ms(value) {
  return value === null ? null : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** Records one duration and updates the line. */
export function record(name, value) {
  timings[name] = value;
  const parts = [];
  if (timings.hashMs !== null) parts.push(`hashed in ${ms(timings.hashMs)}`);
  if (timings.verifyDesignMs !== null) parts.push(`design verified in ${ms(timings.verifyDesignMs)}`);
  if (timings.verifyCheckMs !== null) parts.push(`license answer verified in ${ms(timings.verifyCheckMs)}`);
  byId('timing').textContent = parts.length ? `In this browser: ${parts.join(', ')}.` : '';
}

/** Runs `task` and returns [its result, its duration in ms]; a throw passes through. */
export async function timed(task) {
  const start = performance.now();
  const result = await task();
  return [result, performance.now() - start];
}
