// The access explorer: search a node, draw the user → group → permission
// set → account graph around it (bounded by the server), admin paths in
// red, sensitive accounts marked, the blast radius of the selected node,
// and an SVG / PNG export of the view. Labels are canvas text.
import {h, s, link, num, facts, download} from './dom.js';
import {get, session} from './api.js';
import {exportSVG} from './graphsvg.js';

const kinds = ['user', 'group', 'permission-set', 'account'];
const kindNames = {'user': 'User', 'group': 'Group', 'permission-set': 'Permission set', 'account': 'Account'};

export async function render(view, r) {
  const sess = await session();
  view.append(h('h1', null, 'Access explorer'));
  if (!sess.snapshot) {
    view.append(h('p', {class: 'note'}, 'No snapshot given: start portcullis serve with --snapshot SPEC (a portcullis snapshot or Terraform state).'));
    return;
  }
  const q = r.params.get('q') || '';
  const kind = r.params.get('kind') || '';
  const id = r.params.get('id') || '';
  const input = h('input', {type: 'search', name: 'q', value: q || (kind ? '' : ''), size: 40, placeholder: 'user, group, permission set or account'});
  const form = h('form', {class: 'filters card', id: 'access-search'}, h('label', null, h('span', null, 'Search'), input),
    h('button', {type: 'submit', class: 'primary'}, 'Search'));
  form.addEventListener('submit', (e) => { e.preventDefault(); location.hash = link('access', '', {q: input.value.trim()}); });
  view.append(form);
  if (sess.snapshot_partial) view.append(h('p', {class: 'note'}, 'The snapshot is partial: the graph may miss access.'));

  if (q && !kind) {
    const res = await get('/api/v1/access/search', {q});
    const card = h('div', {class: 'card'}, h('h2', null, `${num(res.total)} matches` + (res.total > res.results.length ? ` (first ${res.results.length})` : '')));
    const ul = h('ul', {class: 'results', id: 'search-results'});
    for (const n of res.results) {
      ul.append(h('li', null, h('span', {class: 'kind'}, kindNames[n.kind] || n.kind),
        h('a', {href: link('access', '', {kind: n.kind, id: n.id})}, n.name || n.id), ' ', h('span', {class: 'muted mono'}, n.name ? n.id : ''),
        n.detail ? h('span', {class: 'muted'}, ' · ' + n.detail) : ''));
    }
    card.append(ul);
    view.append(card);
    return;
  }
  if (!kind) {
    view.append(h('p', {class: 'muted'}, 'Search for a user, group, permission set or account to see who reaches what through it. The graph never shows the whole organization at once.'));
    return;
  }
  const g = await get('/api/v1/access/graph', {kind, id});
  const title = `${kindNames[g.center.kind] || g.center.kind}: ${g.center.name || g.center.id}`;
  view.append(h('h2', {id: 'graph-title'}, title));
  view.append(h('p', {class: 'muted'}, `${num(g.grants)} grants go through it; ${num(g.grants_shown)} drawn.`));
  if (g.note) view.append(h('p', {class: 'note', id: 'omitted'}, g.note));
  const legend = h('p', {class: 'legend-graph'}, h('span', null, '● user'), h('span', null, '■ group'), h('span', null, '◆ permission set'),
    h('span', null, '▬ account'), h('span', {class: 'admin'}, 'red: admin path'), h('span', null, 'purple border: sensitive account'));
  const container = h('div', {id: 'graph'});
  const side = h('div', {class: 'card', id: 'blast'}, h('p', {class: 'muted'}, 'Select a node to see its blast radius.'));
  const exportBar = h('p', null,
    h('button', {type: 'button', id: 'export-svg'}, 'Export SVG'), ' ',
    h('button', {type: 'button', id: 'export-png'}, 'Export PNG'));
  view.append(legend, h('div', {class: 'row'}, h('div', {class: 'grow'}, container, exportBar), h('div', {style: null, class: 'side'}, side)));
  view.append(pathsTable(g));
  return () => draw(container, side, exportBar, g);
}

function displayLabel(n) {
  let l = n.label;
  if (l.length > 40) l = l.slice(0, 39) + '…';
  const tags = [];
  if (n.sensitive) tags.push('sensitive');
  if (n.management) tags.push('management');
  if (n.privileged) tags.push('privileged');
  if (n.identity_admin) tags.push('identity admin');
  if (n.kind === 'permission-set' && n.level && n.level !== 'none') tags.push(n.level);
  return tags.length ? l + '\n(' + tags.join(', ') + ')' : l;
}

function layout(g) {
  const cols = {};
  for (const k of kinds) cols[k] = [];
  for (const n of g.nodes) (cols[n.kind] || (cols[n.kind] = [])).push(n);
  const pos = {};
  kinds.forEach((k, ci) => {
    const col = cols[k].sort((a, b) => (b.admin - a.admin) || a.label.localeCompare(b.label));
    col.forEach((n, i) => { pos[n.id] = {x: ci * 280, y: (i - (col.length - 1) / 2) * 62}; });
  });
  return pos;
}

