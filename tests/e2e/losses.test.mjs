// Chapter 2's lab (loss-metrics): it builds the same arrays as `epibook dataset`; its
// replicate ceiling equals the five scores recomputed here from the CLI's arrays of the
// two replicates (thinned sets averaged as the lab does); one model trains with each of
// the four losses (5 runs of 294 steps, trained with the lab scrolled out of view so no
// frame is drawn meanwhile); and every number the chapter's pages quote is what the lab
// computes (state().scores) or what a build-time figure computed (data-numbers).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, expectNoProblems, newContext, repo, runProgram, siteLabs, watchedPage } from './harness.mjs';
import { callLab, canvasColours, labState, openLab } from './labs.mjs';

const PAGES = ['tutorials/02-losses-and-metrics/index.md', 'tutorials/02-losses-and-metrics/01-losses.md', 'tutorials/02-losses-and-metrics/02-metrics.md'];
const pageText = () => PAGES.map((p) => fs.readFileSync(path.join(repo, p), 'utf8')).join('\n');

// A .npy file of float32 or int8 (what `epibook dataset` writes) as a flat array.
function readNpy(file) {
  const bytes = fs.readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const data = bytes.subarray(10 + headerLength);
  const copy = new Uint8Array(data).buffer;
  if (header.includes("'<f4'")) return Array.from(new Float32Array(copy));
  if (header.includes("'|i1'")) return Array.from(new Int8Array(copy));
  throw new Error(`${file}: unexpected dtype in ${header}`);
}

async function cliArrays(harness, track, out) {
  const site = harness.siteDir;
  const result = await runProgram(harness.cliPath, ['dataset', '--genome', path.join(site, 'assets/first-model/sim/genome.fa'),
    '--windows', path.join(site, 'assets/losses/windows.bed'), '--tracks', path.join(site, track), '--bin', '25', '-o', out]);
  expect(result.status === 0, `epibook dataset on ${track} failed: ${result.stderr}`);
  return { output: `${result.stdout}${result.stderr}`, targets: readNpy(path.join(out, 'targets.npy')), split: readNpy(path.join(out, 'split.npy')) };
}

// The five scores as window_scores.h defines them, written again from their definitions.
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
function pearson(a, b) {
  const ma = mean(a); const mb = mean(b);
  let sab = 0; let saa = 0; let sbb = 0;
  for (let i = 0; i < a.length; i += 1) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}
function ranks(v) {
  const order = v.map((x, i) => [x, i]).sort((p, q) => p[0] - q[0]);
  const r = new Array(v.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j += 1;
    for (let k = i; k <= j; k += 1) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}
function auroc(scores, labels) {
  const r = ranks(scores);
  const pos = labels.filter((l) => l === 1).length;
  const neg = labels.length - pos;
  const rankSum = r.reduce((s, x, i) => s + (labels[i] === 1 ? x : 0), 0);
  return (rankSum - pos * (pos + 1) / 2) / (pos * neg);
}
function averagePrecision(scores, labels) {  // sklearn: distinct thresholds, highest first
  const order = scores.map((s, i) => [s, labels[i]]).sort((p, q) => q[0] - p[0]);
  const positives = labels.filter((l) => l === 1).length;
  let tp = 0; let seen = 0; let ap = 0; let lastRecall = 0;
  for (let i = 0; i < order.length; i += 1) {
    tp += order[i][1]; seen += 1;
    if (i + 1 < order.length && order[i + 1][0] === order[i][0]) continue;
    const recall = tp / positives;
    ap += (recall - lastRecall) * (tp / seen);
    lastRecall = recall;
  }
  return ap;
}
function jsd(p, q) {
  const sp = p.reduce((a, b) => a + b, 0); const sq = q.reduce((a, b) => a + b, 0);
  let d = 0;
  for (let i = 0; i < p.length; i += 1) {
    const a = p[i] / sp; const b = q[i] / sq; const m = (a + b) / 2;
    if (a > 0) d += 0.5 * a * Math.log2(a / m);
    if (b > 0) d += 0.5 * b * Math.log2(b / m);
  }
  return Math.sqrt(Math.max(0, d));
}

// The ceiling: replicate 2 scored as a prediction of replicate 1 on the validation
// windows, keeping one peak window in `kept`: each of the `kept` thinned sets scored and
// the scores averaged (every background window in each, every peak in one).
async function arraysOfReplicates(harness) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-losses-'));
  const one = await cliArrays(harness, 'assets/losses/sim/celltypeA.rep1.bw', path.join(dir, 'rep1'));
  const two = await cliArrays(harness, 'assets/losses/sim/celltypeA.rep2.bw', path.join(dir, 'rep2'));
  fs.rmSync(dir, { recursive: true, force: true });
  const lines = fs.readFileSync(path.join(harness.siteDir, 'assets/losses/windows.bed'), 'utf8').trim().split('\n');
  expect(lines.length === one.split.length, `${lines.length} windows, ${one.split.length} rows`);
  return { one, two, labels: lines.map((line) => Number(line.split('\t')[4])) };
}

