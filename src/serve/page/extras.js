// extras.js — two views beside the walks: a token's nearest token vectors by dot product and
// by cosine (/api/neighbours = gptwalk neighbours --json), and the position kernels and
// self-bias of every head of one layer (/api/positions = gptwalk walk positions --json).

import {api} from './api.js';
import {heatmap, bars, COLORS} from './charts.js';

const fmt = (x, d = 4) => (x === null || !isFinite(x) ? '-' : x.toFixed(d));

function table(caption, rows, cols) {
  const t = document.createElement('table');
  const cap = document.createElement('caption');
  cap.textContent = caption;
  t.appendChild(cap);
  const head = document.createElement('tr');
  for (const [name, , cls] of cols) {
    const th = document.createElement('th');
    th.textContent = name;
    th.className = cls || '';
    head.appendChild(th);
  }
  t.appendChild(head);
  for (const r of rows) {
    const tr = document.createElement('tr');
    for (const [, get, cls] of cols) {
      const td = document.createElement('td');
      td.textContent = get(r);
      td.className = cls || '';
      tr.appendChild(td);
    }
    t.appendChild(tr);
  }
  return t;
}

export async function neighbours(id, k) {
  const r = await api('neighbours', {id, k});
  const box = document.getElementById('neighbours');
  const intro = document.createElement('p');
  intro.className = 'note';
  intro.textContent = `The rows of wte nearest to ${JSON.stringify(r.text)} (id ${r.id}, |e| = ${fmt(r.norm)}), the token ` +
    `itself left out: ${r.shared} of ${r.k} in both lists. Logits use the dot product, where length counts too.`;
  const cols = [['', x => x.i, ''], ['token', x => x.text, 'token'], ['cos', x => fmt(x.cosine), ''],
                ['dot', x => fmt(x.dot), ''], ['|e|', x => fmt(x.norm), '']];
  const wrap = document.createElement('div');
  wrap.className = 'tables';
  wrap.append(table('by cosine', r.by_cosine.map((x, i) => ({...x, i: i + 1})), cols),
              table('by dot product', r.by_dot.map((x, i) => ({...x, i: i + 1})), cols));
  box.replaceChildren(intro, wrap);
  return r;
}

export async function positionKernels(layer, span, promptIds) {
  const body = {layer, span};
  if (promptIds && promptIds.length) body.prompt_ids = promptIds;
  const r = await api('positions', body);
  const box = document.getElementById('positions');
  const n = r.n, cell = Math.max(4, Math.min(9, Math.floor(260 / n)));
  const figs = [];
  const fig = svg => {
    const f = document.createElement('figure');
    f.appendChild(svg);
    figs.push(f);
  };
  const tip = (h, i, j, v) => `${h}: position ${i} reads ${j} with ${fmt(v, 3)}`;
  // Row 0 always reads itself with weight 1: the shading's scale comes from the other rows.
  const top = kernel => Math.max(...kernel.slice(n));
  for (const h of r.heads)
    fig(heatmap({title: `layer ${r.layer} head ${h.head}: self-bias ${fmt(h.mean_self_bias, 3)}`, values: h.kernel,
                 rows: n, cols: n, cell, labelWidth: 24, max: top(h.kernel), tip: (i, j, v) => tip(`head ${h.head}`, i, j, v)}));
  fig(heatmap({title: 'parameter-free softmax(x̂x̂ᵀ/√C)', values: r.parameter_free.kernel, rows: n, cols: n, cell,
               labelWidth: 24, max: top(r.parameter_free.kernel), tip: (i, j, v) => tip('parameter-free', i, j, v)}));
  const labels = r.heads.map(h => `head ${h.head}`).concat(['free']);
  const series = [{name: 'positions alone', values: r.heads.map(h => h.mean_self_bias).concat([r.parameter_free.mean_self_bias])}];
  if (r.text_tokens > 0)
    series.push({name: `on the prompt (${r.text_tokens} tokens)`, color: COLORS[1],
                 values: r.heads.map(h => h.text_mean_self_bias).concat([r.parameter_free.text_mean_self_bias])});
  fig(bars({title: 'Mean self-bias b(i) = a(i,i) - 1/(i+1)', labels, series, yLabel: 'self-bias', width: 300}));
  const note = document.createElement('p');
  note.className = 'note wide';
  note.textContent = 'Rows: the position reading (0 at the top); columns: the position read; darker = more weight ' +
    '(each map shaded to its own largest weight below row 0). ' + r.notes.join(' ');
  box.replaceChildren(...figs, note);
  return r;
}
