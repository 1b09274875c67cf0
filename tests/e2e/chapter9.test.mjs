// Chapter 9's labs as the experiments its pages frame. Page 02: the grelu-workflow lab's
// first steps (intervals, sequences, dataset) must equal the windows file and the
// figures' own counts from the FASTA; a full run then evaluates, interprets (in-silico
// mutagenesis) and designs (the consensus written into background windows), each number
// equal to the constants here and the page's Expect line. Page 03: the grelu-export lab
// trains the same run, and its download is run in PyTorch (tests/e2e/check_grelu_handover.py,
// with only the exported model.npz and its loader script), which must recompute the
// page's example logits, test scores, mutagenesis and design.
import fs from 'node:fs';
import path from 'node:path';

import { figureNumbers, unquotedFigureNumbers } from './chapter-pages.mjs';
import { expect, expectNoProblems, newContext, runProgram, siteLabs, watchedPage } from './harness.mjs';
import { callLab, expectLine, expectStated, labState, near, openLab } from './labs.mjs';
import { downloadFrom, scratch } from './training-cli.test.mjs';

const CHAPTER = '09-grelu/';
const PYTHON = process.env.EPIBOOK_PYTHON ?? '/usr/bin/python3';
const text3 = (v) => v.toFixed(3);

// The full run of the page's settings (10 epochs of 40 batches), as the lab computes it.
const RUN = {
  steps: 400,
  test_rows: 233,
  test_peaks: 81,
  auroc: 0.908,
  auprc: 0.856,
  top_position: 103,
  site: [93, 107],
  share_in_site: 0.585,
  design_windows: 152,
  mean_before: 0.128,
  mean_after: 0.75,
  above_half_before: 0.02,
  above_half_after: 1,
  parameters: 993,
  first_logit: -2.9311,
  first_probability: 0.0506,
};

// Opens the chapter's lab `name`, returns the page, the lab and its set/state.
async function openChapterLab(harness, name) {
  const lab = siteLabs(harness.siteDir).find((l) => l.name === name && l.page.startsWith(CHAPTER));
  expect(lab, `no page under ${CHAPTER} embeds the ${name} lab`);
  const context = await newContext(harness);
  const page = await watchedPage(context);
  await openLab(page, harness.baseUrl, lab);
  return { lab, context, page, set: (k, v) => callLab(page, lab.number, 'set', k, v), state: () => labState(page, lab.number) };
}

// Trains the lab's whole run and checks the steps every placement shares.
async function fullRun(set, state, name) {
  const ready = await state();
  expect(ready.stage === 'ready', `${name}: the data are ${ready.stage}: ${ready.message}`);
  await set('start', true);
  const s = await state();
  expect(s.phase === 'finished', `${name}: the run is ${s.phase} after start: ${s.message}`);
  expect(s.steps === RUN.steps && s.steps_in_run === RUN.steps, `${name}: ${s.steps} of ${s.steps_in_run} steps`);
  expect(s.evaluation && s.interpretation && s.design && s.export, `${name}: no analysis after the run: ${s.message}`);
  expect(s.evaluation.steps === s.steps, `${name}: analysed after ${s.evaluation.steps} steps, not ${s.steps}`);
  return s;
}

