// explorer.js — the page's main module: the model, the prompt, and the wiring between the views.
//
// State, all of it here: the model's record (/api/model), the prompt's tokenization record,
// the decoding tree (decode.js) and the last record of each other view, kept for Export JSON.
// Every view is computed by the server; this file only decides what to ask for and when.

import {api, showError} from './api.js';
import {downloadText, exportPng} from './charts.js';
import {newTree, step, branch, measureTree, idsTo, exportRecord} from './decode.js';
import {drawDecode} from './tree_view.js';
import {encodeWalk} from './encode.js';
import {neighbours, positionKernels} from './extras.js';
import {drawTokens, markToken} from './tokens.js';

const state = {model: null, prompt: null, tree: newTree([]), encode: null, neighbours: null, positions: null};
const $ = id => document.getElementById(id);
const num = (id, fallback) => (Number.isFinite($(id).valueAsNumber) ? $(id).valueAsNumber : fallback);

// Runs an action, shows its error (if any) in the status line, and never lets one escape.
async function guarded(action) {
  try {
    return await action();
  } catch (err) {
    showError(err);
    return undefined;
  }
}

function settings() {
  return {top: num('top', 5),
          sampler: {greedy: $('greedy').checked, temperature: num('temperature', 1), top_k: num('top-k', 0),
                    top_p: num('top-p', 1), seed: num('seed', 0)}};
}

// The decoding views, after any change of the tree.
async function redrawTree() {
  const t = state.tree;
  drawDecode(t, n => guarded(() => selectNode(n)), (n, k) => guarded(() => branchAt(n, k)));
  await measureTree(t, state.model.limits.max_paths);
  drawDecode(t, n => guarded(() => selectNode(n)), (n, k) => guarded(() => branchAt(n, k)));
}

// The encoding walk (and neighbours) of the selected node's position.
async function followNode(n) {
  const ids = idsTo(state.tree, n);
  markToken(-1);
  state.encode = await encodeWalk(ids, ids.length - 1);
  state.neighbours = await neighbours(state.tree.nodes[n].token, num('nb-k', 10));
  $('nb-id').value = state.tree.nodes[n].token;
}

async function selectNode(n) {
  state.tree.selected = n;
  drawDecode(state.tree, m => guarded(() => selectNode(m)), (m, k) => guarded(() => branchAt(m, k)));
  await followNode(n);
}

async function branchAt(n, k) {
  const b = branch(state.tree, n, k);
  await redrawTree();
  await followNode(b);
}

async function walk(steps) {
  if (!state.prompt) return;
  for (const b of document.querySelectorAll('#step, #walk')) b.disabled = true;
  try {
    await step(state.tree, settings(), steps);
    await redrawTree();
    await followNode(state.tree.selected);
  } finally {
    for (const b of document.querySelectorAll('#step, #walk')) b.disabled = false;
  }
}

async function pickToken(position) {
  markToken(position);
  state.encode = await encodeWalk(state.prompt.ids, position);
  state.neighbours = await neighbours(state.prompt.ids[position], num('nb-k', 10));
  $('nb-id').value = state.prompt.ids[position];
}

// Without tokenizer files a prompt is typed as ids, "464, 3290": a record of the same shape,
// each id its own piece (the server checks the ids when a walk asks for them).
function idsRecord(text) {
  if (!/^\s*\d+(\s*,\s*\d+)*\s*$/.test(text))
    throw new Error(`${state.model.model} has no tokenizer files: type the prompt as token ids, e.g. 1, 2, 3`);
  const ids = text.split(',').map(Number);
  return {kind: 'token_ids', text, ids, tokens: ids.map((id, i) => ({id, text: `#${id}`, piece: i})),
          pieces: ids.map(id => ({text: '', bytes: [], mapped: '', merges: [], ids: [id]}))};
}

// A new prompt: its tokens, a new tree, the walk of its last position, the kernels measured on it.
async function tokenize() {
  const text = $('prompt').value;
  if (!text) return;
  const record = state.model.tokenizer ? await api('tokenize', {text}) : idsRecord(text);
  if ($('prompt').value !== text) return;  // typed on meanwhile: the newer request wins
  state.prompt = record;
  drawTokens(record, state.model.n_positions, p => guarded(() => pickToken(p)));
  state.tree = newTree(record.ids);
  drawDecode(state.tree, () => {}, () => {});
  if (record.ids.length >= state.model.n_positions)
    throw new Error(`the prompt has ${record.ids.length} tokens; the model's context holds ${state.model.n_positions}`);
  await pickToken(record.ids.length - 1);
  await showPositions();
}

async function showPositions() {
  const ids = state.prompt ? state.prompt.ids.slice(0, state.model.n_positions) : [];
  state.positions = await positionKernels(num('pk-layer', 0), num('pk-span', 32), ids);
}

const exports = {
  prompt: () => state.prompt,
  decode: () => exportRecord(state.tree),
  encode: () => state.encode,
  neighbours: () => state.neighbours,
  positions: () => state.positions,
};

function wire() {
  let typing = null;
  $('prompt').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => guarded(tokenize), 300);
  });
  $('step').addEventListener('click', () => guarded(() => walk(1)));
  $('walk').addEventListener('click', () => guarded(() => walk(num('walk-n', 8))));
  $('reset').addEventListener('click', () => guarded(async () => {
    state.tree = newTree(state.prompt ? state.prompt.ids : []);
    await redrawTree();
  }));
  $('nb-go').addEventListener('click', () => guarded(async () => {
    state.neighbours = await neighbours(num('nb-id', 0), num('nb-k', 10));
  }));
  $('pk-go').addEventListener('click', () => guarded(showPositions));
  for (const b of document.querySelectorAll('[data-export-json]'))
    b.addEventListener('click', () => guarded(async () => {
      const record = exports[b.dataset.exportJson]();
      if (!record) throw new Error('nothing to export in this view yet');
      downloadText(`gptwalk-${b.dataset.exportJson}.json`, JSON.stringify(record, null, 1) + '\n');
    }));
  for (const b of document.querySelectorAll('[data-export-png]'))
    b.addEventListener('click', () => guarded(() => exportPng($(b.dataset.exportPng), `gptwalk-${b.dataset.exportPng}.png`)));
}

async function start() {
  const m = await api('model');
  state.model = m;
  $('model').textContent = `${m.model}: ${m.n_layer} layers, ${m.n_head} heads, C = ${m.n_embd}, ` +
    `context ${m.n_positions}, vocabulary ${m.vocab_size}; kernels ${m.kernels}` + (m.tokenizer ? '' : ' (no tokenizer)');
  $('pk-layer').max = m.n_layer - 1;
  $('pk-span').max = Math.min(m.limits.max_span, m.n_positions);
  $('pk-span').value = Math.min(32, m.n_positions);
  $('walk-n').max = m.limits.max_steps;
  $('top').max = m.limits.max_top;
  $('nb-id').max = m.vocab_size - 1;
  if (!m.tokenizer) $('prompt').value = '1, 2, 3';
  wire();
  try {
    await tokenize();
  } finally {
    document.body.dataset.ready = 'yes';  // for the browser test: the first views are drawn (or failed)
  }
}

guarded(start);
