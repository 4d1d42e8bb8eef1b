// One finding: what happened, the events behind it, the actor's other
// findings, the containment plan (dry run) and triage.
import {h, link, fmtTime, sevBadge, statusBadge, facts} from './dom.js';
import {get, post} from './api.js';

export async function render(view, r) {
  const id = r.arg || '';
  const src = r.params.get('source') || '';
  const d = await get('/api/v1/findings/' + encodeURIComponent(id), {source: src});
  const f = d.finding;
  const source = d.source;
  const actorKey = f.actor.arn || f.actor.user_id || f.actor.name || '';

  view.append(h('p', null, h('a', {href: link('findings', '', {source})}, '← All findings')));
  view.append(h('h1', {id: 'finding-title'}, f.title || f.rule));
  view.append(h('p', null, sevBadge(f.severity), ' ', statusBadge(f.status), ' ', h('span', {class: 'mono muted'}, f.rule)));
  view.append(h('p', {class: 'card summary', id: 'finding-summary'}, f.summary));

  const left = h('div', {class: 'grow'});
  const right = h('div', {class: 'grow'});
  view.append(h('div', {class: 'row'}, left, right));

  left.append(h('div', {class: 'card'}, h('h2', null, 'What'), facts([
    ['Time', fmtTime(f.time)],
    ['Actor', actorKey ? h('a', {href: link('timeline', '', {source, subject: actorKey})}, f.actor.name || actorKey) : 'unknown'],
    ['Actor ARN', f.actor.arn], ['Actor type', f.actor.type], ['Identity Center user', f.actor.user_id],
    ['Allow-listed admin', f.actor.allowlisted ? 'yes' : ''],
    ['Account', f.account ? h('a', {href: link('findings', '', {source, account: f.account})}, f.account) : ''],
    ['Region', f.region],
    ['ATT&CK', (f.attack || []).join(', ')],
    ['Finding id', h('span', {class: 'mono'}, f.id)],
    ['First seen', fmtTime(f.first_seen)], ['Last seen', fmtTime(f.last_seen)],
  ])));
  if (f.reasons && f.reasons.length) {
    left.append(h('div', {class: 'card'}, h('h2', null, 'Why this severity'), h('ul', {id: 'reasons'}, f.reasons.map((x) => h('li', null, x)))));
  }
  const t = f.targets || {};
  const targetFacts = Object.entries(t).filter(([, v]) => v).map(([k, v]) => [k.replace(/_/g, ' '), v]);
  if (targetFacts.length) left.append(h('div', {class: 'card'}, h('h2', null, 'Targets'), facts(targetFacts)));
  if (f.remediation) left.append(h('div', {class: 'card'}, h('h2', null, 'Remediation'), h('p', null, f.remediation)));

  right.append(triage(f, d, source));
  right.append(events(f, d));
  const others = h('div', {class: 'card', id: 'actor-findings'}, h('h2', null, 'The actor\'s other findings'));
  right.append(others);
  right.append(planCard(f, source));
  right.append(h('details', {class: 'card'}, h('summary', null, 'Finding JSON'), h('pre', null, JSON.stringify(f, null, 2))));

  if (actorKey) {
    const res = await get('/api/v1/findings', {source, actor: actorKey, limit: 21});
    const rest = res.findings.filter((x) => x.id !== f.id).slice(0, 20);
    if (rest.length === 0) others.append(h('p', {class: 'muted'}, 'None.'));
    else {
      others.append(h('ul', null, rest.map((x) => h('li', null, fmtTime(x.time), ' ', sevBadge(x.severity), ' ',
        h('a', {href: link('finding', x.id, {source})}, x.summary || x.rule)))));
      if (res.total - 1 > rest.length) others.append(h('p', null, h('a', {href: link('findings', '', {source, actor: actorKey})}, `All ${res.total} findings of this actor`)));
    }
  } else {
    others.append(h('p', {class: 'muted'}, 'The actor is unknown.'));
  }
}

