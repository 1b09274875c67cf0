// Chapter 6's labs as the experiments its pages frame: the normalisation the page says to
// change is set through the lab's set(), and the numbers the page says to expect are read
// from state(); they must equal the constants here and the page's "Expect" line, and they
// must behave as the chapter's arithmetic says (CPM brings the means of two depths to one
// ratio, Pearson's r is blind to a constant factor, arcsinh is monotone and calls the raw
// counts' peaks; a model trained on one depth is miscalibrated on the other by about the
// depth ratio, while its ranking scores barely move, and CPM targets mend the calibration).
import fs from 'node:fs';
import path from 'node:path';

import { figureNumbers, unquotedFigureNumbers } from './chapter-pages.mjs';
import { expect } from './harness.mjs';
import { expectLine, expectPinned, expectStated, near, withChapterLab } from './labs.mjs';

const CHAPTER = '06-sequencing-depth/';
const text3 = (v) => v.toFixed(3);

// Page 02: the two runs bin by bin under each normalisation, threshold 20 reads at 1x.
const COMPARE = {
  none: { ratio: 0.250, r: 0.708, deep: 1882, shallow: 48 },
  cpm: { ratio: 1.000, r: 0.708, deep: 1882, shallow: 1678 },
  arcsinh: { ratio: 0.359, r: 0.358, deep: 1882, shallow: 48 },
  'cpm-arcsinh': { ratio: 0.641, r: 0.188, deep: 1882, shallow: 1678 },
};

// Page 03: the lab's model trained a whole run (the page's Train button) on 1x and scored
// on both depths, per normalisation; and trained on 0.25x, scored on 1x. Each run's
// numbers as its state's scores hold them: `trained` on the depth it trained on, `other`
// on the other depth.
const TRANSFER_STEPS = 180;
const TRANSFER = {
  'none-1x': {
    trained: { calibration: 1.194, mse: 23.87, pearson: 0.675 },
    other: { calibration: 4.856, mse: 35.217, pearson: 0.651 },
    auroc: 0.839,
  },
  'cpm-1x': { trained: { calibration: 1.201, pearson: 0.627 }, other: { calibration: 1.222, mse: 445.616, pearson: 0.604 }, auroc: 0.822 },
  'arcsinh-1x': { other: { calibration: 3.006 } },
  'none-0.25x': { other: { calibration: 0.292, pearson: 0.576 } },
};