function draw(container, side, exportBar, g) {
  if (typeof window.cytoscape !== 'function') {
    container.replaceChildren(h('p', {class: 'error'}, 'The graph library did not load.'));
    return;
  }
  const pos = layout(g);
  const elements = [];
  for (const n of g.nodes) elements.push({group: 'nodes', data: Object.assign({}, n, {display: displayLabel(n)}), position: pos[n.id]});
  for (const e of g.edges) elements.push({group: 'edges', data: e});
  const cy = window.cytoscape({
    container, elements, layout: {name: 'preset', fit: true, padding: 30},
    wheelSensitivity: 0.3, minZoom: 0.2, maxZoom: 3,
    style: [
      {selector: 'node', style: {
        'label': 'data(display)', 'font-size': 11, 'text-valign': 'bottom', 'text-halign': 'center', 'text-margin-y': 4,
        'text-wrap': 'wrap', 'text-max-width': 200, 'color': '#1b1f24', 'width': 22, 'height': 22,
        'background-color': '#4c6ef5', 'border-width': 1, 'border-color': '#fff'}},
      {selector: 'node[kind = "group"]', style: {'shape': 'round-rectangle', 'background-color': '#0c8599'}},
      {selector: 'node[kind = "permission-set"]', style: {'shape': 'diamond', 'background-color': '#7950f2', 'width': 26, 'height': 26}},
      {selector: 'node[kind = "account"]', style: {'shape': 'rectangle', 'background-color': '#868e96', 'width': 34, 'height': 18}},
      {selector: 'node[?admin]', style: {'border-color': '#c92a2a', 'border-width': 3}},
      {selector: 'node[kind = "permission-set"][?admin]', style: {'background-color': '#c92a2a'}},
      {selector: 'node[?sensitive]', style: {'border-color': '#5f3dc4', 'border-width': 4, 'border-style': 'double'}},
      {selector: 'node[?center]', style: {'width': 34, 'height': 34, 'font-weight': 'bold', 'font-size': 12}},
      {selector: 'node:selected', style: {'overlay-color': '#1c7ed6', 'overlay-opacity': 0.2, 'overlay-padding': 6}},
      {selector: 'edge', style: {'width': 1.5, 'line-color': '#adb5bd', 'target-arrow-color': '#adb5bd', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.8}},
      {selector: 'edge[?admin]', style: {'width': 3, 'line-color': '#c92a2a', 'target-arrow-color': '#c92a2a'}},
    ],
  });
  window.portcullisGraph = cy; // for the browser tests and the curious
  cy.on('tap', 'node', (ev) => blast(side, ev.target.data()));
  const center = g.nodes.find((n) => n.center);
  if (center) {
    cy.$id(center.id).select();
    blast(side, center);
  }
  exportBar.querySelector('#export-png').addEventListener('click', async () => {
    const blob = await cy.png({output: 'blob-promise', full: true, scale: 2, bg: '#ffffff'});
    download(blob, fileName(g, 'png'));
  });
  exportBar.querySelector('#export-svg').addEventListener('click', () => {
    download(new Blob([exportSVG(cy)], {type: 'image/svg+xml'}), fileName(g, 'svg'));
  });
  container.dataset.rendered = String(cy.nodes().length);
}

function fileName(g, ext) {
  const base = (g.center.name || g.center.id).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  return `portcullis-access-${g.center.kind}-${base}.${ext}`;
}

async function blast(side, n) {
  side.replaceChildren(h('p', {class: 'muted'}, 'Measuring…'));
  try {
    const d = await get('/api/v1/access/blast', {kind: n.kind, id: n.ref});
    const b = d.blast_radius;
    side.replaceChildren(
      h('h2', null, 'Blast radius'),
      h('p', null, h('span', {class: 'kind'}, kindNames[b.kind] || b.kind), h('strong', null, b.name || b.id)),
      facts([
        ['Users', num(b.users)], ['Accounts', num(b.accounts.length)], ['Permission sets', num(b.permission_sets)],
        ['Paths', num(b.paths)], ['Admin paths', h('span', {class: b.admin_paths ? 'admin' : ''}, num(b.admin_paths))],
        ['Accounts with admin', num(b.admin_accounts)],
        ['Sensitive accounts', b.sensitive_accounts.length ? b.sensitive_accounts.join(', ') : 'none'],
      ]),
      ...(b.notes || []).map((x) => h('p', {class: 'muted'}, x)),
      h('p', null, h('a', {href: link('access', '', {kind: n.kind, id: n.ref})}, 'Center the graph here')),
      h('p', {class: 'muted'}, 'Same figures as portcullis access --blast-radius ' + b.kind + ':' + b.id));
  } catch (e) {
    side.replaceChildren(h('p', {class: 'error'}, e.message));
  }
}

function pathsTable(g) {
  const card = h('div', {class: 'card'}, h('h2', null, `Grants drawn (${num(g.paths.length)}${g.grants_shown > g.paths.length ? ' of ' + num(g.grants_shown) : ''})`));
  const t = h('table', {id: 'paths'}, h('thead', null, h('tr', null, ['User', 'Via', 'Permission set', 'Level', 'Account'].map((c) => h('th', null, c)))));
  const tb = h('tbody');
  for (const a of g.paths) {
    const admin = a.level === 'admin';
    tb.append(h('tr', {class: admin ? 'admin-path' : ''},
      h('td', null, a.user_name || a.user_id), h('td', null, a.via === 'group' ? 'group ' + (a.group_name || a.group_id) : 'direct'),
      h('td', null, a.permission_set_name || a.permission_set_arn), h('td', {class: admin ? 'admin' : ''}, a.level),
      h('td', null, (a.account_name ? a.account_name + ' ' : '') + a.account_id)));
  }
  t.append(tb);
  card.append(t);
  return card;
}
