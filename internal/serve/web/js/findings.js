// The findings list: server-side filters and paging, and the chart.
import {h, link, fmtTime, sevBadge, statusBadge, severities, num} from './dom.js';
import {get, session} from './api.js';
import {histogramChart} from './chart.js';

const filterKeys = ['source', 'status', 'severity', 'rule', 'actor', 'account', 'since', 'until'];

export async function render(view, r) {
  const s = await session();
  if (s.sources.length === 0) {
    view.append(h('p', {class: 'note'}, 'No findings given: start portcullis serve with --store FILE (a watch store) or --findings FILE (hunt output).'));
    return;
  }
  const p = r.params;
  const f = {};
  for (const k of filterKeys) f[k] = p.get(k) || '';
  const src = f.source || s.sources[0].name;
  const offset = Number(p.get('offset') || 0);
  const limit = Number(p.get('limit') || 50);
  const q = Object.assign({}, f, {source: src});
  const [rules, page, hist] = await Promise.all([
    get('/api/v1/rules', {source: src}),
    get('/api/v1/findings', Object.assign({}, q, {offset, limit})),
    get('/api/v1/histogram', q),
  ]);
  view.append(h('h1', null, 'Findings'));
  view.append(filterForm(s, f, src, rules.rules));
  view.append(histogramChart(hist));
  const first = page.total === 0 ? 0 : offset + 1;
  const last = offset + page.findings.length;
  view.append(h('p', {class: 'count', id: 'count'}, page.total === 0 ? 'No findings match.' : `Showing ${num(first)}–${num(last)} of ${num(page.total)}`));
  if (page.findings.length > 0) view.append(table(page.findings, src));
  view.append(pager(q, offset, limit, page.total));
}

function filterForm(s, f, src, rules) {
  const form = h('form', {class: 'filters card', id: 'filters'});
  if (s.sources.length > 1) {
    const sel = h('select', {name: 'source'});
    for (const x of s.sources) sel.append(h('option', {value: x.name, selected: x.name === src}, `${x.name}: ${x.label}`));
    form.append(h('label', null, h('span', null, 'Source'), sel));
  }
  const checks = (legend, name, values, chosen) => {
    const set = new Set(chosen.split(',').filter(Boolean));
    const fs = h('fieldset', {'data-name': name}, h('legend', null, legend));
    for (const v of values) fs.append(h('label', null, h('input', {type: 'checkbox', name, value: v, checked: set.has(v)}), ' ' + v));
    return fs;
  };
  form.append(checks('Status', 'status', ['open', 'acknowledged', 'resolved'], f.status));
  form.append(checks('Severity', 'severity', severities, f.severity));
  const rule = h('select', {name: 'rule'}, h('option', {value: ''}, 'any rule'));
  for (const rc of rules) rule.append(h('option', {value: rc.rule, selected: rc.rule === f.rule}, `${rc.rule} (${num(rc.count)})`));
  form.append(h('label', null, h('span', null, 'Rule'), rule));
  const text = (label, name, ph) => h('label', null, h('span', null, label), h('input', {type: 'text', name, value: f[name], placeholder: ph, size: 18}));
  form.append(text('Actor', 'actor', 'ARN, name or user id'), text('Account', 'account', '123456789012'),
    text('Since', 'since', '14d or 2026-11-01'), text('Until', 'until', 'RFC 3339'));
  form.append(h('button', {type: 'submit', class: 'primary'}, 'Apply'), h('a', {href: link('findings')}, 'Reset'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(form);
    const out = {};
    for (const k of filterKeys) {
      const vals = fd.getAll(k).map(String).filter(Boolean);
      if (vals.length) out[k] = vals.join(',');
    }
    location.hash = link('findings', '', out);
  });
  return form;
}

function actorName(a) { return (a && (a.name || a.arn || a.user_id)) || ''; }
function actorKey(a) { return (a && (a.arn || a.user_id || a.name)) || ''; }

function table(rows, src) {
  const t = h('table', {class: 'findings', id: 'findings-table'},
    h('thead', null, h('tr', null, ['Time', 'Severity', 'Status', 'Rule', 'Actor', 'Account', 'Summary'].map((c) => h('th', null, c)))));
  const tb = h('tbody');
  for (const f of rows) {
    const key = actorKey(f.actor);
    tb.append(h('tr', {'data-id': f.id},
      h('td', {class: 'time'}, fmtTime(f.time)),
      h('td', null, sevBadge(f.severity)),
      h('td', null, statusBadge(f.status)),
      h('td', {class: 'mono'}, f.rule),
      h('td', {class: 'wrap'}, key ? h('a', {href: link('findings', '', {source: src, actor: key}), title: key}, actorName(f.actor)) : 'unknown'),
      h('td', null, f.account || ''),
      h('td', {class: 'wrap'}, h('a', {href: link('finding', f.id, {source: src}), class: 'summary'}, f.summary || f.title || f.id))));
  }
  t.append(tb);
  return t;
}

function pager(q, offset, limit, total) {
  const div = h('div', {class: 'pager'});
  if (offset > 0) div.append(h('a', {href: link('findings', '', Object.assign({}, q, {offset: Math.max(0, offset - limit)})), id: 'prev'}, '← Newer'));
  if (offset + limit < total) div.append(h('a', {href: link('findings', '', Object.assign({}, q, {offset: offset + limit})), id: 'next'}, 'Older →'));
  return div;
}
