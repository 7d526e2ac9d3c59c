// tree_view.js — drawing the decoding tree (decode.js): the paths as a tree, the selected
// step's candidates with the logit split, the 2-D map of contexts and tokens, and entropy and
// p along the selected path.

import {el, svgRoot, scatter, lineChart, show, COLORS} from './charts.js';
import {pathTo} from './decode.js';

const COL = 112, ROW = 24, LEFT = 70;  // the tree's grid: pixels per depth, per leaf; the prompt's column
const label = text => (text.length > 11 ? text.slice(0, 10) + '…' : text);

const fmt = (x, d = 4) => (x === null || x === undefined || !isFinite(x) ? '-' : x.toFixed(d));

// Rows: leaves in depth-first order; a parent sits at the mean row of its children.
function layout(tree) {
  const row = new Array(tree.nodes.length);
  let next = 0;
  const place = n => {
    const kids = tree.nodes[n].children;
    if (!kids.length) return (row[n] = next++);
    const rows = kids.map(place);
    return (row[n] = (rows[0] + rows[rows.length - 1]) / 2);
  };
  tree.nodes.forEach((x, i) => { if (x.parent < 0) place(i); });
  return {row, rows: Math.max(next, 1)};
}

function drawTree(tree, onSelect) {
  const {row, rows} = layout(tree);
  const depth = Math.max(0, ...tree.nodes.map(x => x.depth)) + 1;
  const width = LEFT + depth * COL + 120, height = 40 + rows * ROW;
  const svg = svgRoot(width, height, tree.nodes.length ? 'Explored paths' : 'Step to start the walk');
  svg.setAttribute('id', 'tree-svg');
  const onPath = new Set(pathTo(tree, tree.selected));
  const y = r => 34 + r * ROW, x = d => LEFT + d * COL;
  const rootY = y(tree.nodes.filter(n => n.parent < 0).reduce((s, n, _, a) => s + row[tree.nodes.indexOf(n)] / a.length, 0));
  el('text', {x: 6, y: rootY + 4, 'font-weight': 'bold'}, svg, 'prompt');
  tree.nodes.forEach((n, i) => {
    // from the end of the parent's label (about 7 pixels a character) to this node's dot
    const p = n.parent < 0 ? null : tree.nodes[n.parent];
    const x0 = p ? x(p.depth) + 12 + 7 * label(p.text).length : 52, y0 = p ? y(row[n.parent]) : rootY;
    const hot = onPath.has(i);
    el('path', {d: `M${x0},${y0} C${x0 + 14},${y0} ${x(n.depth) - 14},${y(row[i])} ${x(n.depth) - 4},${y(row[i])}`,
                fill: 'none', stroke: hot ? '#1f5fbf' : '#b7bcc6', 'stroke-width': hot ? 2.2 : 1.2}, svg);
  });
  tree.nodes.forEach((n, i) => {
    const hot = onPath.has(i), s = n.stats;
    const g = el('g', {class: 'node clickable' + (hot ? ' on-path' : ''), 'data-node': i, 'data-token': n.token}, svg);
    const p = s ? s.prob : n.step.prob_model;
    el('circle', {cx: x(n.depth), cy: y(row[i]), r: 3 + 5 * Math.sqrt(p), fill: n.step.chosen_by === 'click' ? '#ff7f0e' : '#1f77b4',
                  stroke: i === tree.selected ? '#000' : 'none', 'stroke-width': 1.5}, g);
    el('text', {x: x(n.depth) + 9, y: y(row[i]) + 4, 'font-family': 'monospace', 'font-weight': hot ? 'bold' : 'normal'},
       g, label(n.text));
    if (!n.children.length && s)
      el('text', {x: x(n.depth) + 15 + 7 * label(n.text).length, y: y(row[i]) + 4, fill: '#5c6473',
                  class: 'logp'}, g, `log P ${fmt(s.log_prob, 2)}`);
    el('title', {}, g, `${n.text} (id ${n.token}), step ${n.depth}: p ${fmt(p)}, rank ${s ? s.rank : n.step.rank}` +
       (s ? `, H ${fmt(s.entropy, 3)} nats, log P of the path ${fmt(s.log_prob, 3)}` : '') +
       (n.step.chosen_by === 'click' ? ' (chosen by a click)' : ''));
    g.addEventListener('click', () => onSelect(i));
  });
  return svg;
}

function cell(tr, text, cls = '') {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}

