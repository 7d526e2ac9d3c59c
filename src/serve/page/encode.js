// encode.js — the encoding walk of one position (the record of /api/encode = gptwalk walk
// encode --json): how the position's vector moves, half-layer by half-layer, until it is the
// context vector. The logit lens (rank of the final prediction, KL to the final distribution),
// |h| and the updates, attention rows of every head, and the 2-D path.

import {api} from './api.js';
import {lineChart, heatmap, scatter, show, COLORS} from './charts.js';

// A token's text with its spaces and newlines visible; the record has null for a token whose
// text it cannot give (a model folder without tokenizer files): then its id, as "#id".
const shown = (t, id) => (t === null || t === undefined ? `#${id}` : t.replace(/ /g, '␣').replace(/\n/g, '\\n'));
const fmt = (x, d = 3) => (x === null || !isFinite(x) ? '-' : x.toFixed(d));

// The walk of position t of ids; draws it and returns the record.
export async function encodeWalk(ids, t) {
  const record = await api('encode', {prompt_ids: ids, position: t});
  drawEncode(record);
  return record;
}

function drawHead(w) {
  const head = document.getElementById('encode-head');
  head.textContent = `Position ${w.position}: ${shown(w.tokens[w.position], w.ids[w.position])} (id ${w.ids[w.position]}) after ` +
    `${w.position} tokens. The model predicts ${shown(w.predicted_token[0], w.predicted)} next. ` +
    `${w.n_layer} layers, ${w.points.length} half-layer points: embed, then after attention (.5) and after the MLP of each layer.`;
}

function drawLens(w) {
  const pts = w.points, tips = pts.map(p => `${p.name}: lens top ${shown(p.lens_top_tokens[0], p.lens_top[0])} (p ${fmt(p.lens_top_prob[0])})`);
  show(document.getElementById('lens'),
       lineChart({title: 'Logit lens: rank of the final prediction', xLabel: 'depth (layers)', yLabel: 'rank (1 = top)',
                  logY: true, width: 320, series: [{name: '', points: pts.map(p => [p.depth, p.final_rank]), tips}]}),
       lineChart({title: 'KL(lens || final), nats', xLabel: 'depth (layers)', yLabel: 'KL', width: 320,
                  series: [{name: '', points: pts.map(p => [p.depth, p.kl_to_final]), color: COLORS[1], tips}]}));
}

function drawNorms(w) {
  const pts = w.points;
  show(document.getElementById('norms'),
       lineChart({title: '|h| and the update that made it', xLabel: 'depth (layers)', yLabel: 'length', width: 520,
                  series: [{name: '|h|', points: pts.map(p => [p.depth, p.norm])},
                           {name: '|update| (attention at .5, MLP at whole layers)',
                            points: pts.slice(1).map(p => [p.depth, p.update_norm]), color: COLORS[2]}]}));
}

function drawAttention(w) {
  const t = w.position, L = w.n_layer, H = w.n_head;
  const values = [], rowLabels = [];
  for (let l = 0; l < L; l++)
    for (let h = 0; h < H; h++) {
      values.push(...w.attention[l].heads[h].weights);
      rowLabels.push(`layer ${l} head ${h}`);
    }
  const cols = t + 1;
  const cellSize = Math.max(6, Math.min(22, Math.floor(900 / cols)));
  show(document.getElementById('attention'),
       heatmap({title: `Attention rows of position ${t}: where each head reads from (weights 0 to 1)`, values,
                rows: L * H, cols, rowLabels, colLabels: w.tokens.map((t, j) => shown(t, w.ids[j])), max: 1, cell: cellSize, cellH: 10, labelWidth: 96,
                tip: (r, c, v) => `${rowLabels[r]} reads position ${c} ${shown(w.tokens[c], w.ids[c])}: ${fmt(v)}`}));
}

function drawPath(w) {
  const K = w.points.length, xy = w.path.xy, first = w.rank_grid.first_position;
  const Tg = xy.length / (2 * K), at = w.position - first;
  const points = [], segments = [];
  for (let i = 0; i < Tg; i++) {
    const mine = i === at;
    for (let k = 0; k < K; k++) {
      const x = xy[2 * (i * K + k)], y = xy[2 * (i * K + k) + 1];
      if (k > 0) segments.push([xy[2 * (i * K + k - 1)], xy[2 * (i * K + k - 1) + 1], x, y, mine ? COLORS[1] : '#d5d8de', mine ? 2 : 1]);
      if (mine || k === K - 1)
        points.push({x, y, color: mine ? COLORS[1] : '#9aa1ad', r: mine ? 3.5 : 2,
                     label: mine && (k === 0 || k === K - 1 || k % 4 === 0) ? String(w.points[k].depth) : '',
                     tip: `${shown(w.tokens[first + i], w.ids[first + i])} at ${w.points[k].name}`});
    }
  }
  const pc = a => `PC${a + 1} (${Math.round(100 * w.path.explained[a])}%)`;
  show(document.getElementById('path2d'),
       scatter({title: 'The walk in 2-D: every position (grey), this one (red, labelled by depth)', points, segments,
                xLabel: pc(0), yLabel: pc(1)}));
}

function drawLensTable(w) {
  const box = document.getElementById('lens-table');
  const table = document.createElement('table');
  table.innerHTML = '<thead><tr><th class="token">point</th><th>|h|</th><th>cos(h, h_L)</th>' +
    '<th class="token">the lens reads (top 3)</th><th>rank of final</th><th>KL</th></tr></thead>';
  const body = document.createElement('tbody');
  for (const p of w.points) {
    const tr = document.createElement('tr');
    const top = p.lens_top_tokens.slice(0, 3).map((s, i) => `${shown(s, p.lens_top[i])} ${fmt(p.lens_top_prob[i], 2)}`).join('  ');
    for (const [text, cls] of [[p.name, 'token'], [fmt(p.norm, 2), ''], [fmt(p.cos_final), ''], [top, 'token'],
                               [String(p.final_rank), ''], [fmt(p.kl_to_final), '']]) {
      const td = document.createElement('td');
      td.textContent = text;
      td.className = cls;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  table.appendChild(body);
  box.replaceChildren(table);
}

export function drawEncode(w) {
  drawHead(w);
  drawLens(w);
  drawNorms(w);
  drawAttention(w);
  drawPath(w);
  drawLensTable(w);
}
