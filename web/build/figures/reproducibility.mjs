// Figures of chapter 7 (Reproducibility), drawn at build time from real training runs:
// the native CLI (`epibook train --seed S --threads T`) trains the first model's
// sim-motifs run (run A) and its variant (run B) once per seed, and Lab 2's run on one
// and two threads, and the figures read the run directories' metrics.jsonl. The configs
// are the pages' toml blocks (seeds-a.toml, seeds-b.toml, replay.toml), read from the
// chapter's Markdown so the figures and the pages cannot drift apart. Each
// maker returns { width, height, body, numbers }; the page quotes `numbers`.
import { fileURLToPath } from 'node:url';

import { colours, plotSvg } from '../svg-plot.mjs';
import { trainPageRun } from './page-runs.mjs';

const CHAPTER = fileURLToPath(new URL('../../../tutorials/07-reproducibility/', import.meta.url));
export const SEEDS = [1, 2, 3, 4, 5];
const round = (v, digits = 3) => Number(v.toFixed(digits));

export function meanAndSd(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd };
}

// One run of a page's config with a seed on a number of threads: metrics.jsonl's lines.
function trainRun(data, page, file, seed, threads = 1) {
  return trainPageRun(data, CHAPTER, page, file, ['--seed', String(seed), '--threads', String(threads)]).metrics;
}

// Lab 1's runs (page 02): the validation AUROC of every epoch, per seed.
function runsOf(data, file) {
  return SEEDS.map((seed) => ({ seed, auroc: trainRun(data, '02-seed-variance.md', file, seed).map((l) => l.validation.auroc) }));
}

// Validation AUROC per epoch of run A, one line per seed.
function seedCurves(_settings, data, id) {
  const runs = runsOf(data, 'seeds-a.toml');
  const epochs = runs[0].auroc.length;
  const last = runs.map((r) => r.auroc[epochs - 1]);
  const first = runs.map((r) => r.auroc[0]);
  const all = runs.flatMap((r) => r.auroc);
  const palette = [colours.signal, colours.validation, colours.test, colours.local, colours.peak];
  const plot = plotSvg({
    id,
    panels: [{
      height: 230,
      x: { min: 1, max: epochs, label: 'epoch', ticks: runs[0].auroc.map((_, i) => i + 1) },
      y: { min: Math.floor(Math.min(...all) * 20) / 20, max: Math.ceil(Math.max(...all) * 20) / 20, label: 'validation AUROC' },
      series: runs.map((r, i) => ({ kind: 'line', x: r.auroc.map((_, e) => e + 1), y: r.auroc, colour: palette[i % palette.length], label: `seed ${r.seed}` })),
    }],
  });
  return {
    ...plot,
    numbers: {
      seeds: runs.length,
      epochs,
      first_epoch_min: round(Math.min(...first)),
      first_epoch_max: round(Math.max(...first)),
      last_epoch_min: round(Math.min(...last)),
      last_epoch_max: round(Math.max(...last)),
      lowest_seed: runs[last.indexOf(Math.min(...last))].seed,
      lowest_seed_by_epoch: runs[last.indexOf(Math.min(...last))].auroc.map((v) => round(v)),
    },
  };
}

// A vertical bar from lo to hi with caps, as one broken line at x.
function errorBar(x, lo, hi, cap) {
  return { x: [x, x, NaN, x - cap, x + cap, NaN, x - cap, x + cap], y: [lo, hi, NaN, lo, lo, NaN, hi, hi] };
}