function drawCandidates(tree, onBranch) {
  const box = document.getElementById('candidates');
  box.replaceChildren();
  if (tree.selected < 0) {
    box.textContent = 'Step, and the candidates of each step appear here.';
    return;
  }
  const n = tree.nodes[tree.selected], s = n.step;
  const h = document.createElement('p');
  h.innerHTML = `<b>Step ${n.depth}</b>: the model's top ${s.top.length} after the path; ` +
    `chose <code></code> (${n.step.chosen_by === 'click' ? 'by a click' : 'by the sampler'}). ` +
    `H = ${fmt(s.entropy_model, 3)} nats, |c| = ${fmt(s.context_norm, 2)}. Click another row to branch.`;
  h.querySelector('code').textContent = n.text;
  box.appendChild(h);
  const table = document.createElement('table');
  table.id = 'candidates-table';
  table.innerHTML = '<thead><tr><th>rank</th><th class="token">token</th><th>id</th><th>p</th><th>logit</th>' +
    '<th title="e·(γ⊙x̂): depends on the context">content</th><th title="e·β of ln_f: the same at every step">prior</th>' +
    '<th class="token">split</th><th>cos(c, e)</th><th>|e|</th></tr></thead>';
  const body = document.createElement('tbody');
  const big = Math.max(...s.top.map(k => Math.abs(k.content) + Math.abs(k.prior)));
  s.top.forEach((k, i) => {
    const tr = document.createElement('tr');
    tr.dataset.id = k.id;
    tr.className = k.id === n.token ? 'chosen' : 'pick';
    [String(i + 1)].forEach(t => cell(tr, t));
    cell(tr, k.text, 'token');
    [String(k.id), fmt(k.prob), fmt(k.logit, 3), fmt(k.content, 3), fmt(k.prior, 3)].forEach(t => cell(tr, t));
    const split = cell(tr, '', 'token');
    for (const [part, v] of [['content', k.content], ['prior', k.prior]]) {
      const bar = document.createElement('span');
      bar.className = `split ${part}` + (v < 0 ? ' negative' : '');
      bar.style.width = `${(80 * Math.abs(v) / big).toFixed(1)}px`;
      bar.title = `${part} ${fmt(v, 3)}`;
      split.appendChild(bar);
    }
    [fmt(k.cosine), fmt(k.norm, 3)].forEach(t => cell(tr, t));
    if (k.id !== n.token) tr.addEventListener('click', () => onBranch(tree.selected, i));
    body.appendChild(tr);
  });
  table.appendChild(body);
  box.appendChild(table);
  const near = document.createElement('p');
  near.className = 'note mono';
  near.textContent = `nearest to c by dot: ${s.nearest_by_dot.map(x => x.text).join(' ')}\n` +
    `         by cosine: ${s.nearest_by_cosine.map(x => x.text).join(' ')} (${s.nearest_shared} shared)`;
  near.style.whiteSpace = 'pre';
  box.appendChild(near);
}

function drawMap(tree, onSelect) {
  const fig = document.getElementById('map');
  const m = tree.map;
  if (!m) return show(fig);
  const onPath = new Set(pathTo(tree, tree.selected));
  const points = [], segments = [];
  tree.nodes.forEach((n, i) => {
    const s = n.stats;
    if (!s) return;
    const hot = onPath.has(i);
    segments.push([s.context_xy[0], s.context_xy[1], s.token_xy[0], s.token_xy[1], hot ? '#9ab' : '#e2e4e8', 1]);
    points.push({x: s.context_xy[0], y: s.context_xy[1], color: COLORS[0], opacity: hot ? 0.95 : 0.3, r: hot ? 4 : 3,
                 tip: `c before ${n.text} (step ${n.depth})`, onClick: () => onSelect(i)});
    points.push({x: s.token_xy[0], y: s.token_xy[1], color: COLORS[4], square: true, label: hot ? n.text : '',
                 tip: `e of ${n.text} (id ${n.token})`});
  });
  const path = [...onPath].map(i => tree.nodes[i].stats).filter(Boolean);
  for (let k = 1; k < path.length; k++)
    segments.push([path[k - 1].context_xy[0], path[k - 1].context_xy[1], path[k].context_xy[0], path[k].context_xy[1], COLORS[0], 2]);
  const pc = a => `PC${a + 1} (${Math.round(100 * m.pca.explained[a])}% of variance)`;
  show(fig, scatter({title: 'Context vectors c and chosen token vectors e (unit vectors, one PCA)', points, segments,
                     xLabel: pc(0), yLabel: pc(1), keys: [{name: 'c (selected path: joined)'}, {name: 'e token', color: COLORS[4]}]}));
}

function drawAlongPath(tree) {
  const fig = document.getElementById('entropy');
  const path = pathTo(tree, tree.selected).map(i => tree.nodes[i]).filter(n => n.stats);
  if (!path.length) return show(fig);
  const tips = path.map(n => `${n.depth}: ${n.text}`);
  show(fig,
       lineChart({title: 'Entropy of each step (selected path)', xLabel: 'step', yLabel: 'H (nats)', width: 300, height: 220,
                  series: [{name: 'H', points: path.map(n => [n.depth, n.stats.entropy]), tips}]}),
       lineChart({title: 'p of the chosen token', xLabel: 'step', yLabel: 'p', width: 300, height: 220,
                  series: [{name: 'p', points: path.map(n => [n.depth, n.stats.prob]), color: COLORS[1], tips}]}));
}

// Draws every view of the tree. onSelect(node) and onBranch(node, candidate) are the clicks.
export function drawDecode(tree, onSelect, onBranch) {
  show(document.getElementById('tree'), drawTree(tree, onSelect));
  drawCandidates(tree, onBranch);
  drawMap(tree, onSelect);
  drawAlongPath(tree);
}
