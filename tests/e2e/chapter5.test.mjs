// Chapter 5's labs as the experiments its pages frame. Page 02: the GC-only model's AUROC
// with random and with GC-matched negatives, read from the gc-shortcut lab's state(),
// equal to the constants here, the page's Expect line and the figure's own count of GC
// (the site builder's, from the FASTA); it must fall to near 0.5 when the negatives are
// matched while the genome-wide tiling's does not move. Page 03: the region-choice lab
// trains the same model on three of the four designs and scores it on the held-out tiles
// of chr3; the scores must order as the page says (peaks only ranks near chance and
// predicts a peak-sized signal in the background) and equal the constants here.
import { figureNumbers, unquotedFigureNumbers } from './chapter-pages.mjs';
import { expect } from './harness.mjs';
import { expectLine, expectStated, near, withChapterLab } from './labs.mjs';

const CHAPTER = '05-choosing-regions/';
const withLab = (harness, name, body) => withChapterLab(harness, CHAPTER, name, body);
const text3 = (v) => v.toFixed(3);

// Page 02: 200 bp windows, three negatives per peak, GC bins 1 (random) and 20 (matched).
const SHORTCUT = { random: { auroc: 0.713, ks: 0.317 }, matched: { auroc: 0.508, ks: 0.025 }, tiling_auroc: 0.667 };

// Page 03: each design trained for its whole run (10 epochs) and scored on chr3's tiles.
// The tiling's run (1,250 steps) is too long for the suite; the page states no number of it.
const DESIGNS = ['peaks', 'random', 'gc-matched'];
const TRAINING = {
  peaks: { steps: 60, auroc: 0.555, background: 3.246 },
  random: { steps: 220, auroc: 0.755, background: 1.406 },
  'gc-matched': { steps: 210, auroc: 0.736, background: 1.469 },
  background_signal: 0.959,
};

