// One actor or principal across findings and the events behind them.
import {h, link, fmtTime, sevBadge, num} from './dom.js';
import {get, session} from './api.js';
import {histogramChart} from './chart.js';

export async function render(view, r) {
  const s = await session();
  const subject = r.params.get('subject') || '';
  const source = r.params.get('source') || (s.sources[0] && s.sources[0].name) || '';
  view.append(h('h1', null, 'Timeline'));
  const input = h('input', {type: 'search', name: 'subject', value: subject, size: 60, placeholder: 'actor or principal: ARN, user name, user id, group id'});
  const form = h('form', {class: 'filters card', id: 'timeline-form'}, h('label', null, h('span', null, 'Actor or principal'), input),
    h('button', {type: 'submit', class: 'primary'}, 'Show'));
  form.addEventListener('submit', (e) => { e.preventDefault(); location.hash = link('timeline', '', {source, subject: input.value.trim()}); });
  view.append(form);
  if (s.sources.length === 0) {
    view.append(h('p', {class: 'note'}, 'No findings given: start portcullis serve with --store FILE or --findings FILE.'));
    return;
  }
  if (!subject) {
    view.append(histogramChart(await get('/api/v1/histogram', {source}), 'All findings over time by severity'));
    view.append(h('p', {class: 'muted'}, 'Name an actor or principal to see its story; links on a finding\'s actor lead here.'));
    return;
  }
  const [tl, hist] = await Promise.all([get('/api/v1/timeline', {source, subject}), get('/api/v1/histogram', {source, subject})]);
  view.append(histogramChart(hist, 'Findings of this actor or principal over time'));
  const card = h('div', {class: 'card'}, h('h2', null, `${num(tl.total)} findings` + (tl.shown < tl.total ? ` (the first ${num(tl.shown)} shown)` : '')));
  if (tl.items.length === 0) card.append(h('p', {class: 'muted'}, 'Nothing for this actor or principal. Names and ids match exactly.'));
  const ul = h('ul', {class: 'timeline', id: 'timeline'});
  for (const it of tl.items) {
    if (it.kind === 'finding') {
      ul.append(h('li', {class: 'finding'}, h('span', {class: 'mono muted'}, fmtTime(it.time)), ' ', sevBadge(it.severity), ' ',
        h('a', {href: link('finding', it.finding_id, {source})}, it.summary || it.rule), ' ', h('span', {class: 'muted'}, `(${it.status})`)));
    } else {
      ul.append(h('li', {class: 'event'}, h('span', {class: 'mono'}, fmtTime(it.time)), ' event ', it.event_name, ' from ', it.event_source, ' ', h('span', {class: 'mono'}, it.event_id)));
    }
  }
  card.append(ul);
  view.append(card);
}
