// Drift (the last reconcile) and posture (the last posture run), from the
// JSON files given to portcullis serve.
import {h, fmtTime, sevBadge, facts, num} from './dom.js';
import {get, session} from './api.js';

function who(c) {
  const causes = c.causes || [];
  if (causes.length === 0) return c.attribution === 'unknown' ? 'no events given' : c.attribution;
  return causes.map((x) => (x.actor && (x.actor.name || x.actor.arn)) || 'unknown').filter((v, i, a) => a.indexOf(v) === i).join(', ');
}

function changeTable(rows, id) {
  const t = h('table', {id}, h('thead', null, h('tr', null, ['Severity', 'Attribution', 'What', 'Who', 'When', 'Kind'].map((c) => h('th', null, c)))));
  const tb = h('tbody');
  for (const c of rows) {
    const causes = c.causes || [];
    tb.append(h('tr', null, h('td', null, sevBadge(c.severity)), h('td', null, c.attribution),
      h('td', {class: 'wrap'}, c.summary, c.note ? h('div', {class: 'muted'}, c.note) : '', (c.reasons || []).length ? h('ul', null, c.reasons.map((r) => h('li', {class: 'muted'}, r))) : ''),
      h('td', {class: 'wrap'}, who(c)), h('td', {class: 'time'}, causes.length ? fmtTime(causes[causes.length - 1].time) : ''),
      h('td', {class: 'mono'}, c.kind)));
  }
  t.append(tb);
  return t;
}

export async function renderDrift(view) {
  const s = await session();
  view.append(h('h1', null, 'Drift: the last reconcile'));
  if (!s.reconcile) {
    view.append(h('p', {class: 'note'}, 'No reconcile report given: run portcullis reconcile --format json > reconcile.json and start portcullis serve with --reconcile reconcile.json.'));
    return;
  }
  const r = await get('/api/v1/reconcile');
  const counts = r.counts || {};
  view.append(h('div', {class: 'card'}, facts([
    ['Baseline', [r.baseline.from, r.baseline.captured_at].filter(Boolean).join(' at ')],
    ['Current', [r.current.from, r.current.captured_at].filter(Boolean).join(' at ')],
    ['Rogue grants', h('strong', {id: 'rogue-count'}, num(counts.rogue || 0))],
    ['Made by others', num(counts.other || 0)], ['Unexplained (out of band)', num(counts.unexplained || 0)],
    ['No evidence (no events given)', num(counts.unknown || 0)], ['By allow-listed admins', num(counts.allowlisted || 0)],
    ['Events used', r.events_given ? num(r.events_used) : 'none given'],
  ])));
  for (const w of r.warnings || []) view.append(h('p', {class: 'note'}, w));
  view.append(h('h2', null, 'Rogue grants'));
  view.append((r.rogue || []).length ? changeTable(r.rogue, 'rogue') : h('p', {class: 'ok'}, 'Every grant in the current state is in the baseline.'));
  if ((r.other_drift || []).length) {
    view.append(h('h2', null, 'Other drift (grants nothing)'), changeTable(r.other_drift, 'other-drift'));
  }
}

export async function renderPosture(view) {
  const s = await session();
  view.append(h('h1', null, 'Posture'));
  if (!s.posture) {
    view.append(h('p', {class: 'note'}, 'No posture report given: run portcullis posture --format json > posture.json and start portcullis serve with --posture posture.json.'));
    return;
  }
  const r = await get('/api/v1/posture');
  const c = r.counts || {};
  view.append(h('div', {class: 'card'}, facts([
    ['Checked', fmtTime(r.now)], ['Evidence window from', fmtTime(r.window_start)], ['Model', r.model + (r.partial ? ' (partial)' : '')],
    ['Failed', h('strong', {id: 'fail-count'}, num(c.fail || 0))], ['Passed', num(c.pass || 0)], ['Skipped', num(c.skip || 0)],
  ])));
  const t = h('table', {id: 'posture'}, h('thead', null, h('tr', null, ['Status', 'Severity', 'Check', 'Failing', 'Fix'].map((x) => h('th', null, x)))));
  const tb = h('tbody');
  const rank = {fail: 0, skip: 1, pass: 2};
  for (const x of (r.results || []).slice().sort((a, b) => rank[a.status] - rank[b.status])) {
    const failing = x.failing || [];
    tb.append(h('tr', {class: 'posture-' + x.status},
      h('td', null, x.status), h('td', null, sevBadge(x.severity)),
      h('td', {class: 'wrap'}, h('strong', null, x.title), h('div', {class: 'mono muted'}, x.id), x.note ? h('div', {class: 'muted'}, x.note) : ''),
      h('td', {class: 'wrap'}, failing.length ? h('details', null, h('summary', null, `${failing.length} object(s)`),
        h('ul', null, failing.map((o) => h('li', null, `${o.type} ${o.name || o.id}` + (o.account_id ? ' in ' + o.account_id : '') + (o.detail ? ': ' + o.detail : ''))))) : ''),
      h('td', {class: 'wrap muted'}, x.status === 'fail' ? x.fix : '')));
  }
  t.append(tb);
  view.append(t);
}
