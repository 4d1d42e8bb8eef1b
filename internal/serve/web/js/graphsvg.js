// exportSVG writes the graph as it is laid out as a standalone SVG
// document. Labels are set with textContent and serialised by the
// browser, so a name full of markup stays text.
import {s} from './dom.js';

export function exportSVG(cy) {
  const bb = cy.elements().boundingBox({includeLabels: true});
  const pad = 20;
  const svg = s('svg', {xmlns: 'http://www.w3.org/2000/svg', width: Math.ceil(bb.w + 2 * pad), height: Math.ceil(bb.h + 2 * pad),
    viewBox: `${bb.x1 - pad} ${bb.y1 - pad} ${bb.w + 2 * pad} ${bb.h + 2 * pad}`, 'font-family': 'sans-serif'});
  svg.append(s('rect', {x: bb.x1 - pad, y: bb.y1 - pad, width: bb.w + 2 * pad, height: bb.h + 2 * pad, fill: '#ffffff'}));
  const defs = s('defs');
  for (const [id, color] of [['arrow', '#adb5bd'], ['arrow-admin', '#c92a2a']]) {
    defs.append(s('marker', {id, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse'},
      s('path', {d: 'M 0 0 L 10 5 L 0 10 z', fill: color})));
  }
  svg.append(defs);
  cy.edges().forEach((e) => {
    const a = e.sourceEndpoint(), b = e.targetEndpoint();
    const admin = !!e.data('admin');
    svg.append(s('line', {x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: admin ? '#c92a2a' : '#adb5bd', 'stroke-width': admin ? 3 : 1.5,
      'marker-end': `url(#${admin ? 'arrow-admin' : 'arrow'})`, class: admin ? 'admin' : ''}));
  });
  cy.nodes().forEach((n) => {
    const p = n.position(), w = n.width(), hgt = n.height();
    const fill = n.style('background-color'), stroke = n.style('border-color'), sw = parseFloat(n.style('border-width')) || 0;
    const shape = n.style('shape');
    let el;
    if (shape === 'ellipse') el = s('ellipse', {cx: p.x, cy: p.y, rx: w / 2, ry: hgt / 2});
    else if (shape === 'diamond') el = s('polygon', {points: `${p.x},${p.y - hgt / 2} ${p.x + w / 2},${p.y} ${p.x},${p.y + hgt / 2} ${p.x - w / 2},${p.y}`});
    else el = s('rect', {x: p.x - w / 2, y: p.y - hgt / 2, width: w, height: hgt, rx: shape === 'round-rectangle' ? 4 : 0});
    el.setAttribute('fill', fill);
    el.setAttribute('stroke', stroke);
    el.setAttribute('stroke-width', sw);
    svg.append(el);
    const lines = String(n.data('display') || '').split('\n');
    const text = s('text', {x: p.x, y: p.y + hgt / 2 + 14, 'text-anchor': 'middle', 'font-size': 11, fill: '#1b1f24'});
    lines.forEach((line, i) => text.append(s('tspan', {x: p.x, dy: i === 0 ? 0 : 13}, line)));
    svg.append(text);
  });
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
}
