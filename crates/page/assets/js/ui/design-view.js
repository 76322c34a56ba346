// A design answer (`GET /v1/designs/{id}`) drawn as the page shows it: owners,
// creators, AI disclosure, parents, the blocking dispute, licenses, content.
// Drawing only: what is verified is decided in design.js.

import {code, facts, h} from './dom.js';
import {apiBase, isServed} from './settings.js';
import {digitalSourceWords} from './vocabulary.js';
import {count, dateWords, shareWords, termsSummary} from './words.js';

/**
 * The stable URL of a design's page: on this site, or, in a saved file, on
 * the server the file asks (a file's own address is no page to print).
 */
export function designUrl(id) {
  const path = `/verify/design/${id}`;
  return isServed() ? new URL(path, location.href).href : apiBase().base + path;
}

function entryWords(ref) {
  return `entry ${count(ref.index)}, logged ${dateWords(ref.logged_at)}`;
}

/** `#owners`: one item per current owner, "key — share". */
function owners(answer) {
  const list = h('ul', {id: 'owners', class: 'owners'});
  for (const owner of answer.owners) {
    list.append(h('li', {'data-key': owner.key, 'data-share-ppm': owner.share_ppm},
      h('code', {class: 'id'}, owner.key), ` \u2014 ${shareWords(owner.share_ppm)}`));
  }
  return list;
}

function creators(answer) {
  return h('ul', {class: 'creators'}, answer.creators.map((c) =>
    h('li', {}, h('code', {class: 'id'}, c.key), ` \u2014 ${shareWords(c.share_ppm)} as ${c.role}`)));
}

function ai(answer) {
  if (!answer.ai) return h('p', {id: 'ai-disclosure'}, 'The registration makes no AI disclosure.');
  return h('div', {id: 'ai-disclosure'}, facts([
    ['How it was made', digitalSourceWords(answer.ai.digital_source_type)],
    ['AI tool', answer.ai.software_agent ?? null],
    ['Human contribution', answer.ai.human_contribution ?? null],
  ]));
}

function designLink(id) {
  return h('a', {href: designUrl(id)}, h('code', {class: 'id'}, id));
}

function parents(answer) {
  if (!answer.parents.length) return h('p', {id: 'parents'}, 'None: it derives from no registered design.');
  return h('ul', {id: 'parents'}, answer.parents.map((p) =>
    h('li', {}, designLink(p.design), ' under license ', h('code', {class: 'id'}, p.grant))));
}

function dispute(answer) {
  const blocked = answer.blocked_by;
  if (!blocked) return h('p', {id: 'dispute', class: 'clear'}, 'No dispute blocks this design.');
  const where = blocked.design === answer.id ? 'this design' : ['a design it derives from, ', designLink(blocked.design)];
  const others = blocked.disputes > 1 ? ` ${count(blocked.disputes)} disputes block it in all.` : '';
  return h('p', {id: 'dispute', class: 'blocked'}, h('strong', {}, 'Blocked by a dispute'), ' on ', where,
    `: raised at ${entryWords(blocked.raised)}, dispute `, h('code', {class: 'id'}, blocked.dispute), `.${others}`,
    ' Nothing may be licensed or made from it until an arbiter dismisses the dispute.');
}

function grantStatus(grant) {
  if (!grant.revoked) {
    const now = Date.now();
    if (Date.parse(grant.terms.starts_at) > now) return h('span', {class: 'status pending'}, 'not started yet');
    if (grant.terms.ends_at && Date.parse(grant.terms.ends_at) <= now) return h('span', {class: 'status ended'}, 'ended');
    return h('span', {class: 'status active'}, 'not revoked, in its window today');
  }
  const who = grant.revoked.by === 'licensee' ? 'released by the licensee' : 'revoked by the owners';
  return h('span', {class: 'status revoked'}, `${who} at ${entryWords(grant.revoked.entry)}: \u201c${grant.revoked.reason}\u201d`);
}

function grants(answer) {
  if (!answer.grants.length) return h('p', {id: 'grants'}, 'No licenses.');
  return h('ul', {id: 'grants', class: 'grants'}, answer.grants.map((grant) =>
    h('li', {'data-grant': grant.id, 'data-revoked': grant.revoked ? 'true' : 'false'},
      h('p', {}, 'To ', h('code', {class: 'id'}, grant.licensee), ': ', grantStatus(grant)),
      facts([['License id', code(grant.id)], ['Granted', entryWords(grant.granted)], ...termsSummary(grant.terms, grant.units_used)]))));
}

function content(answer, hashes) {
  const registered = answer.content;
  let sha = code(registered.sha256);
  if (hashes) {
    const same = hashes.sha256 === registered.sha256 && hashes.size === registered.size;
    sha = h('span', {}, code(registered.sha256), ' ', same
      ? h('span', {id: 'sha-compare', class: 'match'}, '(your file\u2019s SHA-256 and size match)')
      : h('strong', {id: 'sha-compare', class: 'mismatch'},
        `(your file\u2019s differ: SHA-256 ${hashes.sha256}, ${count(hashes.size)} bytes; the registration named other ones)`));
  }
  return facts([
    ['Design id (BLAKE3)', code(answer.id)],
    ['SHA-256 registered', sha],
    ['Size', `${count(registered.size)} bytes`],
    ['Media type', registered.media_type],
    ['ISCC image code', registered.iscc ? code(registered.iscc) : null],
    ['Registered', entryWords(answer.registered)],
    ['Ownership last changed', entryWords(answer.ownership)],
    ['Signatures needed', `owners holding ${shareWords(answer.license_threshold_ppm)}`],
  ]);
}

function children(answer) {
  if (!answer.children.length) return null;
  return [h('h4', {}, 'Designs derived from it (the server\u2019s list)'),
    h('ul', {}, answer.children.map((id) => h('li', {}, designLink(id))))];
}

function nearDuplicates(answer) {
  const near = answer.near_duplicates ?? [];
  if (!near.length) return null;
  return [h('h4', {}, 'Looks like designs registered before it (the server\u2019s flag, not proven)'),
    h('ul', {id: 'near-duplicates'}, near.map((d) =>
      h('li', {'data-design': d.design}, designLink(d.design),
        ` \u2014 ${d.distance} of 64 bits apart, registered ${entryWords(d.registered)}, owned by `,
        d.owners.map((o, i) => [i ? ', ' : '', h('code', {class: 'id'}, o.key), ` (${shareWords(o.share_ppm)})`]))))];
}

/** The body of a design result. `hashes` ({sha256, size}) when the user's file was hashed. */
export function designView(answer, hashes) {
  return [
    h('h3', {class: 'design-title'}, answer.title),
    answer.description ? h('p', {class: 'description'}, answer.description) : null,
    h('h4', {}, 'Owned now by'), owners(answer),
    h('h4', {}, 'Created by'), creators(answer),
    h('h4', {}, 'AI disclosure'), ai(answer),
    h('h4', {}, 'Derived from'), parents(answer),
    h('h4', {}, 'Disputes'), dispute(answer),
    h('h4', {}, 'Licenses'), grants(answer),
    h('p', {class: 'note'}, 'Each license listed is proven current; whether the list is complete is the server\u2019s word.'),
    children(answer),
    nearDuplicates(answer),
    h('h4', {}, 'Content and registration'), content(answer, hashes),
  ];
}

/** The body of a not-registered result: the hashes that were looked up. */
export function absentView(id, hashes) {
  return facts([
    ['Design id (BLAKE3)', code(id)],
    ['SHA-256', hashes ? code(hashes.sha256) : null],
    ['Size', hashes ? `${count(hashes.size)} bytes` : null],
  ]);
}
