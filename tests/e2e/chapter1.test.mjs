// Chapter 1's labs as the experiments its pages frame: for each, the setting the page
// says to change is changed through the lab's set(), and the number the page says to
// expect is read from state() and must equal both the constant here and the number in
// the page's "Expect" line, so text, lab and test cannot drift apart.
import fs from 'node:fs';
import path from 'node:path';

import { expect } from './harness.mjs';
import { expectLine, expectStated, near, withChapterLab } from './labs.mjs';

const withLab = (harness, name, body) => withChapterLab(harness, '01-', name, body);

// The numbers each page expects (its "Expect:" line says the same).
const FASTQ = { auto: 29.4, phred33: 60.4 };
const PEAKS = {
  local: { peaks: 40, false_peaks: 0, truth_recovered: 42 },
  genome: { peaks: 45, false_peaks: 3, peaks_on_sticky: 3, truth_recovered: 44 },
  truth: 55,
};
const COORDINATES = { before: 0, after: 1 };
const SPLIT = { block: 20, window: 335 };
const IMBALANCE = { none: 0.143, weighted: 0.5, epoch: 1000, oversampled: 1714 };

export const tests = [{
  name: 'page 02: a wrong Phred offset moves the mean quality from Q29.4 to Q60.4',
  async run(harness) {
    await withLab(harness, 'fastq-quality', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      expectStated(line, url, [`Q${FASTQ.auto}`, `Q${FASTQ.phred33}`]);
      const auto = await state();
      expect(auto.offset_used === 64, `auto picked Phred+${auto.offset_used}`);
      near(Math.round(auto.mean_quality * 10) / 10, FASTQ.auto, 1e-9, 'mean quality, auto');
      await set('offset', '33');
      near(Math.round((await state()).mean_quality * 10) / 10, FASTQ.phred33, 1e-9, 'mean quality, Phred+33');
    });
  },
}, {
  name: 'page 03: the genome-wide lambda alone calls peaks on the sticky regions, the local lambda none',
  async run(harness) {
    await withLab(harness, 'peak-calling', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      const local = await state();
      await set('local', 0);
      const genome = await state();
      console.log(`      local lambda: ${local.peaks} peaks, ${local.false_peaks} on no true site, ${local.truth_recovered} of ${local.truth_peaks} sites;`
        + ` genome-wide: ${genome.peaks} peaks, ${genome.false_peaks} false, ${genome.peaks_on_sticky} on sticky regions, ${genome.truth_recovered} sites`);
      expect(local.local_lambda === true && genome.local_lambda === false, 'the local lambda switch did not switch');
      for (const key of Object.keys(PEAKS.local)) expect(local[key] === PEAKS.local[key], `local lambda: ${key} ${local[key]}, expected ${PEAKS.local[key]}`);
      for (const key of Object.keys(PEAKS.genome)) expect(genome[key] === PEAKS.genome[key], `genome lambda: ${key} ${genome[key]}, expected ${PEAKS.genome[key]}`);
      expect(local.truth_peaks === PEAKS.truth, `${local.truth_peaks} true sites in the span`);
      expect(local.peaks_on_sticky === 0, `the local lambda called ${local.peaks_on_sticky} peaks on sticky regions`);
      // The figure's genome-wide lambda is computed by the site builder in JavaScript, the lab's by the core.
      const html = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
      const figure = /data-figure="peak-lambdas" data-numbers='([^']*)'/.exec(html);
      expect(figure, `${url} has no peak-lambdas figure`);
      const numbers = JSON.parse(figure[1].replace(/&quot;/g, '"'));
      near(numbers.genome_lambda, Math.round(local.genome_lambda * 100) / 100, 1e-9, 'genome-wide lambda, figure against lab');
      expectStated(line, url, [PEAKS.local.peaks, PEAKS.local.false_peaks, PEAKS.genome.peaks, PEAKS.genome.false_peaks,
        PEAKS.genome.peaks_on_sticky, PEAKS.local.truth_recovered, PEAKS.genome.truth_recovered, PEAKS.truth].map(String));
    });
  },
}, {
  name: 'page 04: a region ending at a site\'s BED start does not show it, one base more does',
  async run(harness) {
    await withLab(harness, 'track-explorer', async (set, state, url) => {
      expectStated(expectLine(harness.siteDir, url), url, ['0, then 1', '7,003,917']);
      await set('region', 'chr2R:7,003,000-7,003,916');
      const before = await state();
      await set('region', 'chr2R:7,003,000-7,003,917');
      const after = await state();
      expect(before.bed.features_in_view === COORDINATES.before && after.bed.features_in_view === COORDINATES.after,
        `features in view: ${before.bed.features_in_view} then ${after.bed.features_in_view}`);
    });
  },
}, {
  name: 'page 05: hashing single windows splits 335 touching pairs apart, 20 kb blocks 20',
  async run(harness) {
    await withLab(harness, 'tutorial1-prep', async (set, state, url) => {
      expectStated(expectLine(harness.siteDir, url), url, [String(SPLIT.block), String(SPLIT.window)]);
      const block = await state();
      expect(block.hash_block === 20000, `the lab starts with hash block ${block.hash_block}`);
      await set('hash_block', 0);
      const window = await state();
      console.log(`      neighbours split apart: ${block.neighbours_split_apart} with 20 kb blocks, ${window.neighbours_split_apart} per window`);
      expect(block.neighbours_split_apart === SPLIT.block, `20 kb blocks: ${block.neighbours_split_apart} pairs apart`);
      expect(window.neighbours_split_apart === SPLIT.window, `per window: ${window.neighbours_split_apart} pairs apart`);
    });
  },
}, {
  name: 'page 06: class weights and over-sampling both bring peaks to half the loss',
  async run(harness) {
    await withLab(harness, 'class-imbalance', async (set, state, url) => {
      expectStated(expectLine(harness.siteDir, url), url, ['14.3 %', '50 %', '1,000', '1,714']);
      const none = await state();
      near(none.positive_weighted_share, IMBALANCE.none, 5e-4, 'no remedy: peak share of the loss');
      expect(none.epoch_size === IMBALANCE.epoch, `no remedy: epoch ${none.epoch_size}`);
      await set('weighting', 'inverse-frequency');
      const weighted = await state();
      near(weighted.positive_weighted_share, IMBALANCE.weighted, 1e-9, 'inverse-frequency weights: peak share');
      expect(weighted.epoch_size === IMBALANCE.epoch, `weighted: epoch ${weighted.epoch_size}`);
      await set('weighting', 'none');
      await set('method', 'oversample');
      const over = await state();
      near(over.positive_weighted_share, IMBALANCE.weighted, 1e-9, 'over-sampling: peak share');
      expect(over.epoch_size === IMBALANCE.oversampled, `over-sampling: epoch ${over.epoch_size}`);
    });
  },
}];