function events(f, d) {
  const card = h('div', {class: 'card'}, h('h2', null, 'CloudTrail events behind it'));
  const ul = h('ul', {class: 'events', id: 'events'});
  for (const e of f.events || []) {
    ul.append(h('li', null, h('span', {class: 'mono muted'}, fmtTime(e.time)), ' ', h('strong', null, e.event_name), ' from ', e.event_source,
      h('div', {class: 'mono muted small'}, 'event id ', e.event_id || '(none)', e.file ? ' · file ' + e.file : '')));
  }
  card.append(ul);
  const raw = h('div');
  card.append(h('p', null, h('button', {type: 'button', id: 'raw', onclick: () => {
    raw.replaceChildren(h('p', {class: 'note'}, d.raw_records_note));
  }}, 'Show raw records')), raw);
  return card;
}

function triage(f, d, source) {
  const card = h('div', {class: 'card', id: 'triage'}, h('h2', null, 'Triage'));
  card.append(facts([['Status', statusBadge(f.status)], ['Note', f.status_note], ['Changed', fmtTime(f.status_time)]]));
  if (!d.writable) {
    card.append(h('p', {class: 'note'}, 'These findings come from a hunt output file, which is read-only here: acknowledge and resolve them in a watch store (--store).'));
    return card;
  }
  const note = h('textarea', {id: 'note', maxlength: 2000, placeholder: 'Note (kept with the status)'});
  const msg = h('div', {id: 'triage-msg'});
  const act = (verb) => async () => {
    for (const b of card.querySelectorAll('button')) b.disabled = true;
    try {
      await post('/api/v1/findings/' + encodeURIComponent(f.id) + '/' + verb, {note: note.value}, {source});
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (e) {
      msg.replaceChildren(h('p', {class: 'error'}, e.message));
      for (const b of card.querySelectorAll('button')) b.disabled = false;
    }
  };
  card.append(note, h('p', null,
    h('button', {type: 'button', id: 'ack', class: 'primary', disabled: f.status === 'acknowledged', onclick: act('ack')}, 'Acknowledge'), ' ',
    h('button', {type: 'button', id: 'resolve', disabled: f.status === 'resolved', onclick: act('resolve')}, 'Resolve'), ' ',
    h('button', {type: 'button', id: 'reopen', disabled: f.status === 'open', onclick: act('reopen')}, 'Reopen')), msg);
  return card;
}

function planCard(f, source) {
  const card = h('div', {class: 'card', id: 'plan'}, h('h2', null, 'Containment plan'));
  const out = h('div');
  const btn = h('button', {type: 'button', id: 'build-plan', onclick: async () => {
    btn.disabled = true;
    out.replaceChildren(h('p', {class: 'muted'}, 'Building…'));
    try {
      const d = await get('/api/v1/findings/' + encodeURIComponent(f.id) + '/plan', {source});
      out.replaceChildren(renderPlan(d));
    } catch (e) {
      out.replaceChildren(h('p', {class: 'error'}, e.message));
    }
    btn.disabled = false;
  }}, 'Build the plan (dry run)');
  card.append(h('p', {class: 'muted'}, 'What portcullis contain would do for this finding, against the snapshot. Nothing is called from here.'), btn, out);
  return card;
}

function renderPlan(d) {
  const p = d.plan;
  const box = h('div', {id: 'plan-result'});
  box.append(h('p', {class: 'note'}, d.note));
  if (d.refused) box.append(h('pre', {class: 'refused'}, d.refused));
  box.append(facts([['Plan', h('span', {class: 'mono'}, p.hash)], ['Subject', [p.subject.principal_name || p.subject.principal_id, p.subject.permission_set_name, p.subject.account_id].filter(Boolean).join(' · ')],
    ['Permissions needed', (p.permissions || []).join(', ')]]));
  const ol = h('ol', {class: 'steps'});
  for (const st of p.steps || []) {
    ol.append(h('li', {class: st.blocked_by ? 'blocked' : ''},
      h('strong', null, st.title), st.manual ? ' (manual)' : '', st.blocked_by ? ' — refused by ' + st.blocked_by.join(', ') : '',
      h('div', {class: 'muted'}, st.why), st.cli ? h('pre', null, st.cli) : ''));
  }
  box.append(ol);
  for (const n of p.notes || []) box.append(h('p', {class: 'muted'}, n));
  box.append(h('details', null, h('summary', null, 'As text'), h('pre', null, d.text)));
  return box;
}
