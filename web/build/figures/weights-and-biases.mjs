// Figures of chapter 11 (Weights & Biases: tracking experiments), drawn at build time
// from real runs of the pages' own configs: `epibook train` trains sweep.toml (page 02)
// at each learning rate of Lab 1's sweep and compare.toml (page 03) at two batch sizes,
// and the figures read the run directories' metrics.jsonl, the file the run dashboard
// and `epibook runs` read. Each maker returns { width, height, body, numbers }; the page
// quotes `numbers`, and the e2e suite checks the labs against them.
import { fileURLToPath } from 'node:url';

import { colours, niceTicks, plotSvg } from '../svg-plot.mjs';
import { trainPageRun } from './page-runs.mjs';

const CHAPTER = fileURLToPath(new URL('../../../tutorials/11-weights-and-biases/', import.meta.url));
// Lab 1's grid (the lr-sweep lab's default rates).
export const SWEEP_RATES = [0.001, 0.003, 0.01, 0.03];
export const BATCH_SIZES = [32, 128];
const PALETTE = [colours.signal, colours.validation, colours.test, colours.peak, colours.local, colours.other];
const round = (v, digits = 3) => Number(v.toFixed(digits));
const rateKey = (rate) => String(rate).replace('.', '_');

function sweepRun(data, rate) {
  return trainPageRun(data, CHAPTER, '02-sweeps.md', 'sweep.toml', ['--learning-rate', String(rate)]).metrics;
}

function batchRun(data, batch) {
  return trainPageRun(data, CHAPTER, '03-comparing-runs.md', 'compare.toml', ['--batch-size', String(batch)]).metrics;
}

// The epoch (1-based) of the lowest validation loss.
function bestEpoch(lines) {
  let best = 0;
  lines.forEach((l, i) => { if (l.validation_loss < lines[best].validation_loss) best = i; });
  return best + 1;
}

function range(values, step) {
  return { min: Math.floor(Math.min(...values) / step) * step, max: Math.ceil(Math.max(...values) / step) * step };
}

// Index page: one run as a tracker records it, epoch by epoch: the two losses, and the AUROC.
function trackedRun(_settings, data, id) {
  const lines = sweepRun(data, 0.003);
  const epochs = lines.map((l) => l.epoch + 1);
  const losses = [...lines.map((l) => l.train_loss), ...lines.map((l) => l.validation_loss)];
  const auroc = lines.map((l) => l.validation.auroc);
  const x = { min: 1, max: epochs.length, label: 'epoch', ticks: epochs };
  const plot = plotSvg({
    id,
    panels: [{
      height: 170, x, y: { ...range(losses, 0.05), label: 'loss (BCE)' },
      series: [
        { kind: 'line', x: epochs, y: lines.map((l) => l.train_loss), colour: colours.train, label: 'training loss (mean of the epoch\'s steps)' },
        { kind: 'line', x: epochs, y: lines.map((l) => l.validation_loss), colour: colours.validation, label: 'validation loss' },
      ],
    }, {
      height: 150, x, y: { ...range(auroc, 0.05), label: 'validation AUROC' },
      series: [{ kind: 'line', x: epochs, y: auroc, colour: colours.test, label: 'validation AUROC' }],
    }],
  });
  const best = bestEpoch(lines);
  return {
    ...plot,
    numbers: {
      epochs: lines.length,
      steps: lines.at(-1).steps,
      first_train_loss: round(lines[0].train_loss),
      last_train_loss: round(lines.at(-1).train_loss),
      best_epoch: best,
      best_validation_loss: round(lines[best - 1].validation_loss),
      last_auroc: round(auroc.at(-1)),
    },
  };
}

// Page 02: validation loss per epoch at each learning rate of the sweep.
function sweepCurves(_settings, data, id) {
  const runs = SWEEP_RATES.map((rate) => ({ rate, lines: sweepRun(data, rate) }));
  const epochs = runs[0].lines.map((l) => l.epoch + 1);
  const all = runs.flatMap((r) => r.lines.map((l) => l.validation_loss));
  const plot = plotSvg({
    id,
    panels: [{
      height: 250,
      x: { min: 1, max: epochs.length, label: 'epoch', ticks: epochs },
      y: { ...range(all, 0.05), label: 'validation loss (BCE)' },
      series: runs.map((r, i) => ({
        kind: 'line', x: epochs, y: r.lines.map((l) => l.validation_loss), colour: PALETTE[i % PALETTE.length], label: `learning rate ${r.rate}`,
      })),
    }],
  });
  const last = runs.map((r) => r.lines.at(-1).validation.auroc);
  const numbers = { epochs: epochs.length };
  runs.forEach((r, i) => {
    numbers[`auroc_${rateKey(r.rate)}`] = round(last[i]);
    numbers[`best_loss_${rateKey(r.rate)}`] = round(Math.min(...r.lines.map((l) => l.validation_loss)));
  });
  numbers.best_rate = runs[last.indexOf(Math.max(...last))].rate;
  return { ...plot, numbers };
}

// Page 03: runs A (batch 32) and B (batch 128) by epoch and by optimiser step.
function batchCompare(_settings, data, id) {
  const runs = BATCH_SIZES.map((batch) => ({ batch, lines: batchRun(data, batch) }));
  const auroc = runs.flatMap((r) => r.lines.map((l) => l.validation.auroc));
  const y = { ...range(auroc, 0.05), label: 'validation AUROC' };
  const maxSteps = Math.max(...runs.map((r) => r.lines.at(-1).steps));
  const series = (along) => runs.map((r, i) => ({
    kind: 'line', x: r.lines.map(along), y: r.lines.map((l) => l.validation.auroc), colour: PALETTE[i], label: `batch ${r.batch}`,
  }));
  const epochs = runs[0].lines.map((l) => l.epoch + 1);
  const plot = plotSvg({
    id,
    panels: [
      { height: 170, title: 'by epoch', x: { min: 1, max: epochs.length, label: 'epoch', ticks: epochs }, y, series: series((l) => l.epoch + 1) },
      { height: 170, title: 'by optimiser step', x: { min: 0, max: maxSteps, label: 'steps', ticks: niceTicks(0, maxSteps, 5) }, y, series: series((l) => l.steps) },
    ],
  });
  const [a, b] = runs.map((r) => r.lines.at(-1));
  // Each run's AUROC after a number of optimiser steps both made (A's first epoch, B's fourth).
  const atStep = (r, steps) => round(r.lines.find((l) => l.steps === steps).validation.auroc);
  const early = runs[0].lines[0].steps;
  return {
    ...plot,
    numbers: {
      a_steps: a.steps,
      b_steps: b.steps,
      a_auroc: round(a.validation.auroc),
      b_auroc: round(b.validation.auroc),
      a_auroc_first_epoch: atStep(runs[0], early),
      b_auroc_same_steps: atStep(runs[1], early),
      a_auroc_second_epoch: atStep(runs[0], runs[0].lines[1].steps),
    },
  };
}

export const figures = {
  'tracked-run': trackedRun,
  'lr-sweep-curves': sweepCurves,
  'batch-compare': batchCompare,
};
