// charts.js — the explorer's pictures as plain SVG: line charts, scatter maps, heatmaps and bars,
// and the two exports (JSON records, PNG of a panel's charts). Every colour and font is an SVG
// attribute rather than CSS, so a chart drawn onto a canvas for the PNG looks as it does here.

const NS = 'http://www.w3.org/2000/svg';
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];
const MARGIN = {left: 56, right: 14, top: 26, bottom: 40};

// An SVG element with attributes, appended to parent when one is given.
export function el(tag, attrs = {}, parent = null, text = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// The outer <svg>: a white page with a title on top.
export function svgRoot(width, height, title) {
  const svg = el('svg', {width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': 'sans-serif',
                         'font-size': 11, role: 'img', 'aria-label': title});
  el('rect', {width, height, fill: '#ffffff'}, svg);
  el('text', {x: width / 2, y: 16, 'text-anchor': 'middle', 'font-size': 13, 'font-weight': 'bold'}, svg, title);
  return svg;
}

// About n round numbers spanning [lo, hi].
function ticks(lo, hi, n = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(+v.toPrecision(12));
  return out;
}

function logTicks(lo, hi) {
  const out = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** p;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  return out.length > 12 ? out.filter(v => String(v).startsWith('1')) : out;
}

function extent(values, pad = 0) {
  let lo = Math.min(...values), hi = Math.max(...values);
  if (!isFinite(lo) || !isFinite(hi)) return [0, 1];
  if (lo === hi) { lo -= 1; hi += 1; }
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

// Axes for a plot area; returns {x, y} functions from data to pixels.
function axes(svg, w, h, xs, ys, opts) {
  const L = MARGIN.left, R = w - MARGIN.right, T = MARGIN.top, B = h - MARGIN.bottom;
  const log = !!opts.logY;
  const fy = v => (log ? Math.log10(Math.max(v, 1e-12)) : v);
  let [x0, x1] = opts.xRange || extent(xs, opts.equal ? 0.08 : 0.02);
  let [y0, y1] = opts.yRange || extent(ys.map(fy), 0.06);
  if (opts.equal) {  // the same scale on both axes: a map, not a stretched one
    const k = Math.max((x1 - x0) / (R - L), (y1 - y0) / (B - T));
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    [x0, x1] = [cx - k * (R - L) / 2, cx + k * (R - L) / 2];
    [y0, y1] = [cy - k * (B - T) / 2, cy + k * (B - T) / 2];
  }
  const x = v => L + (v - x0) / (x1 - x0) * (R - L);
  const y = v => B - (fy(v) - y0) / (y1 - y0) * (B - T);
  el('rect', {x: L, y: T, width: R - L, height: B - T, fill: 'none', stroke: '#c8ccd4'}, svg);
  for (const t of opts.categories ? [] : ticks(x0, x1)) {
    el('line', {x1: x(t), x2: x(t), y1: B, y2: B + 4, stroke: '#888'}, svg);
    el('text', {x: x(t), y: B + 15, 'text-anchor': 'middle', fill: '#444'}, svg, String(t));
  }
  (opts.categories || []).forEach((c, i) =>
    el('text', {x: x(i + 0.5), y: B + 15, 'text-anchor': 'middle', fill: '#444'}, svg, c));
  // On a log axis: 1, 2, 5, 10, 20, ... (y0, y1 are then powers of ten).
  const yt = log ? logTicks(10 ** y0, 10 ** y1) : ticks(y0, y1);
  for (const t of yt) {
    const py = y(t);
    if (py < T - 1 || py > B + 1) continue;
    el('line', {x1: L - 4, x2: R, y1: py, y2: py, stroke: '#eceef2'}, svg);
    el('text', {x: L - 6, y: py + 4, 'text-anchor': 'end', fill: '#444'}, svg, String(t));
  }
  el('text', {x: (L + R) / 2, y: h - 6, 'text-anchor': 'middle', fill: '#333'}, svg, opts.xLabel || '');
  el('text', {x: 12, y: (T + B) / 2, 'text-anchor': 'middle', fill: '#333',
              transform: `rotate(-90 12 ${(T + B) / 2})`}, svg, opts.yLabel || '');
  return {x, y};
}

function legend(svg, w, series) {
  let x = MARGIN.left + 4;
  for (const [i, s] of series.entries()) {
    if (!s.name) continue;
    const c = s.color || COLORS[i % COLORS.length];
    el('rect', {x, y: MARGIN.top + 4, width: 10, height: 10, fill: c}, svg);
    el('text', {x: x + 14, y: MARGIN.top + 13, fill: '#333'}, svg, s.name);
    x += 24 + 6.5 * s.name.length;
  }
}

// Lines (and dots) through points [[x, y], ...] of each series; a null y breaks the line.
export function lineChart({title, series, xLabel, yLabel, logY = false, width = 520, height = 260}) {
  const svg = svgRoot(width, height, title);
  const all = series.flatMap(s => s.points.filter(p => p[1] !== null && isFinite(p[1])));
  const {x, y} = axes(svg, width, height, all.map(p => p[0]), all.map(p => p[1]), {xLabel, yLabel, logY});
  for (const [i, s] of series.entries()) {
    const c = s.color || COLORS[i % COLORS.length];
    let d = '', pen = 'M';
    for (const [px, py] of s.points) {
      if (py === null || !isFinite(py)) { pen = 'M'; continue; }
      d += `${pen}${x(px).toFixed(1)},${y(py).toFixed(1)}`;
      pen = 'L';
    }
    el('path', {d, fill: 'none', stroke: c, 'stroke-width': 1.8, 'stroke-dasharray': s.dash || ''}, svg);
    for (const [k, [px, py]] of s.points.entries()) {
      if (py === null || !isFinite(py)) continue;
      const dot = el('circle', {cx: x(px), cy: y(py), r: 2.6, fill: c}, svg);
      if (s.tips) el('title', {}, dot, s.tips[k]);
    }
  }
  legend(svg, width, series);
  return svg;
}

// A map: points {x, y, label, color, r, tip, onClick}; segments [[x0, y0, x1, y1, color, width]].
export function scatter({title, points, segments = [], xLabel, yLabel, width = 520, height = 420, keys = []}) {
  const svg = svgRoot(width, height, title);
  const xs = points.map(p => p.x), ys = points.map(p => p.y);
  const {x, y} = axes(svg, width, height, xs, ys, {xLabel, yLabel, equal: true});
  for (const [x0, y0, x1, y1, color, w] of segments)
    el('line', {x1: x(x0), y1: y(y0), x2: x(x1), y2: y(y1), stroke: color, 'stroke-width': w || 1}, svg);
  for (const p of points) {
    const g = el('g', p.onClick ? {class: 'clickable'} : {}, svg);
    if (p.square) el('rect', {x: x(p.x) - 3, y: y(p.y) - 3, width: 6, height: 6, fill: p.color}, g);
    else el('circle', {cx: x(p.x), cy: y(p.y), r: p.r || 3.5, fill: p.color, 'fill-opacity': p.opacity ?? 0.9}, g);
    if (p.label) el('text', {x: x(p.x) + 5, y: y(p.y) - 4, fill: p.labelColor || '#333', 'font-size': 10}, g, p.label);
    if (p.tip) el('title', {}, g, p.tip);
    if (p.onClick) g.addEventListener('click', p.onClick);
  }
  legend(svg, width, keys);
  return svg;
}

// White (0) to dark blue (max) for a value in [0, max].
export function shade(v, max) {
  const t = Math.max(0, Math.min(1, max > 0 ? v / max : 0));
  const c = k => Math.round(255 - t * (255 - k));
  return `rgb(${c(16)},${c(60)},${c(140)})`;
}

// values: rows * cols numbers, row-major, in cells of cell x cellH pixels. Row labels at the
// left, column labels at the bottom; tip(r, c, v) gives each cell's tooltip.
export function heatmap({title, values, rows, cols, rowLabels = [], colLabels = [], max = null, cell = 14,
                         cellH = null, labelWidth = 64, tip = null, width = null}) {
  const ch = cellH || cell;
  const w = labelWidth + cols * cell + 20, h = 30 + rows * ch + (colLabels.length ? 70 : 10);
  const svg = svgRoot(width || Math.max(w, 40 + 7 * title.length), h, title);
  svg.setAttribute('class', 'heatmap');
  const m = max ?? Math.max(...values.filter(isFinite), 0);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      const rect = el('rect', {x: labelWidth + c * cell, y: 26 + r * ch, width: cell - 1, height: ch - 1,
                               fill: isFinite(v) ? shade(v, m) : '#f3f3f3', 'data-row': r, 'data-col': c}, svg);
      if (tip) el('title', {}, rect, tip(r, c, v));
    }
    if (rowLabels[r] !== undefined)
      el('text', {x: labelWidth - 4, y: 26 + r * ch + ch * 0.8, 'text-anchor': 'end', 'font-size': Math.min(9, ch)}, svg, rowLabels[r]);
  }
  for (let c = 0; c < cols; c++) {
    if (colLabels[c] === undefined) continue;
    const px = labelWidth + c * cell + cell / 2, py = 30 + rows * ch;
    el('text', {x: px, y: py, 'font-size': 9, transform: `rotate(60 ${px} ${py})`}, svg, colLabels[c]);
  }
  return svg;
}

