// Findings over time by severity: a stacked bar chart drawn as SVG from
// the histogram API (no chart library).
import {h, s, num} from './dom.js';

const order = ['info', 'low', 'medium', 'high', 'critical']; // bottom to top
const colors = {critical: '#8b0000', high: '#d9480f', medium: '#e8a317', low: '#2b7bb9', info: '#8a939c'};

function label(d, seconds) {
  const iso = new Date(d).toISOString();
  if (seconds >= 86400) return iso.slice(0, 10);
  return iso.slice(5, 16).replace('T', ' ');
}

export function histogramChart(hist, title) {
  const box = h('div', {class: 'chart card'});
  box.append(h('h2', null, title || 'Findings over time by severity'));
  if (!hist || !hist.buckets || hist.buckets.length === 0) {
    box.append(h('p', {class: 'muted'}, 'No findings to chart.'));
    return box;
  }
  const W = 1000, H = 200, left = 44, bottom = 26, top = 8;
  const n = hist.buckets.length;
  const totals = hist.buckets.map((b) => b.counts.reduce((a, c) => a + c, 0));
  const max = Math.max(1, ...totals);
  const bw = (W - left) / n;
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'findings over time by severity', class: 'histogram'});
  for (const frac of [0, 0.5, 1]) {
    const v = Math.round(max * frac);
    svg.append(s('line', {x1: left, x2: W, y1: y(v), y2: y(v), stroke: '#e3e6ea'}),
      s('text', {x: left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6570'}, num(v)));
  }
  hist.buckets.forEach((b, i) => {
    let acc = 0;
    const x = left + i * bw;
    order.forEach((sev, si) => {
      const c = b.counts[si];
      if (!c) return;
      const y0 = y(acc), y1 = y(acc + c);
      acc += c;
      const rect = s('rect', {x: x + 1, y: y1, width: Math.max(1, bw - 2), height: Math.max(0.5, y0 - y1), fill: colors[sev], 'data-severity': sev});
      rect.append(s('title', null, `${label(b.start, hist.bucket_seconds)}: ${num(c)} ${sev}`));
      svg.append(rect);
    });
  });
  const ticks = Math.min(n, 6);
  for (let t = 0; t < ticks; t++) {
    const i = Math.round(t * (n - 1) / Math.max(1, ticks - 1));
    svg.append(s('text', {x: left + i * bw + bw / 2, y: H - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#5b6570'},
      label(hist.buckets[i].start, hist.bucket_seconds)));
  }
  box.append(svg);
  const legend = h('div', {class: 'legend'});
  for (const sev of order.slice().reverse()) legend.append(h('span', null, h('i', {class: 'swatch-' + sev}), sev));
  legend.append(h('span', null, `${num(hist.total)} findings, one bar per ${bucketName(hist.bucket_seconds)}`));
  box.append(legend);
  return box;
}

function bucketName(sec) {
  const units = [[31536000, 'year'], [2592000, '30 days'], [604800, 'week'], [86400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [u, name] of units) {
    if (sec >= u && sec % u === 0) return sec === u ? name : `${sec / u} ${name}s`;
  }
  return sec + ' s';
}
