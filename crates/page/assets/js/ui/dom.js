// Small DOM helpers. Every value from a server goes in as text (never as
// markup), so an answer cannot inject anything into the page.

/** `h('p', {class: 'x'}, 'text', child)`: an element with attributes and children. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends children (nodes, strings, numbers, nested arrays; null skipped). */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Replaces the children of `node`. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** The element with this id; throws when the page lacks it (a broken page). */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

/** A definition list from [term, description] pairs (descriptions may be nodes). */
export function facts(pairs) {
  const list = h('dl', {class: 'facts'});
  for (const [term, value] of pairs) {
    if (value === null || value === undefined) continue;
    list.append(h('dt', {}, term), h('dd', {}, value));
  }
  return list;
}

/** A long identifier (hash, key) shown in a monospace span that wraps anywhere. */
export function code(text) {
  return h('code', {class: 'id'}, text);
}
