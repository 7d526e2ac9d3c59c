// decode.js — the decoding walk as a tree of explored paths: stepping, branching, and the
// numbers of the whole tree. Drawing is in tree_view.js.
//
// A node is a token chosen after the prefix of its parent (the prompt for the first tokens):
//   {token, text, parent (-1: the prompt), depth, children: [node indices],
//    step:  the decoding walk's record of the step that chose it (its top candidates, p, the
//           logit split; as /api/decode = gptwalk walk decode --json writes it),
//    stats: the tree record's numbers for it (/api/tree: p, log P of its path, H, the 2-D map)}
// A step from the selected node asks /api/decode to walk on from the prompt and the selected
// path; a click on a candidate makes that candidate a sibling of the node it replaced.

import {api} from './api.js';

export function newTree(promptIds) {
  return {prompt: promptIds, nodes: [], selected: -1, records: [], map: null};
}

// Node indices from the first token to n (empty for the prompt, n = -1).
export function pathTo(tree, n) {
  const path = [];
  for (let at = n; at >= 0; at = tree.nodes[at].parent) path.unshift(at);
  return path;
}

// The prompt's ids and the tokens of the path to n.
export function idsTo(tree, n) {
  return tree.prompt.concat(pathTo(tree, n).map(i => tree.nodes[i].token));
}

function childWith(tree, parent, token) {
  const siblings = parent < 0 ? tree.nodes.filter(x => x.parent < 0) : tree.nodes[parent].children.map(i => tree.nodes[i]);
  const found = siblings.find(x => x.token === token);
  return found ? tree.nodes.indexOf(found) : -1;
}

// The node of `token` under parent, made if the tree has none; its step record replaced.
function addNode(tree, parent, token, text, step) {
  let n = childWith(tree, parent, token);
  if (n < 0) {
    n = tree.nodes.length;
    tree.nodes.push({token, text, parent, depth: parent < 0 ? 0 : tree.nodes[parent].depth + 1,
                     children: [], step, stats: null});
    if (parent >= 0) tree.nodes[parent].children.push(n);
  } else {
    tree.nodes[n].step = step;
  }
  return n;
}

export function leaves(tree) {
  return tree.nodes.map((x, i) => i).filter(i => tree.nodes[i].children.length === 0);
}

// Walks `steps` tokens on from the selected node with the sampler settings. The generator's
// seed is the chosen seed plus the path's length, so that each point of the tree draws its own
// numbers, and stepping from the same node with the same settings repeats the same draw.
export async function step(tree, settings, steps) {
  const from = tree.selected;
  const prompt = idsTo(tree, from);
  const sampler = {...settings.sampler, seed: settings.sampler.seed + (prompt.length - tree.prompt.length)};
  const record = await api('decode', {prompt_ids: prompt, steps, top: settings.top, sampler});
  tree.records.push(record);
  let at = from;
  for (const s of record.steps) at = addNode(tree, at, s.token, s.text, s);
  tree.selected = at;
  if (!record.steps.length) throw new Error(`the walk stopped at once: ${record.stop}`);
  return record;
}

// Makes candidate k of node n's step a sibling of n (chosen by a click, not by the sampler).
export function branch(tree, n, k) {
  const node = tree.nodes[n], c = node.step.top[k];
  const step = {...node.step, token: c.id, text: c.text, prob_model: c.prob, rank: k + 1, chosen_by: 'click'};
  tree.selected = addNode(tree, node.parent, c.id, c.text, step);
  return tree.selected;
}

// Asks for the tree's own numbers: every path's p, log P and H, and one 2-D map of all nodes.
export async function measureTree(tree, maxPaths) {
  const ends = leaves(tree);
  if (!ends.length) {
    tree.map = null;
    return;
  }
  if (ends.length > maxPaths)
    throw new Error(`the tree has ${ends.length} paths; the server maps at most ${maxPaths}: start again to map it`);
  const paths = ends.map(i => pathTo(tree, i).map(k => tree.nodes[k].token));
  const record = await api('tree', {prompt_ids: tree.prompt, paths});
  // The record's paths list its node indices in the order asked: match them to ours.
  record.paths.forEach((nodes, p) => {
    const ours = pathTo(tree, ends[p]);
    nodes.forEach((r, d) => { tree.nodes[ours[d]].stats = record.nodes[r]; });
  });
  tree.map = record;
}

// What Export JSON saves: every decoding walk record the tree was built from, and the tree's record.
export function exportRecord(tree) {
  return {kind: 'explorer_export', view: 'decoding walk tree', prompt_ids: tree.prompt,
          decoding_walks: tree.records, path_tree: tree.map};
}