function ceilingFromFiles({ one, two, labels: windowLabels }, kept) {
  const profile = (targets, row) => targets.slice(row * 16, row * 16 + 16);
  const total = (p) => Math.fround(p.reduce((a, b) => a + b, 0));
  const sums = { pearson: 0, spearman: 0, auroc: 0, auprc: 0, jsd: 0, positiveShare: 0 };
  for (let offset = 0; offset < kept; offset += 1) {
    const rows = [];
    let peaks = 0;
    windowLabels.forEach((label, row) => {
      if (one.split[row] !== 1) return;
      if (label === 1 && (peaks++) % kept !== offset) return;
      rows.push([row, label]);
    });
    const t1 = rows.map(([r]) => total(profile(one.targets, r)));
    const t2 = rows.map(([r]) => total(profile(two.targets, r)));
    const labels = rows.map(([, l]) => l);
    const shapes = rows.filter(([, l]) => l === 1)
      .map(([r]) => jsd(profile(two.targets, r).map((v) => v + 1e-6), profile(one.targets, r).map((v) => v + 1e-6)));
    sums.pearson += pearson(t2.map(Math.log1p), t1.map(Math.log1p));
    sums.spearman += pearson(ranks(t2), ranks(t1));
    sums.auroc += auroc(t2, labels);
    sums.auprc += averagePrecision(t2, labels);
    sums.jsd += mean(shapes);
    sums.positiveShare += labels.filter((l) => l === 1).length / labels.length;
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / kept]));
}

// The numbers the build-time figures of the chapter computed (data-numbers), by name.
function figureNumbers(harness) {
  const numbers = {};
  for (const page of ['index', '01-losses', '02-metrics']) {
    const html = fs.readFileSync(path.join(harness.siteDir, `02-losses-and-metrics/${page}.html`), 'utf8');
    for (const m of html.matchAll(/data-figure="([^"]+)" data-numbers='([^']*)'/g)) {
      numbers[m[1]] = JSON.parse(m[2].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
    }
  }
  return numbers;
}

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

async function openLossLab(harness, options = {}) {
  const lab = siteLabs(harness.siteDir).find((l) => l.name === 'loss-metrics');
  expect(lab, 'no page embeds the loss-metrics lab');
  const context = await newContext(harness, options);
  const page = await watchedPage(context);
  await openLab(page, harness.baseUrl, lab);
  const state = await labState(page, lab.number);
  expect(state.stage === 'ready', `loss-metrics: data not ready after mounting: ${state.stage} ${state.message}`);
  return { lab, context, page, state };
}

