// explorer.cjs — the walk explorer in a real browser: Debian's chromium, headless, driven by
// playwright-core (npm). Run by tools/test_browser.sh, which starts `gptwalk serve` and
// writes what the page must show, computed by the command line:
//
//   node tests/browser/explorer.cjs URL EXPECTED.json OUT_DIR
//
// EXPECTED.json: {"model", "prompt", "prompt_ids", "greedy_ids"} — the ids of the prompt by
// `gptwalk tokenize --ids-only` and its greedy continuation by `gptwalk walk decode --greedy`.
// The page types the prompt, steps the walk, branches at a non-top candidate, follows the
// encoding walk of a position, exports, and is given a prompt beyond the context. Screenshots
// go to OUT_DIR. Any failed check, page error or console error exits 1.
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');

const [url, expectedFile, outDir] = process.argv.slice(2);
const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
const {chromium} = require(process.env.PLAYWRIGHT_CORE || path.resolve('build/npm/node_modules/playwright-core'));
const WAIT = {timeout: 30000};  // per step: the server answers each request in well under a second here

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

async function main() {
  fs.mkdirSync(outDir, {recursive: true});
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gptwalk-chromium-'));
  // Without these flags chromium tries the network (updates, sync, field trials), closed here.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, acceptDownloads: true,
    viewport: {width: 1360, height: 1000},
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync']});
  const problems = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', e => problems.push(`page error: ${e.message}`));
    page.on('console', m => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    await run(page);
  } finally {
    await browser.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
  for (const p of problems) check(false, p);
}

const nodes = page => page.$$eval('#tree-svg g.node', gs => gs.map(g => ({node: +g.dataset.node, token: +g.dataset.token,
                                                                          path: g.classList.contains('on-path')})));
const statusError = page => page.$eval('#status', s => (s.className === 'error' ? s.textContent : ''));

async function run(page) {
  await page.goto(url);
  await page.waitForSelector('body[data-ready=yes]', WAIT);
  check(!(await statusError(page)), 'the page starts without an error');
  check((await page.textContent('#model')).includes(expected.model), `the model line names ${expected.model}`);

  // 1. The prompt as tokens: the command line's ids, and the merges on hover.
  await page.fill('#prompt', expected.prompt);
  await page.waitForFunction(text => document.getElementById('tokens').dataset.text === text &&
                             !document.querySelector('#status.busy'), expected.prompt, WAIT);
  const ids = await page.$$eval('#tokens .tok', cs => cs.map(c => +c.dataset.id));
  check(JSON.stringify(ids) === JSON.stringify(expected.prompt_ids), `the tokens are gptwalk tokenize's ids ${ids}`);
  await page.hover('#tokens .tok >> nth=2');
  check((await page.isVisible('#merges')) && (await page.textContent('#merges')).includes('rank'), 'hovering a token shows its merges');
  await (await page.$('#prompt-panel')).screenshot({path: path.join(outDir, 'prompt.png')});

  // 2. The decoding walk, greedy: one step, then four at once: the command line's continuation.
  await page.check('#greedy');
  await page.click('#step');
  await page.waitForFunction(() => document.querySelectorAll('#tree-svg g.node').length === 1, null, WAIT);
  await page.fill('#walk-n', '4');
  await page.click('#walk');
  await page.waitForFunction(() => document.querySelectorAll('#tree-svg g.node').length === 5 &&
                             document.querySelectorAll('#tree-svg .logp').length === 1, null, WAIT);
  const greedy = (await nodes(page)).map(n => n.token);
  check(JSON.stringify(greedy) === JSON.stringify(expected.greedy_ids.slice(0, 5)),
        `step and walk give gptwalk walk decode --greedy's tokens ${greedy}`);
  const rows = await page.$$eval('#candidates-table tbody tr', trs => trs.map(tr => tr.className));
  check(rows.length === 5 && rows[0] === 'chosen', 'the last step shows 5 candidates, the top one chosen (greedy)');

  // 3. Branch: select step 2, click its second candidate: the tree forks there.
  await page.click('#tree-svg g.node[data-node="2"]');
  await page.waitForFunction(() => document.querySelector('#candidates-table tr.chosen'), null, WAIT);
  const alt = +(await page.getAttribute('#candidates-table tbody tr.pick >> nth=0', 'data-id'));
  await page.click('#candidates-table tbody tr.pick >> nth=0');
  await page.waitForFunction(() => document.querySelectorAll('#tree-svg .logp').length === 2 &&
                             !document.querySelector('#status.busy'), null, WAIT);
  const after = await nodes(page);
  const branch = after.find(n => n.token === alt && n.node === 5);
  check(after.length === 6 && !!branch && branch.path, `the tree shows the branch to token ${alt} beside step 2, selected`);
  check((await page.$$('#map svg circle')).length >= 6, 'the 2-D map draws a context point for every node');
  await page.fill('#walk-n', '3');
  await page.click('#walk');
  await page.waitForFunction(() => document.querySelectorAll('#tree-svg g.node').length === 9 &&
                             !document.querySelector('#step').disabled, null, WAIT);
  check(!(await statusError(page)), 'walking on from the branch works');
  await (await page.$('#decode-panel')).screenshot({path: path.join(outDir, 'decode.png')});

  // 4. The encoding walk of the selected node's position, then of a prompt token.
  const L = 8, H = 6;  // the shipped model's layers and heads
  const t = expected.prompt_ids.length + 5;  // the last node: steps 0 and 1, the branch (step 2), 3 more: step 5
  await page.waitForFunction(p => (document.getElementById('encode-head').textContent || '').startsWith(`Position ${p}:`), t, WAIT);
  const cells = await page.$$eval('#attention svg.heatmap rect[data-row]', rs => rs.length);
  check(cells === L * H * (t + 1), `the encoding panel draws ${L * H} attention rows of ${t + 1} positions (${cells} cells)`);
  check((await page.$$('#lens-table tbody tr')).length === 2 * L + 1, 'the logit lens reads all 17 half-layer points');
  check((await page.$$('#lens svg')).length === 2 && (await page.$$('#path2d svg')).length === 1, 'lens charts and the 2-D path drawn');
  await (await page.$('#encode-panel')).screenshot({path: path.join(outDir, 'encode.png')});
  await page.click('#tokens .tok >> nth=1');
  await page.waitForFunction(() => (document.getElementById('encode-head').textContent || '').startsWith('Position 1:'), null, WAIT);
  check((await page.$$eval('#attention svg.heatmap rect[data-row]', rs => rs.length)) === L * H * 2, 'position 1 reads 2 positions');

  // 5. Neighbours and position kernels.
  check((await page.$$('#neighbours table')).length === 2, 'nearest tokens by cosine and by dot product');
  check((await page.$$('#positions svg.heatmap')).length === H + 1, 'a position kernel per head and the parameter-free one');

  // 6. Exports: the decoding records as JSON, the encoding panel as PNG.
  const [json] = await Promise.all([page.waitForEvent('download', WAIT), page.click('#decode-panel [data-export-json]')]);
  const record = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  check(record.kind === 'explorer_export' && record.decoding_walks.every(w => w.kind === 'decoding_walk') &&
        record.decoding_walks.length === 3 && record.path_tree.nodes.length === 9, 'Export JSON saves the CLI records of the tree');
  const [png] = await Promise.all([page.waitForEvent('download', WAIT), page.click('#encode-panel [data-export-png]')]);
  const bytes = fs.readFileSync(await png.path());
  check(bytes.length > 1000 && bytes.slice(1, 4).toString() === 'PNG', `Export PNG saves a PNG (${bytes.length} bytes)`);
  await page.screenshot({path: path.join(outDir, 'explorer.png'), fullPage: true});

  // 7. A prompt beyond the context: a clear message, and the page still works.
  await page.fill('#prompt', 'word' + ' word'.repeat(299));  // 300 tokens
  await page.waitForFunction(() => document.querySelector('#status.error'), null, WAIT);
  const message = await statusError(page);
  check(/the prompt has 300 tokens; the model's context holds 256/.test(message), `a prompt beyond the context says so: "${message}"`);
  await page.fill('#prompt', expected.prompt);
  await page.waitForFunction(() => document.querySelector('#status').className === '' &&
                             document.querySelectorAll('#tree-svg g.node').length === 0, null, WAIT);
  await page.click('#step');
  await page.waitForFunction(() => document.querySelectorAll('#tree-svg g.node').length === 1, null, WAIT);
  check(!(await statusError(page)), 'after the error, a new prompt walks again');
}

main().then(() => {
  console.log(failures ? `browser test: ${failures} check(s) failed` : 'browser test: every check passed');
  process.exit(failures ? 1 : 0);
}, err => {
  console.error(`browser test: ${err.message}`);
  process.exit(1);
});
