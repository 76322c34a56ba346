// Requests to the ledger's API. Answers are read as text and parsed with the
// verifier's strict JSON reader (a repeated member name is refused), so what
// is shown is exactly what is verified.

import {parseJson} from '../verify/index.js';
import {apiBase} from './settings.js';

/** The URL of `path` (which starts with `/`) under the API base. */
export function apiUrl(path) {
  return apiBase().base + path;
}

/** A failed request: no answer, or an answer that is not what was asked. */
export class RequestError extends Error {
  constructor(message, {status = 0, problem = null} = {}) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.problem = problem;
  }
}

async function send(path, init) {
  let response;
  try {
    response = await fetch(apiUrl(path), {cache: 'no-store', credentials: 'omit', ...init});
  } catch (error) {
    throw new RequestError(`the server could not be reached (${error.message})`);
  }
  const text = await response.text();
  return {status: response.status, ok: response.ok, type: response.headers.get('content-type') ?? '', text};
}

/** Parses an answer's JSON text; a problem body (RFC 9457) stays an object too. */
function parse(answer) {
  try {
    return parseJson(answer.text);
  } catch (error) {
    throw new RequestError(`the answer (HTTP ${answer.status}) is not strict JSON: ${error.message}`, {status: answer.status});
  }
}

/** A problem's words: its title, detail and field when present. */
export function problemWords(problem) {
  if (!problem || typeof problem !== 'object') return '';
  const parts = [problem.title, problem.detail].filter((part) => typeof part === 'string' && part);
  if (typeof problem.field === 'string' && problem.field) parts.push(`(field ${problem.field})`);
  return parts.join(': ');
}

/**
 * GET a JSON answer: {status, body, text}. A 2xx is returned; so is any
 * status listed in `accept` (the 404 of a design, whose problem carries a
 * proof of absence). Any other status throws with the problem's words.
 */
export async function getJson(path, {accept = []} = {}) {
  return decide(await send(path, {headers: {accept: 'application/json'}}), accept);
}

/** POST a JSON value; as getJson. */
export async function postJson(path, value, {accept = []} = {}) {
  const init = {method: 'POST', headers: {'content-type': 'application/json', accept: 'application/json'}, body: JSON.stringify(value)};
  return decide(await send(path, init), accept);
}

/** GET a text answer (a checkpoint): its text, or throws. */
export async function getText(path) {
  const answer = await send(path, {headers: {accept: 'text/plain'}});
  if (!answer.ok) throw new RequestError(`HTTP ${answer.status} for ${path}`, {status: answer.status});
  return answer.text;
}

/** GET binary content (a published tile): its bytes, or throws. */
export async function getBytes(path) {
  let response;
  try {
    response = await fetch(apiUrl(path), {credentials: 'omit'});
  } catch (error) {
    throw new RequestError(`the server could not be reached (${error.message})`);
  }
  if (!response.ok) throw new RequestError(`HTTP ${response.status} for ${path}`, {status: response.status});
  return new Uint8Array(await response.arrayBuffer());
}

function decide(answer, accept) {
  if (answer.ok || accept.includes(answer.status)) {
    return {status: answer.status, body: parse(answer), text: answer.text};
  }
  let problem = null;
  try {
    problem = parseJson(answer.text);
  } catch {
    // Not a problem body (a proxy's error page): its first words will do.
  }
  const words = problemWords(problem) || answer.text.slice(0, 200);
  throw new RequestError(`the server refused (HTTP ${answer.status}): ${words}`, {status: answer.status, problem});
}
