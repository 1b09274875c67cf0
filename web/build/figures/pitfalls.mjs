// Figures of chapter 12 (Pitfalls), drawn at build time from windows that `epibook regions`
// chooses on chapter 5's simulated genome (assets/regions/sim/), the same calls as the
// chapter's CLI commands. Overlaps, peak shares and GC are counted here from the BED
// rows and the FASTA, independently of the core's auditor, so the page's numbers have a peer.
// Each maker returns { width, height, body, numbers }; the page quotes `numbers`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { colours, plotSvg } from '../svg-plot.mjs';
import { gcOf, genome } from './choosing-regions.mjs';

const SIM = 'regions/sim';
const SPLITS = ['train', 'validation', 'test'];
const SPLIT_COLOUR = { train: colours.train, validation: colours.validation, test: colours.test };
const round = (v, digits = 3) => Number(v.toFixed(digits));
const BY_CHROMOSOME = ['--split', 'chrom', '--val-chroms', 'chr2', '--test-chroms', 'chr3'];

// `epibook regions` on the simulated genome with `args`, as rows { chrom, start, end, split, label }.
function regions(data, args) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-pitfalls-')), 'windows.bed');
  data.cli(['regions', '--genome', `${SIM}/genome.fa`, '--peaks', `${SIM}/celltypeA.narrowPeak`, '--width', '200',
    '--seed', '1', ...args, '-o', out, '--quiet']);
  const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((line) => {
    const f = line.split('\t');
    return { chrom: f[0], start: Number(f[1]), end: Number(f[2]), split: f[3], label: Number(f[4]) };
  });
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return rows;
}

// Windows sharing at least one base with a window of another split (rows sorted by start
// within each chromosome, as `epibook regions` writes them).
function windowsOverlappingAnotherSplit(rows) {
  const flagged = new Set();
  for (let i = 0; i < rows.length; i += 1) {
    for (let j = i + 1; j < rows.length && rows[j].chrom === rows[i].chrom && rows[j].start < rows[i].end; j += 1) {
      if (rows[j].split !== rows[i].split) { flagged.add(i); flagged.add(j); }
    }
  }
  return flagged.size;
}

// Page 02: 200 bp tiles every 100 bp along 2 kb of chr1, split per tile at random and by
// chromosome; over the whole genome, the windows that share bases with another split's.
function overlappingTiles(_settings, data, id) {
  const tiling = ['--mode', 'tiling', '--stride', '100'];
  const random = regions(data, [...tiling, '--split', 'hash', '--fractions', '0.6,0.2,0.2']);
  const byChromosome = regions(data, [...tiling, ...BY_CHROMOSOME]);
  const numbers = {
    tiles: random.length,
    overlapping_random: windowsOverlappingAnotherSplit(random),
    overlapping_by_chromosome: windowsOverlappingAnotherSplit(byChromosome),
  };
  const from = 0;
  const to = 2000;
  const rows = ['split per tile', '', 'by chromosome', ''];
  const boxes = [];
  [random, byChromosome].forEach((set, k) => {
    set.filter((w) => w.chrom === 'chr1' && w.start < to).forEach((w, i) => {
      boxes.push({ x0: w.start + 4, x1: Math.min(w.end, to) - 4, row: 2 * k + (i % 2), colour: SPLIT_COLOUR[w.split] });
    });
  });
  return {
    ...plotSvg({
      id,
      margin: { left: 112 },
      panels: [{
        height: 150,
        x: { min: from, max: to, label: 'chr1 position (bp); tiles of 200 bp every 100 bp, coloured by split' },
        series: [{ kind: 'boxes', rows, boxes },
          ...SPLITS.map((s) => ({ kind: 'bars', x: [], y: [], label: s, colour: SPLIT_COLOUR[s] }))],
      }],
    }),
    numbers,
  };
}