// Grouped bars: labels (n) along x, each series {name, values (n)}.
export function bars({title, labels, series, yLabel, width = 520, height = 240}) {
  const svg = svgRoot(width, height, title);
  const vals = series.flatMap(s => s.values).filter(isFinite).concat([0]);
  const n = labels.length;
  const {y} = axes(svg, width, height, [0, n], vals, {yLabel, xRange: [0, n], categories: labels});
  const L = MARGIN.left, R = width - MARGIN.right, slot = (R - L) / Math.max(n, 1);
  const bw = slot * 0.8 / Math.max(series.length, 1);
  for (const [k, s] of series.entries())
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (!isFinite(v)) continue;
      const y0 = y(0), y1 = y(v);
      const bar = el('rect', {x: L + i * slot + slot * 0.1 + k * bw, y: Math.min(y0, y1), width: bw,
                              height: Math.max(Math.abs(y1 - y0), 0.5), fill: s.color || COLORS[k]}, svg);
      el('title', {}, bar, `${labels[i]} ${s.name}: ${v.toFixed(4)}`);
    }
  legend(svg, width, series);
  return svg;
}

// Replaces a container's charts (keeping its caption) with these (none: just clears them).
export function show(container, ...svgs) {
  for (const old of [...container.querySelectorAll('svg')]) old.remove();
  for (const svg of svgs) container.appendChild(svg);
}

export function downloadText(filename, text) {
  download(filename, new Blob([text], {type: 'application/json'}));
}

function download(filename, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// Every chart of a panel drawn where it sits on the page, into one PNG (twice the pixels).
export async function exportPng(panel, filename) {
  const svgs = [...panel.querySelectorAll('svg')];
  if (!svgs.length) throw new Error('nothing drawn in this panel yet');
  const box = panel.getBoundingClientRect(), scale = 2;
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(box.width * scale);
  canvas.height = Math.ceil(box.height * scale);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (const svg of svgs) {
    const r = svg.getBoundingClientRect();
    const img = new Image();
    const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(svg)], {type: 'image/svg+xml'}));
    await new Promise((ok, bad) => { img.onload = ok; img.onerror = bad; img.src = url; });
    ctx.drawImage(img, (r.left - box.left) * scale, (r.top - box.top) * scale, r.width * scale, r.height * scale);
    URL.revokeObjectURL(url);
  }
  const blob = await new Promise(ok => canvas.toBlob(ok, 'image/png'));
  download(filename, blob);
}