export const tests = [{
  name: 'page 02: GC alone separates peaks from random negatives, not from GC-matched ones, and still from the genome\'s tiles',
  async run(harness) {
    await withLab(harness, 'gc-shortcut', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      await set('gc_bins', 1);
      const random = await state();
      await set('gc_bins', 20);
      const matched = await state();
      for (const s of [random, matched]) expect(s.chosen && s.tiling, `the lab chose no windows: ${s.message}`);
      console.log(`      GC-only AUROC: random ${text3(random.chosen.gc_auroc)} (D ${text3(random.chosen.gc_ks)}),`
        + ` matched ${text3(matched.chosen.gc_auroc)} (D ${text3(matched.chosen.gc_ks)}), tiles ${text3(random.tiling.gc_auroc)}`);
      // The same peaks either way, three negatives each; the tiling does not depend on the negatives.
      expect(random.chosen.positives === matched.chosen.positives, 'the peak windows changed with the GC bins');
      expect(random.chosen.negatives === 3 * random.chosen.positives, `${random.chosen.negatives} negatives for ${random.chosen.positives} peaks`);
      near(random.tiling.gc_auroc, matched.tiling.gc_auroc, 1e-12, 'the tiles\' GC AUROC moved with the negatives');
      // The shortcut: well above chance with random negatives, near chance when matched.
      expect(random.chosen.gc_auroc > 0.7, `random negatives: GC-only AUROC ${random.chosen.gc_auroc}`);
      near(matched.chosen.gc_auroc, 0.5, 0.03, 'GC-matched negatives: GC-only AUROC');
      expect(matched.chosen.gc_ks < random.chosen.gc_ks / 4, `KS D ${matched.chosen.gc_ks} matched against ${random.chosen.gc_ks} random`);
      // The means: peaks GC-richer than random negatives, matched negatives as GC-rich as the peaks.
      expect(random.chosen.mean_gc_positive > random.chosen.mean_gc_negative + 0.02, 'peaks are not GC-richer than random negatives');
      near(matched.chosen.mean_gc_negative, matched.chosen.mean_gc_positive, 0.005, 'mean GC of matched negatives against peaks');
      near(Number(text3(random.chosen.gc_auroc)), SHORTCUT.random.auroc, 1e-9, 'GC-only AUROC, random negatives');
      near(Number(text3(matched.chosen.gc_auroc)), SHORTCUT.matched.auroc, 1e-9, 'GC-only AUROC, matched negatives');
      near(Number(text3(random.chosen.gc_ks)), SHORTCUT.random.ks, 1e-9, 'KS D, random negatives');
      near(Number(text3(matched.chosen.gc_ks)), SHORTCUT.matched.ks, 1e-9, 'KS D, matched negatives');
      near(Number(text3(random.tiling.gc_auroc)), SHORTCUT.tiling_auroc, 1e-9, 'GC-only AUROC on every tile');
      expectStated(line, url, [SHORTCUT.random.auroc, SHORTCUT.matched.auroc, SHORTCUT.random.ks, SHORTCUT.matched.ks,
        SHORTCUT.tiling_auroc].map(text3));
      // The figure counts GC itself (site builder, from the FASTA) on the training windows of
      // chr1-chr2, a subset of the lab's: the same direction and about the same size.
      const figure = figureNumbers(harness.siteDir, url, 'gc-histograms');
      near(figure.gc_auroc_random, random.chosen.gc_auroc, 0.05, 'figure against lab: GC-only AUROC, random negatives');
      near(figure.gc_auroc_matched, 0.5, 0.04, 'figure: GC-only AUROC, matched negatives');
    });
  },
}, {
  name: 'page 03: three training designs scored on the held-out tiles of chr3',
  async run(harness) {
    await withLab(harness, 'region-choice', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      const scores = {};
      let background = null;
      for (const design of DESIGNS) {
        await set('regions', design);
        const ready = await state();
        expect(ready.stage === 'ready', `${design}: the data are ${ready.stage}: ${ready.message}`);
        expect(ready.rows_per_split.test.windows === ready.test.tiles, `${design}: test rows ${ready.rows_per_split.test.windows}`);
        if (background === null) background = ready.test;
        expect(JSON.stringify(ready.test) === JSON.stringify(background), `${design}: the held-out tiles differ between designs`);
        await set('start', true);
        const s = await state();
        expect(s.phase === 'finished', `${design}: the run is ${s.phase} after start: ${s.message}`);
        expect(s.scores && s.scores.steps === s.steps_in_run, `${design}: no scores after ${s.steps_in_run} steps: ${s.message}`);
        scores[design] = { ...s.scores, steps: s.steps_in_run };
        console.log(`      ${design}: ${s.steps_in_run} steps, AUROC ${text3(s.scores.auroc)}, AUPRC ${text3(s.scores.auprc)},`
          + ` Pearson ${text3(s.scores.pearson)}, background mean ${text3(s.scores.background_prediction)}`
          + ` (signal ${text3(s.test.background_signal)}), above peak median ${text3(s.scores.background_above_peak_median)},`
          + ` ${s.ms_per_step.toFixed(1)} ms/step`);
      }
      expect(scores.peaks.auroc < scores.random.auroc - 0.1 && scores.peaks.auroc < scores['gc-matched'].auroc - 0.1, 'peaks only ranks as well as with negatives');
      expect(scores.peaks.background_prediction > 2 * scores.random.background_prediction, 'peaks only does not overpredict the background');
      for (const design of DESIGNS) expect(scores[design].background_prediction > background.background_signal, `${design}: predicts less than the background signal`);
      const s = await state();
      expect(s.history.length === DESIGNS.length, `the table holds ${s.history.length} rows after ${DESIGNS.length} designs`);
      for (const design of DESIGNS) {
        near(Number(text3(scores[design].auroc)), TRAINING[design].auroc, 1e-9, `${design}: AUROC on chr3's tiles`);
        near(Number(text3(scores[design].background_prediction)), TRAINING[design].background, 1e-9, `${design}: mean prediction on background tiles`);
        expect(scores[design].steps === TRAINING[design].steps, `${design}: ${scores[design].steps} steps in a run`);
      }
      near(Number(text3(background.background_signal)), TRAINING.background_signal, 1e-9, 'mean signal on background tiles');
      const stated = [TRAINING.background_signal];
      for (const design of DESIGNS) stated.push(TRAINING[design].auroc, TRAINING[design].background);
      expectStated(line, url, stated.map(text3));
    });
  },
}, {
  name: 'every number chapter 5\'s figures computed is quoted by the page that draws them',
  async run(harness) {
    const pages = ['index.html', '02-the-gc-shortcut.html', '03-training-windows.html'].map((p) => CHAPTER + p);
    const problems = unquotedFigureNumbers(harness.siteDir, pages);
    expect(problems.length === 0, problems.join('\n'));
  },
}];
