// Chapter 3's labs as the experiments its pages frame: the bin the page says to change is
// set through the lab's set(), and the numbers the page says to expect are read from
// state(); they must equal the constants here and the page's "Expect" line, and they must
// move with the bin as the chapter's formulas say (replicate r climbing as noise is
// averaged away, the truth's r its square root, the shape kept falling; a model's score at
// its own bin climbing while its score at a common bin does not).
import fs from 'node:fs';
import path from 'node:path';

import { figureNumbers } from './chapter-pages.mjs';
import { expect } from './harness.mjs';
import { expectLine, expectStated, near, withChapterLab } from './labs.mjs';

const CHAPTER = '03-base-pair-averaging/';

const text2 = (v) => v.toFixed(2);
const text3 = (v) => v.toFixed(3);
const withLab = (harness, name, body) => withChapterLab(harness, CHAPTER, name, body);

// Page 02: chr1 of the simulation, per base; bins 1, 2, 4, ..., 128.
const AVERAGING = { rep_1: 0.26, truth_1: 0.51, rep_128: 0.95, truth_128: 0.98, shape_128: 0.68 };

// Page 03: the lab's model trained a whole run at each bin (the page's Train button).
const TRAINING = {
  steps: 200,
  own: { 1: 0.327, 8: 0.465, 32: 0.511, 128: 0.370 },
  coarse: { 1: 0.463, 8: 0.439, 32: 0.450, 128: 0.370 },
  ceiling: { 1: 0.669, 128: 0.986 },
  truth_per_base: { 8: 0.500, 128: 0.209 },
};