export const tests = [{
  name: 'page 02: CPM brings the depths\' means together, r is blind to the factor, arcsinh calls the raw counts\' peaks',
  async run(harness) {
    await withChapterLab(harness, CHAPTER, 'depth-compare', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      const s = await state();
      expect(s.done, `the lab did not score the depths: ${s.message}`);
      const rows = s.scores;
      console.log(`      library ratio ${text3(s.library_ratio)}; ${Object.entries(rows).map(([n, r]) => `${n}: ratio ${text3(r.mean_ratio)} r ${text3(r.pearson)} peaks ${r.peak_bins_deep}/${r.peak_bins_shallow}`).join('; ')}`);
      // The library sizes: the simulated quarter, up to noise; the figure (CLI) agrees.
      near(s.library_ratio, 0.25, 0.01, 'shallow / deep library size');
      const figure = figureNumbers(harness.siteDir, CHAPTER + 'index.html', 'depth-stretch');
      near(figure.library_deep, Math.round(s.library_size.deep), 0, 'figure against lab: the 1x library');
      near(figure.library_shallow, Math.round(s.library_size.shallow), 0, 'figure against lab: the 0.25x library');
      // Raw means differ by the library ratio; CPM makes them equal (the means of CPM are 1e6 / bins).
      near(rows.none.mean_ratio, s.library_ratio, 1e-6, 'raw mean ratio against the library ratio');
      near(rows.cpm.mean_ratio, 1, 1e-6, 'CPM mean ratio');
      // Pearson's r is blind to a constant factor: raw and CPM alike.
      near(rows.cpm.pearson, rows.none.pearson, 1e-6, 'r under CPM against raw');
      // arcsinh is monotone: a threshold carried through it calls the raw counts' bins.
      expect(rows.arcsinh.peak_bins_deep === rows.none.peak_bins_deep && rows.arcsinh.peak_bins_shallow === rows.none.peak_bins_shallow,
        `arcsinh calls ${rows.arcsinh.peak_bins_deep}/${rows.arcsinh.peak_bins_shallow}, raw ${rows.none.peak_bins_deep}/${rows.none.peak_bins_shallow}`);
      expect(rows['cpm-arcsinh'].peak_bins_deep === rows.cpm.peak_bins_deep && rows['cpm-arcsinh'].peak_bins_shallow === rows.cpm.peak_bins_shallow,
        'CPM then arcsinh calls what CPM calls');
      // The depth effect on calls: raw, the shallow run calls far fewer; CPM, about as many.
      expect(rows.none.peak_bins_shallow * 4 < rows.none.peak_bins_deep, 'raw: the shallow run calls more than a quarter of the deep run\'s bins');
      expect(Math.abs(rows.cpm.peak_bins_shallow - rows.cpm.peak_bins_deep) < 0.2 * rows.cpm.peak_bins_deep, 'CPM: the two depths\' calls differ by more than 20%');
      for (const [name, want] of Object.entries(COMPARE)) {
        const got = rows[name];
        near(Number(text3(got.mean_ratio)), want.ratio, 1e-9, `${name}: mean ratio`);
        near(Number(text3(got.pearson)), want.r, 1e-9, `${name}: r`);
        expect(got.peak_bins_deep === want.deep && got.peak_bins_shallow === want.shallow,
          `${name}: peak bins ${got.peak_bins_deep}/${got.peak_bins_shallow}, expected ${want.deep}/${want.shallow}`);
      }
      // The set() a reader makes: the normalisation the table highlights.
      await set('normalization', 'cpm');
      const cpm = await state();
      expect(cpm.normalization === 'cpm' && cpm.at.peak_bins_shallow === COMPARE.cpm.shallow, `after set('normalization', 'cpm'): ${JSON.stringify(cpm.at)}`);
      const count = (n) => n.toLocaleString('en-US');
      expectStated(line, url, [text3(COMPARE.none.ratio), count(COMPARE.none.deep), count(COMPARE.none.shallow),
        text3(COMPARE.cpm.ratio), count(COMPARE.cpm.deep), count(COMPARE.cpm.shallow), text3(COMPARE.arcsinh.ratio),
        text3(COMPARE.none.r), text3(COMPARE.arcsinh.r)]);
    });
  },
}, {
  name: 'page 03: trained at 1x and scored at 0.25x, raw targets miss by the depth factor, CPM targets do not; ranking scores barely move',
  async run(harness) {
    await withChapterLab(harness, CHAPTER, 'depth-transfer', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      const runs = {};
      for (const [normalization, trainDepth] of [['none', '1x'], ['cpm', '1x'], ['arcsinh', '1x'], ['none', '0.25x']]) {
        await set('normalization', normalization);
        await set('train_depth', trainDepth);
        const ready = await state();
        expect(ready.stage === 'ready', `${normalization} at ${trainDepth}: the data are ${ready.stage}: ${ready.message}`);
        await set('train_steps', TRANSFER_STEPS);
        const s = await state();
        expect(s.steps_in_run === TRANSFER_STEPS, `${s.steps_in_run} steps in a run, the page says ${TRANSFER_STEPS}`);
        expect(s.scores && s.scores.steps === TRANSFER_STEPS, `${normalization} at ${trainDepth}: no scores after ${TRANSFER_STEPS} steps: ${s.message}`);
        const key = `${normalization}-${trainDepth}`;
        runs[key] = s.scores;
        const d = (x) => `cal ${text3(x.calibration)} mse ${text3(x.mse)} r ${text3(x.pearson)} rho ${text3(x.spearman)}`;
        console.log(`      ${key}: trained depth ${d(s.scores.trained)}; other ${d(s.scores.other)}; auroc ${text3(s.scores.auroc)}; ${s.ms_per_step.toFixed(1)} ms/step`);
      }
      if (process.env.EPIBOOK_PRINT_SCORES) console.log(`      scores ${JSON.stringify(runs)}`);
      const none = runs['none-1x'];
      const cpm = runs['cpm-1x'];
      const arcsinh = runs['arcsinh-1x'];
      const reverse = runs['none-0.25x'];
      // Raw: calibrated at home, about 1 / 0.25 on the shallow run; the reverse about 0.25.
      near(none.other.calibration / none.trained.calibration, 4, 0.4, 'raw: calibration away over at home');
      near(reverse.other.calibration / reverse.trained.calibration, 0.25, 0.03, 'reverse: calibration away over at home');
      expect(none.other.mse > 1.3 * none.trained.mse, `raw: MSE away ${none.other.mse}, at home ${none.trained.mse}`);
      // CPM: calibrated at both depths alike.
      near(cpm.other.calibration / cpm.trained.calibration, 1, 0.1, 'CPM: calibration away over at home');
      // arcsinh: between the two.
      expect(arcsinh.other.calibration > cpm.other.calibration && arcsinh.other.calibration < none.other.calibration,
        `arcsinh's calibration away ${arcsinh.other.calibration} lies outside CPM's ${cpm.other.calibration} and raw's ${none.other.calibration}`);
      // Ranking scores barely move: r within 0.1, AUROC is one number for both depths.
      for (const [name, r] of Object.entries(runs)) expect(Math.abs(r.trained.pearson - r.other.pearson) < 0.1, `${name}: r ${r.trained.pearson} at home, ${r.other.pearson} away`);
      for (const [key, want] of Object.entries(TRANSFER)) expectPinned(runs[key], want, key);
      const [rawWant, cpmWant] = [TRANSFER['none-1x'], TRANSFER['cpm-1x']];
      expectStated(line, url, [rawWant.trained.calibration, rawWant.other.calibration, rawWant.trained.mse, rawWant.other.mse,
        rawWant.trained.pearson, rawWant.other.pearson, cpmWant.trained.calibration, cpmWant.other.calibration,
        cpmWant.trained.pearson, cpmWant.other.pearson, rawWant.auroc, cpmWant.auroc].map(text3));
      const page = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
      for (const value of [cpmWant.other.mse, TRANSFER['arcsinh-1x'].other.calibration, TRANSFER['none-0.25x'].other.calibration,
        TRANSFER['none-0.25x'].other.pearson].map(text3)) {
        expect(page.includes(value), `${url} does not state ${value}`);
      }
    });
  },
}, {
  name: 'every number chapter 6\'s figures computed is quoted by the page that draws them',
  async run(harness) {
    const pages = ['index.html', '02-normalising-depth.html', '03-training-across-depths.html'].map((p) => CHAPTER + p);
    const problems = unquotedFigureNumbers(harness.siteDir, pages);
    expect(problems.length === 0, problems.join('\n'));
  },
}];
