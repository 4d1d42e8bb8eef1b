// The router: #/page/arg?params. Each page renders into a fresh element
// that replaces the last one only if no newer navigation happened meanwhile.
import {h} from './dom.js';
import {session} from './api.js';
import * as findings from './findings.js';
import * as finding from './finding.js';
import * as timeline from './timeline.js';
import * as access from './access.js';
import * as reports from './reports.js';

const pages = {
  findings: findings.render,
  finding: finding.render,
  timeline: timeline.render,
  access: access.render,
  drift: reports.renderDrift,
  posture: reports.renderPosture,
};

let generation = 0;

function parse() {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').map((p) => { try { return decodeURIComponent(p); } catch (e) { return p; } });
  return {name: parts[0] || 'findings', arg: parts[1], params};
}

async function route() {
  const gen = ++generation;
  const r = parse();
  for (const a of document.querySelectorAll('#nav a')) {
    const on = a.dataset.route === r.name || (r.name === 'finding' && a.dataset.route === 'findings');
    a.classList.toggle('active', on);
  }
  const main = document.getElementById('main');
  const view = h('div', {class: 'page page-' + r.name});
  const page = pages[r.name];
  let after = null;
  try {
    if (!page) throw new Error('No such page: ' + r.name);
    after = await page(view, r);
  } catch (e) {
    view.replaceChildren(h('p', {class: 'error'}, String((e && e.message) || e)));
  }
  if (gen !== generation) return;
  main.replaceChildren(view);
  document.body.dataset.ready = r.name;
  document.body.dataset.page = location.hash; // which navigation is on screen (tests wait on it)
  if (typeof after === 'function') after();
}

async function showInputs() {
  const s = await session();
  const parts = [];
  for (const src of s.sources) parts.push(src.name + ': ' + src.label + (src.writable ? '' : ' (read-only)'));
  if (s.snapshot) parts.push('snapshot: ' + s.snapshot + (s.snapshot_partial ? ' (partial)' : ''));
  document.getElementById('inputs').textContent = parts.join(' · ') + ' · portcullis ' + s.version;
}

window.addEventListener('hashchange', route);
showInputs().catch(() => {});
route();