// Each seed's last AUROC for runs A and B, joined per seed, with mean ± sd beside each.
function seedErrorBars(_settings, data, id) {
  const a = runsOf(data, 'seeds-a.toml').map((r) => r.auroc.at(-1));
  const b = runsOf(data, 'seeds-b.toml').map((r) => r.auroc.at(-1));
  const sa = meanAndSd(a);
  const sb = meanAndSd(b);
  const paired = b.map((v, i) => v - a[i]);
  const sd = meanAndSd(paired);
  const xs = (column) => SEEDS.map((_, i) => column + 0.3 + (0.4 * i) / (SEEDS.length - 1));
  const all = [...a, ...b, sa.mean - sa.sd, sb.mean - sb.sd, sa.mean + sa.sd, sb.mean + sb.sd];
  const joins = { x: [], y: [] };
  a.forEach((v, i) => { joins.x.push(xs(0)[i], xs(1)[i], NaN); joins.y.push(v, b[i], NaN); });
  const barA = errorBar(0.15, sa.mean - sa.sd, sa.mean + sa.sd, 0.05);
  const barB = errorBar(1.15, sb.mean - sb.sd, sb.mean + sb.sd, 0.05);
  const plot = plotSvg({
    id,
    panels: [{
      height: 240,
      x: { min: 0, max: 2, label: 'run A (left) and run B (right), seeds 1 to 5 from left to right', ticks: [] },
      y: { min: Math.floor(Math.min(...all) * 50) / 50, max: Math.ceil(Math.max(...all) * 50) / 50, label: 'validation AUROC' },
      series: [
        { kind: 'line', ...joins, colour: colours.other, width: 1 },
        { kind: 'line', ...barA, colour: colours.signal, width: 2.4 },
        { kind: 'line', ...barB, colour: colours.validation, width: 2.4 },
        { kind: 'points', x: [0.15], y: [sa.mean], colour: colours.signal, radius: 5 },
        { kind: 'points', x: [1.15], y: [sb.mean], colour: colours.validation, radius: 5 },
        { kind: 'points', x: xs(0), y: a, colour: colours.signal, label: 'run A: one seed', radius: 3.5 },
        { kind: 'points', x: xs(1), y: b, colour: colours.validation, label: 'run B: one seed', radius: 3.5 },
      ],
    }],
  });
  return {
    ...plot,
    numbers: {
      a: a.map((v) => round(v)),
      b: b.map((v) => round(v)),
      a_mean: round(sa.mean),
      a_sd: round(sa.sd),
      b_mean: round(sb.mean),
      b_sd: round(sb.sd),
      difference_of_means: round(sb.mean - sa.mean),
      paired_sd: round(sd.sd),
      seed1_difference: round(paired[0]),
      b_better: paired.filter((d) => d > 0).length,
    },
  };
}

// Lab 2's run (page 03) with seed 1 on one thread and on two, and with seed 2: validation
// AUROC per epoch; the two seed-1 runs are one line, seed 2 another.
function threadsAndSeeds(_settings, data, id) {
  const page = '03-replaying-runs.md';
  const one = trainRun(data, page, 'replay.toml', 1, 1);
  const two = trainRun(data, page, 'replay.toml', 1, 2);
  const other = trainRun(data, page, 'replay.toml', 2, 1);
  const values = (run, pick) => run.map(pick);
  let largest = 0;
  one.forEach((line, i) => {
    for (const v of [line.train_loss - two[i].train_loss, line.validation_loss - two[i].validation_loss, line.validation.auroc - two[i].validation.auroc]) {
      largest = Math.max(largest, Math.abs(v));
    }
  });
  const epochs = one.map((l) => l.epoch);
  const auroc = (run) => values(run, (l) => l.validation.auroc);
  const all = [...auroc(one), ...auroc(other)];
  const plot = plotSvg({
    id,
    panels: [{
      height: 220,
      x: { min: 1, max: epochs.length, label: 'epoch', ticks: epochs },
      y: { min: Math.floor(Math.min(...all) * 20) / 20, max: Math.ceil(Math.max(...all) * 20) / 20, label: 'validation AUROC' },
      series: [
        { kind: 'line', x: epochs, y: auroc(one), colour: colours.signal, width: 4, label: 'seed 1, 1 thread' },
        { kind: 'line', x: epochs, y: auroc(two), colour: colours.validation, width: 1.6, dash: '6 4', label: 'seed 1, 2 threads' },
        { kind: 'line', x: epochs, y: auroc(other), colour: colours.test, label: 'seed 2, 1 thread' },
      ],
    }],
  });
  return {
    ...plot,
    numbers: {
      epochs: epochs.length,
      largest_difference_threads: largest,
      seed1_last_auroc: round(one.at(-1).validation.auroc),
      seed2_last_auroc: round(other.at(-1).validation.auroc),
    },
  };
}

export const figures = {
  'seed-curves': seedCurves,
  'seed-error-bars': seedErrorBars,
  'threads-and-seeds': threadsAndSeeds,
};