export const tests = [{
  name: 'page 02: averaging lifts replicate r with the bin, the truth scores its square root, the shape kept falls',
  async run(harness) {
    await withLab(harness, 'bin-averaging', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      const s = await state();
      expect(s.done && s.bins.length === 8, `the lab scored ${s.replicate_pearson.length} bins: ${s.message}`);
      console.log(`      replicate r ${s.replicate_pearson.map(text3).join(' ')}; truth r ${s.truth_pearson.map(text3).join(' ')};`
        + ` shape kept ${s.shape_kept.map(text3).join(' ')}`);
      for (let i = 1; i < s.bins.length; i += 1) {
        expect(s.replicate_pearson[i] > s.replicate_pearson[i - 1], `replicate r falls from ${s.bins[i - 1]} to ${s.bins[i]} bp`);
        expect(s.truth_pearson[i] > s.truth_pearson[i - 1], `truth r falls from ${s.bins[i - 1]} to ${s.bins[i]} bp`);
        expect(s.shape_kept[i] <= s.shape_kept[i - 1] + 1e-9, `shape kept rises from ${s.bins[i - 1]} to ${s.bins[i]} bp`);
      }
      // Independent noise on two replicates: r(truth, rep) = sqrt(r(rep, rep)).
      s.bins.forEach((bin, i) => near(s.truth_pearson[i], Math.sqrt(s.replicate_pearson[i]), 0.03, `truth r against sqrt(replicate r) at ${bin} bp`));
      expect(s.shape_kept[0] > 0.999999, `the truth keeps ${s.shape_kept[0]} of its shape at 1 bp`);
      // The figure (site builder, CLI) and the lab (wasm) agree.
      const figure = figureNumbers(harness.siteDir, url, 'correlation-by-bin');
      near(figure.replicates_1bp, Number(text2(s.replicate_pearson[0])), 1e-9, 'figure against lab: replicate r at 1 bp');
      near(figure.truth_128bp, Number(text2(s.truth_pearson[7])), 1e-9, 'figure against lab: truth r at 128 bp');
      near(figure.shape_kept_128bp, Number(text2(s.shape_kept[7])), 1e-9, 'figure against lab: shape kept at 128 bp');
      // The formula var(S_b) / (var(S_b) + N / b) holds the measured replicate r.
      near(figure.formula_1bp, figure.replicates_1bp, 0.02, 'formula against the replicates at 1 bp');
      near(figure.formula_128bp, figure.replicates_128bp, 0.02, 'formula against the replicates at 128 bp');
      await set('bin', 1);
      const one = (await state()).at_bin;
      await set('bin', 128);
      const wide = (await state()).at_bin;
      near(Number(text2(one.replicate_pearson)), AVERAGING.rep_1, 1e-9, 'replicate r at 1 bp');
      near(Number(text2(one.truth_pearson)), AVERAGING.truth_1, 1e-9, 'truth r at 1 bp');
      near(Number(text2(wide.replicate_pearson)), AVERAGING.rep_128, 1e-9, 'replicate r at 128 bp');
      near(Number(text2(wide.truth_pearson)), AVERAGING.truth_128, 1e-9, 'truth r at 128 bp');
      near(Number(text2(wide.shape_kept)), AVERAGING.shape_128, 1e-9, 'shape kept at 128 bp');
      expectStated(line, url, [AVERAGING.rep_1, AVERAGING.truth_1, AVERAGING.rep_128, AVERAGING.truth_128, AVERAGING.shape_128].map(text2));
    });
  },
}, {
  name: 'page 03: one model at 1, 8, 32 and 128 bp: its own-bin score inflates, its score at 128 bp does not',
  async run(harness) {
    await withLab(harness, 'output-bins', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      const runs = {};
      for (const bin of [1, 8, 32, 128]) {
        await set('bin', bin);
        const ready = await state();
        expect(ready.stage === 'ready', `bin ${bin}: the data are ${ready.stage}: ${ready.message}`);
        await set('train_steps', TRAINING.steps);
        const s = await state();
        expect(s.steps_in_run === TRAINING.steps, `bin ${bin}: ${s.steps_in_run} steps in a run, the page says ${TRAINING.steps}`);
        expect(s.scores && s.scores.steps === TRAINING.steps, `bin ${bin}: no scores after ${TRAINING.steps} steps: ${s.message}`);
        runs[bin] = s.scores;
        console.log(`      ${bin} bp: own ${text3(s.scores.own_bin.pearson)} (ceiling ${text3(s.scores.own_bin.ceiling)}),`
          + ` at 128 bp ${text3(s.scores.score_bin.pearson)} (ceiling ${text3(s.scores.score_bin.ceiling)}),`
          + ` truth per base ${text3(s.scores.truth_per_base)}, ${s.ms_per_step.toFixed(1)} ms/step`);
      }
      const bins = [1, 8, 32, 128];
      for (let i = 1; i < bins.length; i += 1) {
        expect(runs[bins[i]].own_bin.ceiling > runs[bins[i - 1]].own_bin.ceiling, `own-bin ceiling falls from ${bins[i - 1]} to ${bins[i]} bp`);
      }
      // From 1 to 32 bp the own-bin score climbs with its ceiling (the noise averaged away)...
      expect(runs[1].own_bin.pearson < runs[8].own_bin.pearson && runs[8].own_bin.pearson < runs[32].own_bin.pearson,
        `own-bin r at 1, 8, 32 bp: ${[1, 8, 32].map((b) => runs[b].own_bin.pearson).join(', ')}`);
      for (const bin of bins) {
        const r = runs[bin];
        expect(r.own_bin.pearson < r.own_bin.ceiling, `${bin} bp: the model beats its ceiling at its own bin`);
        expect(r.score_bin.pearson < r.score_bin.ceiling, `${bin} bp: the model beats the 128 bp ceiling`);
        near(r.score_bin.ceiling, runs[128].score_bin.ceiling, 1e-6, `${bin} bp: the 128 bp ceiling is the same for every model`);
        near(Number(text3(r.own_bin.pearson)), TRAINING.own[bin], 1e-9, `${bin} bp: r at its own bin`);
        near(Number(text3(r.score_bin.pearson)), TRAINING.coarse[bin], 1e-9, `${bin} bp: r at 128 bp`);
      }
      // ...while at the common 128 bp bin the three finer models are close, far closer than
      // their own-bin scores, and each beats the model trained at 128 bp.
      const coarse = [1, 8, 32].map((b) => runs[b].score_bin.pearson);
      const spread = Math.max(...coarse) - Math.min(...coarse);
      expect(runs[32].own_bin.pearson - runs[1].own_bin.pearson > 3 * spread,
        `own-bin rise ${runs[32].own_bin.pearson - runs[1].own_bin.pearson} against a spread of ${spread} at 128 bp`);
      for (const r of coarse) expect(r > runs[128].score_bin.pearson, `at 128 bp a finer model scores ${r}, the 128 bp model ${runs[128].score_bin.pearson}`);
      // The model at 128 bp is scored at its own bin either way.
      near(runs[128].own_bin.pearson, runs[128].score_bin.pearson, 1e-9, '128 bp: own bin and score bin agree');
      near(Number(text3(runs[1].own_bin.ceiling)), TRAINING.ceiling[1], 1e-9, 'ceiling at 1 bp');
      near(Number(text3(runs[128].own_bin.ceiling)), TRAINING.ceiling[128], 1e-9, 'ceiling at 128 bp');
      // Resolution lost: spread over its bases, the coarse model matches the truth per base worse.
      expect(runs[128].truth_per_base < runs[8].truth_per_base, `truth per base: 128 bp ${runs[128].truth_per_base}, 8 bp ${runs[8].truth_per_base}`);
      near(Number(text3(runs[8].truth_per_base)), TRAINING.truth_per_base[8], 1e-9, '8 bp: r against the truth per base');
      near(Number(text3(runs[128].truth_per_base)), TRAINING.truth_per_base[128], 1e-9, '128 bp: r against the truth per base');
      // The page's ceilings figure (site builder, from the bigWigs) agrees with the lab's.
      const figure = figureNumbers(harness.siteDir, url, 'ceiling-by-bin');
      near(figure.ceiling_1bp, Number(text3(runs[1].own_bin.ceiling)), 1e-9, 'figure against lab: ceiling at 1 bp');
      near(figure.ceiling_128bp, Number(text3(runs[128].own_bin.ceiling)), 1e-9, 'figure against lab: ceiling at 128 bp');
      expectStated(line, url, [...bins.map((b) => text3(TRAINING.own[b])), ...bins.map((b) => text3(TRAINING.coarse[b])),
        text3(TRAINING.ceiling[1]), text3(TRAINING.ceiling[128])]);
    });
  },
}, {
  name: 'every number chapter 3\'s figures computed is quoted by the page that draws them',
  async run(harness) {
    const problems = [];
    for (const url of ['index.html', '02-noise-and-resolution.html', '03-training-at-a-bin.html'].map((p) => CHAPTER + p)) {
      const html = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
      const text = html.replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ');
      for (const match of html.matchAll(/data-figure="([^"]+)" data-numbers='([^']*)'/g)) {
        const numbers = JSON.parse(match[2].replace(/&quot;/g, '"'));
        for (const [key, value] of Object.entries(numbers)) {
          if (key === 'summit') continue;  // a position, shown on the axis
          if (!text.includes(String(value)) && !text.includes(value.toFixed(3))) problems.push(`${url}: figure ${match[1]} computed ${key} = ${value}, which the text does not quote`);
        }
      }
    }
    expect(problems.length === 0, problems.join('\n'));
  },
}];
