// tokens.js — the prompt as byte-pair tokens: one chip per token (its id beneath), a gap
// where a new pre-token piece starts, and on hover the merges that built the token's piece,
// rank by rank (the tokenization record of /api/tokenize, = gptwalk tokenize --json).

// The merges of one piece as lines of text: the bytes, then each merge and the row after it.
function mergeText(piece) {
  const lines = [`piece ${JSON.stringify(piece.text)}  as characters "${piece.mapped}"`,
                 `  bytes ${piece.bytes.map(b => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')}`];
  if (!piece.merges.length) lines.push('  no merge applies: each byte is a token');
  for (const m of piece.merges)
    lines.push(`  rank ${String(m.rank).padStart(5)}: ${(m.left_text + ' + ' + m.right_text).padEnd(16)} -> ${m.text.padEnd(10)} ` +
               `[${m.symbol_texts.join(' | ')}]`);
  lines.push(`  ids [${piece.ids.join(', ')}]   (the lowest rank merges first, not the longest match)`);
  return lines.join('\n');
}

// Draws the chips of a tokenization record into #tokens. onPick(position) on a click.
export function drawTokens(record, contextSize, onPick) {
  const box = document.getElementById('tokens'), merges = document.getElementById('merges');
  box.replaceChildren();
  box.dataset.text = record.text;  // which prompt these chips are (the browser test waits on it)
  merges.hidden = true;
  let last = -1;
  record.tokens.forEach((t, i) => {
    const chip = document.createElement('span');
    chip.className = 'tok' + (t.piece !== last && i > 0 ? ' piece-start' : '');
    chip.dataset.position = i;
    chip.dataset.id = t.id;
    chip.textContent = t.text;
    const sub = document.createElement('sub');
    sub.textContent = t.id;
    chip.appendChild(sub);
    chip.title = `position ${i}, id ${t.id}`;
    chip.addEventListener('mouseenter', () => {
      merges.textContent = mergeText(record.pieces[t.piece]);
      merges.hidden = record.pieces[t.piece].bytes.length === 0;  // typed as an id: no merges to show
    });
    chip.addEventListener('click', () => onPick(i));
    box.appendChild(chip);
    last = t.piece;
  });
  const count = document.createElement('span');
  count.className = 'note';
  const n = record.tokens.length;
  count.textContent = (record.kind === 'token_ids' ? `${n} token ids` :
    `${n} tokens from ${new TextEncoder().encode(record.text).length} bytes`) + `; the context holds ${contextSize}` +
    (n >= contextSize ? ' — too long to walk: shorten the prompt' : '');
  box.appendChild(count);
}

// Marks the chip at a position as the one whose encoding walk is shown (none for -1).
export function markToken(position) {
  for (const chip of document.querySelectorAll('#tokens .tok'))
    chip.classList.toggle('selected', Number(chip.dataset.position) === position);
}