// Page 03: the share of peak windows per split, for every tile and for peaks with three
// GC-matched negatives each (both split by chromosome).
function peakShareBySplit(_settings, data, id) {
  const tiles = regions(data, ['--mode', 'tiling', ...BY_CHROMOSOME]);
  const chosen = regions(data, ['--mode', 'peaks', '--negatives', '3', ...BY_CHROMOSOME]);
  const share = (rows, split) => {
    const inSplit = rows.filter((w) => w.split === split);
    return round(inSplit.filter((w) => w.label === 1).length / inSplit.length, 4);
  };
  const numbers = {};
  for (const s of SPLITS) {
    numbers[`tiles_${s}`] = share(tiles, s);
    numbers[`peaks_3_negatives_${s}`] = share(chosen, s);
  }
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 200,
        x: { min: -0.6, max: 2.6, label: 'split (train chr1, validation chr2, test chr3)', ticks: [0, 1, 2], format: (v) => SPLITS[v] ?? '' },
        y: { min: 0, max: 0.3, label: 'share of peak windows' },
        series: [
          { kind: 'bars', x: [-0.18, 0.82, 1.82], y: SPLITS.map((s) => numbers[`tiles_${s}`]), width: 0.34, colour: colours.other, label: 'every 200 bp tile' },
          { kind: 'bars', x: [0.18, 1.18, 2.18], y: SPLITS.map((s) => numbers[`peaks_3_negatives_${s}`]), width: 0.34, colour: colours.peak, label: 'peaks + 3 GC-matched negatives' },
        ],
      }],
    }),
    numbers,
  };
}

// The chapter's page: the GC of every 200 bp tile of chr1 (train) and of chr3 (test), and
// of chr3's tiles with GC of 0.45 or more, the test set of the distribution pitfall.
function tileGc(_settings, data, id) {
  const sequences = genome(data);
  const tiles = regions(data, ['--mode', 'tiling', ...BY_CHROMOSOME]);
  const gc = (w) => gcOf(sequences[w.chrom].slice(w.start, w.end));
  const train = tiles.filter((w) => w.split === 'train').map(gc);
  const test = tiles.filter((w) => w.split === 'test').map(gc);
  const gcRich = test.filter((v) => v >= 0.45);
  const mean = (v) => round(v.reduce((a, b) => a + b, 0) / v.length, 3);
  const numbers = { train_tiles: train.length, test_tiles: test.length, gc_rich_test_tiles: gcRich.length,
    mean_gc_train: mean(train), mean_gc_test: mean(test), mean_gc_gc_rich_test: mean(gcRich) };
  const low = 0.25;
  const step = 0.025;
  const bars = 20;
  const histogram = (values, total) => {
    const counts = new Array(bars).fill(0);
    for (const v of values) counts[Math.min(bars - 1, Math.max(0, Math.floor((v - low) / step)))] += 1;
    return counts.map((c) => c / total);
  };
  const x = [...Array(bars).keys()].map((i) => low + (i + 0.5) * step);
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 200,
        x: { min: low, max: low + bars * step, label: 'GC fraction of the 200 bp tile' },
        y: { min: 0, max: 0.22, label: 'share of the split\'s tiles' },
        series: [
          { kind: 'bars', x, y: histogram(train, train.length), width: step * 0.9, colour: colours.train, label: `chr1 (train), mean ${numbers.mean_gc_train}` },
          { kind: 'line', x, y: histogram(test, test.length), colour: colours.test, width: 2, label: `chr3 (test), mean ${numbers.mean_gc_test}` },
          { kind: 'line', x, y: histogram(gcRich, test.length), colour: colours.threshold, width: 2, label: `chr3 tiles with GC >= 0.45, mean ${numbers.mean_gc_gc_rich_test}` },
        ],
      }],
    }),
    numbers,
  };
}

export const figures = {
  'pitfall-overlapping-tiles': overlappingTiles,
  'pitfall-peak-share': peakShareBySplit,
  'pitfall-tile-gc': tileGc,
};
