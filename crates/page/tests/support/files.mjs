// Paths of the repository's fixtures, from this file's place in the tree
// (never the working directory).

import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The absolute path of `name` under the repository's `fixtures/`. */
export function fixturePath(name) {
  return fileURLToPath(new URL(`../../../../fixtures/${name}`, import.meta.url));
}

/** The text of fixture `name`. */
export function fixtureText(name) {
  return readFileSync(fixturePath(name), 'utf8');
}

/** Fixture `name` parsed as JSON (test data, so the lenient parser). */
export function fixture(name) {
  return JSON.parse(fixtureText(name));
}

/** Whether fixture `name` exists. */
export function hasFixture(name) {
  return existsSync(fixturePath(name));
}
