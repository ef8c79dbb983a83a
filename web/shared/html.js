// The one HTML helper module of every Kyso page. The server renders its pages with escapeHtml
// (web/*/page.ts, functions/api/error-page.ts import this file); the browser scripts load the same
// file (/assets/html.js, /app/assets/html.js) and build their DOM with el(), which puts text in as
// text nodes, never as HTML, so user-controlled text needs no escaping there.
// Plain ES module with JSDoc types (checked by web/tsconfig.json), served as is.

/** @type {Readonly<Record<string, string>>} */
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made safe for HTML content and for quoted attribute values.
 * @param {string} s
 * @returns {string}
 */
export const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/**
 * A value a script may embed in an inline `<script>`: JSON with `<` escaped, so no value can close the tag.
 * @param {unknown} value
 * @returns {string}
 */
export const scriptJson = (value) => JSON.stringify(value).replace(/</g, '\\u003c');

/** @typedef {Record<string, unknown>} Attrs `class`, `on<event>` listeners, and attributes (true: present; false/null/undefined: absent). */

/**
 * One element: attributes, listeners, and children appended as nodes or as text (arrays are
 * flattened; null and undefined are skipped).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = String(v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (v !== undefined && v !== false && v !== null) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
};