// Scrolls the page so the lab leaves the view (it then steps without drawing), or back.
async function labInView(page, n, inView) {
  if (inView) await page.locator(`#lab-${n}`).scrollIntoViewIfNeeded();
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

// Runs A and B with these settings to the end; returns the state. With `a` null, run
// A is kept as it is (trained) and only B trains.
async function trainPair(page, n, a, b) {
  if (a) await callLab(page, n, 'set', 'reset', true);
  await callLab(page, n, 'set', 'compare', true);
  for (const [key, value] of Object.entries(a ?? {})) await callLab(page, n, 'set', key, value);
  for (const [key, value] of Object.entries(b)) await callLab(page, n, 'set', `b.${key}`, value);
  await labInView(page, n, false);
  await callLab(page, n, 'set', 'start', true);
  await labInView(page, n, true);
  const state = await labState(page, n);
  expect(state.phase === 'finished' && state.b.phase === 'finished', `runs did not finish: ${state.phase} ${state.b.phase} ${state.message}`);
  expect(state.scores.a && state.scores.b, `no scores: ${JSON.stringify(state.scores)}`);
  return state;
}

const closeTo = (x, y, tol, what) => expect(Math.abs(x - y) <= tol, `${what}: lab ${x}, expected ${y}`);
const SCORES = ['pearson', 'spearman', 'auroc', 'auprc', 'jsd'];

export const tests = [{
  name: 'loss-metrics builds the CLI\'s arrays, its replicate ceiling is the five scores recomputed from them, and the figures agree',
  async run(harness) {
    const { lab, context, page, state } = await openLossLab(harness, PHONE);  // on a phone: the layout is checked below
    expect(/^\[\d+, 4, 400\]$/.test(state.input_shape) && /^\[\d+, 1, 16\]$/.test(state.target_shape),
      `shapes ${state.input_shape} -> ${state.target_shape}`);
    const text = pageText();
    const missing = [];
    const quoted = (value, what, digits = 3) => { if (!text.includes(Number(value).toFixed(digits))) missing.push(`${what} ${Number(value).toFixed(digits)}`); };
    const arrays = await arraysOfReplicates(harness);
    const fingerprint = /fingerprint ([0-9a-f]{16})/.exec(arrays.one.output)?.[1];
    expect(fingerprint === state.data_fingerprint, `fingerprint: lab ${state.data_fingerprint}, CLI ${fingerprint}`);
    const ceilings = {};
    for (const kept of [1, 2, 4, 8]) {
      await callLab(page, lab.number, 'set', 'peaks_kept', kept);
      const s = (await labState(page, lab.number)).scores;
      const expected = ceilingFromFiles(arrays, kept);
      for (const name of SCORES) closeTo(s.ceiling[name].value, expected[name], 2e-6, `ceiling ${name} (1 peak in ${kept})`);
      closeTo(s.positive_share, expected.positiveShare, 1e-9, `positive share (1 peak in ${kept})`);
      expect(s.ceiling.auprc.floor_mean >= expected.positiveShare - 0.01, `AUPRC floor ${s.ceiling.auprc.floor_mean} below the positive share ${expected.positiveShare} (1 peak in ${kept})`);
      ceilings[kept] = s;
      quoted(expected.positiveShare, `positive share (1 peak in ${kept})`);
    }
    console.log(`      ceiling ${JSON.stringify(ceilings[1].ceiling)}, ${ceilings[1].windows} windows, ${ceilings[1].peak_windows} peaks`);
    for (const name of SCORES) quoted(ceilings[1].ceiling[name].value, `ceiling ${name}`);
    quoted(ceilings[8].ceiling.pearson.value, 'ceiling pearson at 1 peak in 8');
    // The figures read the same files at build time: the Pearson ceiling again, and their numbers in the text.
    const figures = figureNumbers(harness);
    closeTo(figures['replicate-totals'].pearson, ceilings[1].ceiling.pearson.value, 5e-4, 'replicate-totals figure against the lab\'s ceiling');
    expect(figures['replicate-totals'].validation_peaks === ceilings[1].peak_windows, 'replicate-totals: peak windows');
    quoted(figures['replicate-totals'].train_mean_total, 'mean training total', 1);
    quoted(figures['pos-weight-shift'].train_peak_bin_percent, 'training share of peak bins (%)', 1);
    quoted(figures['pos-weight-shift'].pos_weight, 'pos_weight', 1);
    quoted(figures['pos-weight-shift'].half_means, 'threshold one half with the weight');
    quoted(figures['count-noise'].sd_at_2, 'sd at 2', 1);
    quoted(figures['count-noise'].measured_sd_near_60, 'measured sd near 60', 0);
    for (const share of [0.124, 0.017]) quoted(figures['precision-and-share'][`precision_at_${share}`], `precision at ${share}`, 2);
    quoted(figures['precision-and-share'].precision_at_0_001, 'precision at 0.001');
    expect(missing.length === 0, `the pages do not quote: ${missing.join('; ')}`);
    // The training panel's loss weights belong to their loss.
    const refused = await page.evaluate(async (n) => {
      const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
      try { await handle.set('pos_weight', 5.9); return ''; } catch (error) { return error.message; }
    }, lab.number);
    expect(/pos_weight is a setting of the bce loss/.test(refused), `pos_weight on a poisson run: "${refused}"`);
    await callLab(page, lab.number, 'set', 'peaks_kept', 1);
    expect(await canvasColours(page, lab.number, 'loss-metrics-ready.png') > 8, 'the lab drew nothing');
    const look = await callLab(page, lab.number, 'appearance');
    expect(look.view_width > 0 && look.content_width <= look.view_width + 0.5, `phone: the widest row is ${look.content_width} px in a lab ${look.view_width} px wide`);
    expectNoProblems(page, 'loss-metrics');
    await context.close();
  },
}, {
  name: 'loss-metrics trains one model with each of four losses and the pages quote what it measures',
  async run(harness) {
    const { lab, context, page } = await openLossLab(harness);
    const n = lab.number;
    const text = pageText();
    const missing = [];  // numbers the pages should quote, reported together at the end
    const quoted = (value, what) => { if (!text.includes(value.toFixed(3))) missing.push(`${what} ${value.toFixed(3)}`); };
    const value = (s, run, name) => s.scores[run][name].value;
    const t0 = Date.now();

    // Page 1, experiment 1, and page 2, experiments 1 and 2: Poisson (A) against MSE (B).
    const one = await trainPair(page, n, { loss: 'poisson' }, { loss: 'mse' });
    const thinned = {};  // the same Poisson predictions scored on fewer validation peaks
    for (const kept of [2, 4, 8, 1]) {
      await callLab(page, n, 'set', 'peaks_kept', kept);
      thinned[kept] = (await labState(page, n)).scores.a;
    }
    console.log(`      Poisson with fewer peaks: ${JSON.stringify(thinned)}`);
    expect(one.scores.a.loss === 'poisson' && one.scores.b.loss === 'mse', `losses ${one.scores.a.loss} ${one.scores.b.loss}`);
    expect(one.steps === one.steps_in_run && one.validation.length === 6, `${one.steps} steps, ${one.validation.length} epochs`);
    for (const name of SCORES) {
      quoted(value(one, 'a', name), `Poisson ${name}`);
      const s = one.scores.a[name];
      const beyond = name === 'jsd' ? s.value < s.floor_mean - 2 * s.floor_sd : s.value > s.floor_mean + 2 * s.floor_sd;
      expect(beyond, `Poisson ${name} ${s.value} is within its floor ${s.floor_mean} +- 2 x ${s.floor_sd}`);
      if (name !== 'auroc') quoted(one.scores.a[name].floor_mean, `floor of ${name}`);
    }
    quoted(one.scores.a.auroc.floor_mean, 'floor of auroc');
    expect(value(one, 'a', 'pearson') > value(one, 'b', 'pearson'), 'MSE beat Poisson on Pearson');
    quoted(value(one, 'b', 'pearson'), 'MSE pearson');
    quoted(value(one, 'b', 'jsd'), 'MSE jsd');
    for (const kept of [2, 4, 8]) {
      const t = thinned[kept];
      quoted(t.auroc.value, `Poisson AUROC at 1 peak in ${kept}`);
      quoted(t.auprc.value, `Poisson AUPRC at 1 peak in ${kept}`);
      quoted(t.auprc.floor_mean, `AUPRC floor at 1 peak in ${kept}`);
      // AUROC is a mean over peaks, each peak scored once across the thinned sets.
      closeTo(t.auroc.value, value(one, 'a', 'auroc'), 0.005, `AUROC at 1 peak in ${kept}`);
    }
    quoted(thinned[8].pearson.value, 'Poisson Pearson at 1 peak in 8');
    expect(thinned[2].auprc.value < value(one, 'a', 'auprc') && thinned[4].auprc.value < thinned[2].auprc.value
      && thinned[8].auprc.value < thinned[4].auprc.value, 'AUPRC did not fall with fewer peaks');
    expect(JSON.stringify(thinned[1]) === JSON.stringify(one.scores.a), 'scores at every peak changed after thinning and back');

    // Page 1, experiment 2: multinomial + counts (B) against the same Poisson run (A).
    const two = await trainPair(page, n, null, { loss: 'multinomial' });
    expect(JSON.stringify(two.train_loss) === JSON.stringify(one.train_loss), 'run A changed while B trained');
    expect(two.b.settings.loss.weights[0] === 37.5, `multinomial count weight ${JSON.stringify(two.b.settings.loss)}`);
    quoted(value(two, 'b', 'jsd'), 'multinomial jsd');
    quoted(value(two, 'b', 'pearson'), 'multinomial pearson');

    // Page 1, experiment 3: BCE on peak bins, pos_weight 1 (A) and 5.9 (B).
    const three = await trainPair(page, n, { loss: 'bce' }, { loss: 'bce', pos_weight: 5.9 });
    console.log(`      Poisson ${JSON.stringify(one.scores.a)}\n      MSE ${JSON.stringify(one.scores.b)}\n      multinomial ${JSON.stringify(two.scores.b)}`
      + `\n      BCE ${JSON.stringify(three.scores.a)}\n      BCE pos_weight 5.9 ${JSON.stringify(three.scores.b)}`
      + `\n      ${three.ms_per_step.toFixed(1)} ms a step; five runs trained in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const ca = three.scores.a.calibration;
    const cb = three.scores.b.calibration;
    expect(ca && cb, 'no calibration for the BCE runs');
    expect(cb.called_at_half > ca.called_at_half && cb.mean_probability > ca.mean_probability,
      `pos_weight 5.9 did not raise the calls: ${JSON.stringify(ca)} ${JSON.stringify(cb)}`);
    // The weighted optimum multiplies the odds by w: from the unweighted mean, near the weighted one.
    const odds = (p) => p / (1 - p);
    expect(value(three, 'a', 'auroc') < value(one, 'a', 'auroc'), 'BCE on labels ranked windows as well as Poisson on counts');
    for (const [v, what] of [[ca.mean_probability, 'mean probability, pos_weight 1'], [cb.mean_probability, 'mean probability, pos_weight 5.9'],
      [value(three, 'a', 'auroc'), 'BCE AUROC, pos_weight 1'], [value(three, 'b', 'auroc'), 'BCE AUROC, pos_weight 5.9']]) quoted(v, what);
    for (const [v, what] of [[ca.called_at_half, 'calls at 1/2, pos_weight 1'], [cb.called_at_half, 'calls at 1/2, pos_weight 5.9'], [ca.peak_bins, 'peak bins']]) {
      if (!text.includes(`${(100 * v).toFixed(1)}%`)) missing.push(`${what} ${(100 * v).toFixed(1)}%`);
    }
    console.log(`      odds of the mean probability: ${odds(ca.mean_probability).toFixed(3)} -> ${odds(cb.mean_probability).toFixed(3)}`);
    expect(missing.length === 0, `the pages do not quote: ${missing.join('; ')}`);
    expect(await canvasColours(page, n, 'loss-metrics-trained.png') > 8, 'the lab drew nothing after training');
    const look = await callLab(page, n, 'appearance');
    expect(look.view_width > 0 && look.content_width <= look.view_width + 0.5, `laptop: the widest row is ${look.content_width} px in a lab ${look.view_width} px wide`);
    expectNoProblems(page, 'loss-metrics training');
    await context.close();
  },
}];