export const tests = [{
  name: 'page 02: the workflow\'s steps in the page, from the windows file to mutagenesis and design',
  async run(harness) {
    const { lab, context, page, set, state } = await openChapterLab(harness, 'grelu-workflow');
    const line = expectLine(harness.siteDir, lab.page);
    const ready = await state();
    expect(ready.stage === 'ready', `the data are ${ready.stage}: ${ready.message}`);
    // Intervals and sequences against the windows file and the index page's figure (GC from the FASTA).
    const bed = fs.readFileSync(path.join(harness.siteDir, 'assets/first-model/sim-windows.bed'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    const w = ready.workflow;
    expect(w.intervals.windows === bed.length, `${w.intervals.windows} windows, the file has ${bed.length}`);
    for (const split of ['train', 'validation', 'test']) {
      const rows = bed.filter((f) => f[3] === split);
      expect(w.intervals.per_split[split].windows === rows.length, `${split}: ${w.intervals.per_split[split].windows} windows, the file has ${rows.length}`);
      expect(w.intervals.per_split[split].peaks === rows.filter((f) => f[4] === '1').length, `${split}: peak count differs from the file`);
    }
    const first = bed[0];
    expect(w.sequences.first_window === `${first[0]}:${first[1]}-${first[2]}`, `first window ${w.sequences.first_window}`);
    expect(w.dataset.input_shape === `[${bed.length}, 4, 200]`, `input shape ${w.dataset.input_shape}`);
    expect(w.dataset.target_shape === `[${bed.length}, 1]`, `target shape ${w.dataset.target_shape}`);
    const gc = figureNumbers(harness.siteDir, `${CHAPTER}index.html`, 'grelu-windows-gc');
    near(w.sequences.gc_peaks, gc.mean_gc_peaks, 5e-4, 'mean GC of peak windows, lab against figure');
    near(w.sequences.gc_background, gc.mean_gc_background, 5e-4, 'mean GC of background windows, lab against figure');

    const s = await fullRun(set, state, 'grelu-workflow');
    const { evaluation: e, interpretation: i, design: d } = s;
    console.log(`      ${s.steps} steps: test AUROC ${text3(e.auroc)} AUPRC ${text3(e.auprc)} (${e.test_rows} windows, ${e.test_peaks} peaks);`
      + ` ISM of ${i.window}: top base ${i.top_position}, site ${i.site_start}-${i.site_end} holds ${text3(i.share_in_site)};`
      + ` design: mean p ${text3(d.mean_before)} -> ${text3(d.mean_after)}, above 0.5 ${text3(d.above_half_before)} -> ${text3(d.above_half_after)}`);
    expect(e.test_rows === RUN.test_rows && e.test_peaks === RUN.test_peaks, `test split: ${e.test_rows} windows, ${e.test_peaks} peaks`);
    expect(e.auroc > 0.8, `test AUROC ${e.auroc}: the model did not learn the motif`);
    // Mutagenesis: 3 mutants per base, the reference untouched, the best base in the site.
    expect(i.sequence.length === 200 && i.delta.length === 800 && i.importance.length === 200, 'ISM shapes');
    for (let p = 0; p < 200; p += 1) {
      const ref = 'ACGT'.indexOf(i.sequence[p]);
      expect(i.delta[ref * 200 + p] === 0, `ISM: position ${p}'s reference base has a change`);
      const largest = Math.max(...[0, 1, 2, 3].map((b) => Math.abs(i.delta[b * 200 + p])));
      near(i.importance[p], largest, 1e-6, `ISM importance at ${p}`);
    }
    expect(i.site_end - i.site_start === 14 && i.top_in_site, `top base ${i.top_position} outside the site ${i.site_start}-${i.site_end}`);
    near(i.even_share, 0.07, 1e-12, 'an even spread\'s share of the site');
    expect(i.share_in_site > 3 * i.even_share, `the site holds ${i.share_in_site} of the importance`);
    expect(d.windows === RUN.design_windows && d.mean_after > d.mean_before + 0.3, `design: ${d.mean_before} -> ${d.mean_after}`);
    near(Number(text3(e.auroc)), RUN.auroc, 1e-9, 'test AUROC');
    near(Number(text3(e.auprc)), RUN.auprc, 1e-9, 'test AUPRC');
    expect(i.top_position === RUN.top_position && i.site_start === RUN.site[0] && i.site_end === RUN.site[1], 'ISM: top base or site moved');
    near(Number(text3(i.share_in_site)), RUN.share_in_site, 1e-9, 'ISM: share of importance in the site');
    near(Number(text3(d.mean_before)), RUN.mean_before, 1e-9, 'design: mean probability before');
    near(Number(text3(d.mean_after)), RUN.mean_after, 1e-9, 'design: mean probability after');
    near(Number(text3(d.above_half_before)), RUN.above_half_before, 1e-9, 'design: share above one half before');
    near(Number(text3(d.above_half_after)), RUN.above_half_after, 1e-9, 'design: share above one half after');
    expectStated(line, lab.page, [String(RUN.steps), text3(RUN.auroc), text3(RUN.auprc), String(RUN.test_rows),
      `position ${RUN.top_position}`, `${RUN.site[0]} to ${RUN.site[1]}`, text3(RUN.share_in_site), String(RUN.design_windows),
      text3(RUN.mean_before), text3(RUN.mean_after), text3(RUN.above_half_before), text3(RUN.above_half_after)]);
    expectNoProblems(page, 'grelu-workflow');
    await context.close();
  },
}, {
  name: 'page 03: the page\'s model exported and run in PyTorch gives the page\'s numbers',
  async run(harness) {
    const { lab, context, page, set, state } = await openChapterLab(harness, 'grelu-export');
    const line = expectLine(harness.siteDir, lab.page);
    const s = await fullRun(set, state, 'grelu-export');
    const x = s.export;
    expect(x.parameters === RUN.parameters && x.state_dict.length === 4, `${x.parameters} parameters in ${x.state_dict.length} tensors`);
    expect(JSON.stringify(x.state_dict.map((t) => t.name)) === '["0.weight","0.bias","4.weight","4.bias"]', `state dict ${JSON.stringify(x.state_dict)}`);
    for (const file of ['model.npz', 'load_epibook_weights.py', 'test/inputs.npy', 'test/expected.npy']) {
      expect(x.files.some((f) => f.path === file), `the export has no ${file}`);
    }
    // The figure's tensors (computed from the settings when the book is built) are the lab's.
    const dict = figureNumbers(harness.siteDir, lab.page, 'grelu-state-dict');
    const sizes = x.state_dict.map((t) => JSON.parse(t.shape).reduce((m, v) => m * v, 1));
    expect(JSON.stringify(sizes) === JSON.stringify([dict.conv_weight, dict.conv_bias, dict.head_weight, dict.head_bias])
      && dict.parameters === x.parameters, `figure ${JSON.stringify(dict)} against the lab's ${JSON.stringify(x.state_dict)}`);
    near(Number(x.example_outputs[0].toFixed(4)), RUN.first_logit, 1e-9, 'the first example row\'s logit');
    near(Number((1 / (1 + Math.exp(-x.example_outputs[0]))).toFixed(4)), RUN.first_probability, 1e-9, 'its probability');
    // The download, in PyTorch.
    const dir = scratch('grelu-export');
    const tar = await downloadFrom(page, lab.number, 'download_export', 0, dir);
    // The page is done with: closed before PyTorch runs (a lab in view draws every frame).
    expectNoProblems(page, 'grelu-export');
    await context.close();
    const untar = await runProgram('tar', ['xf', tar, '-C', dir]);
    expect(untar.status === 0, `tar: ${untar.stderr}`);
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(s));
    const checker = path.join(path.dirname(new URL(import.meta.url).pathname), 'check_grelu_handover.py');
    const run = await runProgram(PYTHON, [checker, path.join(dir, 'grelu-workflow-export'), path.join(dir, 'state.json'),
      path.join(harness.siteDir, 'assets')]);
    expect(run.status === 0, `check_grelu_handover.py: ${run.stderr}`);
    const torch = JSON.parse(run.stdout);
    console.log(`      PyTorch against the page: example logits ${torch.example_vs_lab.toExponential(1)},`
      + ` ISM ${torch.ism_delta_vs_lab.toExponential(1)}; test AUROC ${text3(torch.auroc)}; design ${text3(torch.mean_before)} -> ${text3(torch.mean_after)}`);
    expect(torch.example_vs_lab < 1e-5 && torch.example_vs_expected < 1e-5, `example logits differ by ${torch.example_vs_lab}`);
    expect(torch.ism_logit_vs_lab < 1e-5 && torch.ism_delta_vs_lab < 1e-4, `ISM differs by ${torch.ism_delta_vs_lab}`);
    expect(torch.ism_top_position === s.interpretation.top_position, `PyTorch's top base ${torch.ism_top_position}`);
    expect(torch.test_rows === s.evaluation.test_rows, `${torch.test_rows} test windows in PyTorch`);
    near(torch.auroc, s.evaluation.auroc, 1e-4, 'test AUROC, PyTorch against the page');
    near(torch.mean_before, s.design.mean_before, 1e-5, 'design: mean before, PyTorch against the page');
    near(torch.mean_after, s.design.mean_after, 1e-5, 'design: mean after, PyTorch against the page');
    expectStated(line, lab.page, [String(RUN.steps), String(RUN.parameters), RUN.first_logit.toFixed(4),
      RUN.first_probability.toFixed(4)]);
  },
}, {
  name: 'every number chapter 9\'s figures computed is quoted by the page that draws them',
  async run(harness) {
    const pages = ['index.html', '02-the-workflow-step-by-step.html', '03-moving-a-model.html'].map((p) => CHAPTER + p);
    const problems = unquotedFigureNumbers(harness.siteDir, pages);
    expect(problems.length === 0, problems.join('\n'));
  },
}];
