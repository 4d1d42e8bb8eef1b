// DOM helpers. Every value from CloudTrail or a snapshot is hostile: it
// only ever becomes a text node or an attribute value, never markup.

// h builds an element: h('a', {href: '#/x', class: 'c'}, 'text', child…).
// Strings become text nodes; on* keys add event listeners.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  add(el, children);
  return el;
}

// s builds an SVG element the same way.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  add(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'href') el.setAttribute('href', internalHref(v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function add(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// internalHref keeps links inside the app: data never becomes a
// javascript: or off-site URL.
function internalHref(v) {
  const str = String(v);
  return str.startsWith('#/') ? str : '#/';
}

// link builds '#/name/arg?params' with every part encoded.
export function link(name, arg, params) {
  let out = '#/' + encodeURIComponent(name);
  if (arg !== undefined && arg !== null && arg !== '') out += '/' + encodeURIComponent(arg);
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, v);
  }
  const q = qs.toString();
  return q ? out + '?' + q : out;
}

export function fmtTime(t) {
  if (!t) return '';
  const d = new Date(t);
  if (isNaN(d)) return String(t);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:00Z$/, 'Z');
}

export const severities = ['critical', 'high', 'medium', 'low', 'info'];

export function sevBadge(sev) {
  const name = severities.includes(sev) ? sev : 'info';
  return h('span', {class: 'sev sev-' + name}, String(sev));
}

export function statusBadge(st) {
  const name = ['open', 'acknowledged', 'resolved'].includes(st) ? st : 'open';
  return h('span', {class: 'status status-' + name}, String(st));
}

export function facts(pairs) {
  const dl = h('dl', {class: 'facts'});
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    dl.append(h('dt', null, k), h('dd', null, v));
  }
  return dl;
}

export function num(n) { return Number(n || 0).toLocaleString('en-US'); }

// download saves a Blob under a file name.
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
