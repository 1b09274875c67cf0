// Chapter 6's labs as the experiments its pages frame: the normalisation the page says to
// change is set through the lab's set(), and the numbers the page says to expect are read
// from state(); they must equal the constants here and the page's "Expect" line, and they
// must behave as the chapter's arithmetic says (CPM brings the means of two depths to one
// ratio, Pearson's r is blind to a constant factor, arcsinh is monotone and calls the raw
// counts' peaks; a model trained on one depth is miscalibrated on the other by about the
// depth ratio, while its ranking scores barely move, and CPM targets mend the calibration).
import fs from 'node:fs';
import path from 'node:path';

import { expect } from './harness.mjs';
import { expectLine, expectStated, near, withChapterLab } from './labs.mjs';

const CHAPTER = '06-sequencing-depth/';
const text3 = (v) => v.toFixed(3);

function figureNumbers(siteDir, url, name) {
  const html = fs.readFileSync(path.join(siteDir, url), 'utf8');
  const match = new RegExp(`data-figure="${name}" data-numbers='([^']*)'`).exec(html);
  expect(match, `${url} has no ${name} figure`);
  return JSON.parse(match[1].replace(/&quot;/g, '"'));
}

// Page 02: the two runs bin by bin under each normalisation, threshold 20 reads at 1x.
const COMPARE = {
  none: { ratio: 0.250, r: 0.708, deep: 1882, shallow: 48 },
  cpm: { ratio: 1.000, r: 0.708, deep: 1882, shallow: 1678 },
  arcsinh: { ratio: 0.359, r: 0.358, deep: 1882, shallow: 48 },
  'cpm-arcsinh': { ratio: 0.641, r: 0.188, deep: 1882, shallow: 1678 },
};

// Page 03: the lab's model trained a whole run (the page's Train button) on 1x and scored
// on both depths, per normalisation; and trained on 0.25x, scored on 1x.
const TRANSFER = {
  steps: 180,
  none: { cal_home: 1.194, cal_other: 4.856, mse_home: 23.87, mse_other: 35.217, r_home: 0.675, r_other: 0.651, auroc: 0.839 },
  cpm: { cal_home: 1.201, cal_other: 1.222, mse_other: 445.616, r_home: 0.627, r_other: 0.604, auroc: 0.822 },
  arcsinh: { cal_other: 3.006 },
  reverse: { cal_other: 0.292, r_other: 0.576 },
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
        await set('train_steps', TRANSFER.steps);
        const s = await state();
        expect(s.steps_in_run === TRANSFER.steps, `${s.steps_in_run} steps in a run, the page says ${TRANSFER.steps}`);
        expect(s.scores && s.scores.steps === TRANSFER.steps, `${normalization} at ${trainDepth}: no scores after ${TRANSFER.steps} steps: ${s.message}`);
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
      const want = TRANSFER;
      const check = (got, expected, what) => near(Number(text3(got)), expected, 1e-9, what);
      check(none.trained.calibration, want.none.cal_home, 'none: calibration at 1x');
      check(none.other.calibration, want.none.cal_other, 'none: calibration at 0.25x');
      check(none.trained.mse, want.none.mse_home, 'none: MSE at 1x');
      check(none.other.mse, want.none.mse_other, 'none: MSE at 0.25x');
      check(none.trained.pearson, want.none.r_home, 'none: r at 1x');
      check(none.other.pearson, want.none.r_other, 'none: r at 0.25x');
      check(none.auroc, want.none.auroc, 'none: AUROC');
      check(cpm.trained.calibration, want.cpm.cal_home, 'cpm: calibration at 1x');
      check(cpm.other.calibration, want.cpm.cal_other, 'cpm: calibration at 0.25x');
      check(cpm.other.mse, want.cpm.mse_other, 'cpm: MSE at 0.25x');
      check(cpm.trained.pearson, want.cpm.r_home, 'cpm: r at 1x');
      check(cpm.other.pearson, want.cpm.r_other, 'cpm: r at 0.25x');
      check(cpm.auroc, want.cpm.auroc, 'cpm: AUROC');
      check(arcsinh.other.calibration, want.arcsinh.cal_other, 'arcsinh: calibration at 0.25x');
      check(reverse.other.calibration, want.reverse.cal_other, 'trained at 0.25x: calibration at 1x');
      check(reverse.other.pearson, want.reverse.r_other, 'trained at 0.25x: r at 1x');
      expectStated(line, url, [want.none.cal_home, want.none.cal_other, want.none.mse_home, want.none.mse_other, want.none.r_home,
        want.none.r_other, want.cpm.cal_home, want.cpm.cal_other, want.cpm.r_home, want.cpm.r_other, want.none.auroc, want.cpm.auroc].map(text3));
      const page = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
      for (const value of [...[want.cpm.mse_other, want.arcsinh.cal_other, want.reverse.cal_other, want.reverse.r_other].map(text3)]) {
        expect(page.includes(String(value)), `${url} does not state ${value}`);
      }
    });
  },
}, {
  name: 'every number chapter 6\'s figures computed is quoted by the page that draws them',
  async run(harness) {
    const problems = [];
    for (const url of ['index.html', '02-normalising-depth.html', '03-training-across-depths.html'].map((p) => CHAPTER + p)) {
      const html = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
      const text = html.replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ');
      for (const match of html.matchAll(/data-figure="([^"]+)" data-numbers='([^']*)'/g)) {
        const numbers = JSON.parse(match[2].replace(/&quot;/g, '"'));
        for (const [key, value] of Object.entries(numbers)) {
          if (!text.includes(String(value)) && !text.includes(value.toFixed(2))) problems.push(`${url}: figure ${match[1]} computed ${key} = ${value}, which the text does not quote`);
        }
      }
    }
    expect(problems.length === 0, problems.join('\n'));
  },
}];
