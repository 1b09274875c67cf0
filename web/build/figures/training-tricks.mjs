// Figures of chapter 4 (Training tricks), drawn at build time: the windows the labs train
// and score on (counted from the shipped BED files), the four learning-rate schedules of
// the trainer (their closed forms, over the lab's run), the overfitting run of the
// early-stopping page and the augmentation page's runs over five seeds (trained by the
// native CLI, read from their metrics.jsonl), and one training window as stored,
// reverse-complemented and shifted (read from the shipped genome). Each maker returns { width, height, body, numbers }; the pages quote `numbers`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { colours, plotSvg } from '../svg-plot.mjs';

const ALL_WINDOWS = 'first-model/sim-windows.bed';
const SMALL_WINDOWS = 'training-tricks/small-windows.bed';
const GENOME = 'first-model/sim/genome.fa';
const BATCH = 32;
const EPOCHS = 10;
const RATE = 0.003;
const round = (v, digits = 4) => Number(v.toFixed(digits));

function windowsOf(data, file) {
  return data.readAsset(file).trim().split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const f = l.split('\t');
    return { chrom: f[0], start: Number(f[1]), end: Number(f[2]), split: f[3] };
  });
}

function countSplits(windows) {
  const counts = { train: 0, validation: 0, test: 0 };
  for (const w of windows) counts[w.split] += 1;
  return counts;
}

// Training, validation and test windows of the full and the small set.
function trainingWindows(_settings, data, id) {
  const all = countSplits(windowsOf(data, ALL_WINDOWS));
  const small = countSplits(windowsOf(data, SMALL_WINDOWS));
  if (all.validation !== small.validation || all.test !== small.test) {
    throw new Error(`${SMALL_WINDOWS} does not keep every held-out window of ${ALL_WINDOWS}`);
  }
  const splits = ['train', 'validation', 'test'];
  const bars = (counts, offset, colour, label) => ({
    kind: 'bars', x: splits.map((_, i) => i + offset), y: splits.map((s) => counts[s]), width: 0.38, colour, label,
  });
  const top = Math.max(...Object.values(all));
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 200,
        x: { min: -0.6, max: 2.6, ticks: [0, 1, 2], format: (v) => splits[v] ?? '' },
        y: { min: 0, max: top * 1.1, label: 'windows' },
        series: [bars(all, -0.2, colours.train, `full set (${ALL_WINDOWS})`), bars(small, 0.2, colours.validation, `small set (${SMALL_WINDOWS})`)],
      }],
    }),
    numbers: { all_train: all.train, small_train: small.train, validation: all.validation, test: all.test },
  };
}

// The trainer's schedules (core/src/nn/optim/schedule.cpp), over one run of the lab.
function rateAt(kind, t, total, { stepSize, gamma = 0.1, warmup }) {
  const cosine = (step, steps) => (RATE * (1 + Math.cos(Math.PI * Math.min(step, steps) / steps))) / 2;
  if (kind === 'constant') return RATE;
  if (kind === 'step') return RATE * gamma ** Math.floor(t / stepSize);
  if (kind === 'cosine') return cosine(t, total);
  return t < warmup ? (RATE * (t + 1)) / warmup : cosine(t - warmup, total - warmup);
}

function scheduleShapes(_settings, data, id) {
  const train = countSplits(windowsOf(data, ALL_WINDOWS)).train;
  const perEpoch = Math.ceil(train / BATCH);
  const total = perEpoch * EPOCHS;
  const half = Math.floor(total / 2);
  const options = { stepSize: half, warmup: perEpoch };
  const kinds = [
    ['constant', colours.other], ['step', colours.threshold], ['cosine', colours.train], ['warmup_cosine', colours.validation],
  ];
  const steps = Array.from({ length: total }, (_, t) => t);
  const series = kinds.map(([kind, colour]) => ({
    kind: 'line', x: steps, y: steps.map((t) => rateAt(kind, t, total, options)), colour, label: kind.replace('_', ' then '), width: 2,
  }));
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 220,
        x: { min: 0, max: total, label: 'step' },
        y: { min: 0, max: RATE * 1.08, label: 'learning rate', format: (v) => String(round(v, 5)) },
        series,
      }],
    }),
    numbers: {
      steps: total, steps_per_epoch: perEpoch, half, rate: RATE,
      step_after_half: round(rateAt('step', half, total, options), 6),
      cosine_at_half: round(rateAt('cosine', half, total, options), 6),
    },
  };
}

// Steps in one epoch of the full set's training windows at each batch size.
function stepsPerEpoch(_settings, data, id) {
  const train = countSplits(windowsOf(data, ALL_WINDOWS)).train;
  const batches = [8, 16, 32, 64, 128, 256, 512, 1024];
  const steps = batches.map((b) => Math.ceil(train / b));
  const x = batches.map((b) => Math.log2(b));
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 200,
        x: { min: 2.5, max: 10.5, label: 'batch size (windows)', ticks: x, format: (v) => (2 ** v).toLocaleString('en-US') },
        y: { min: 0, max: steps[0] * 1.1, label: 'steps per epoch' },
        series: [{ kind: 'bars', x, y: steps, width: 0.6, colour: colours.train }],
      }],
    }),
    numbers: { all_train: train, steps_8: steps[0], steps_32: steps[2], steps_256: steps[5], steps_1024: steps[7] },
  };
}

// The first model on the small set, trained by `epibook train` (the pages' overfit.toml
// and augment.toml, with `flags` added); its metrics.jsonl, one record per epoch.
function trainSmallSet(data, rate, flags = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-figure-small-set-'));
  try {
    fs.writeFileSync(path.join(dir, 'small.toml'), [
      '[data]', `genome = "${GENOME}"`, `windows = "${SMALL_WINDOWS}"`, 'target = "label"',
      '[model]', 'conv_layers = 1', 'channels = 16', 'kernel_size = 15', 'pool = 0', 'head = "global_max_dense"',
      '[loss]', 'name = "bce"', '[schedule]', `learning_rate = ${rate}`, '[train]', 'batch_size = 32', 'epochs = 30', '',
    ].join('\n'));
    data.cli(['train', '--config', path.join(dir, 'small.toml'), '--data-root', data.assets, '-o', path.join(dir, 'run'), '--quiet', ...flags]);
    return fs.readFileSync(path.join(dir, 'run/metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The early-stopping page's run: the small set at a rate of 0.03 for 30 epochs (the
// page's overfit.toml), and the epoch patience 3 would stop at.
function overfitRun(_settings, data, id) {
  const epochs = trainSmallSet(data, 0.03);
  let best = 0;
  let waited = 0;
  let stop = null;
  epochs.forEach((e, i) => {
    if (e.validation_loss < epochs[best].validation_loss || i === 0) { best = i; waited = 0; } else { waited += 1; }
    if (stop === null && waited >= 3) stop = i;
  });
  const x = epochs.map((e) => e.epoch + 1);
  const top = Math.max(...epochs.map((e) => Math.max(e.train_loss, e.validation_loss)));
  const series = [
    { kind: 'line', x, y: epochs.map((e) => e.train_loss), colour: colours.train, label: 'training loss', width: 2 },
    { kind: 'line', x, y: epochs.map((e) => e.validation_loss), colour: colours.validation, label: 'validation loss', width: 2 },
    { kind: 'points', x: [best + 1], y: [epochs[best].validation_loss], colour: colours.validation, labels: [`best: epoch ${best + 1}`] },
  ];
  if (stop !== null) series.push({ kind: 'vline', x: stop + 1, colour: colours.peak });
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 220,
        x: { min: 0.5, max: epochs.length + 0.5, label: 'epoch' },
        y: { min: 0, max: top * 1.08, label: 'loss (BCE)' },
        series,
      }],
    }),
    numbers: {
      best_epoch: best + 1,
      best_validation_loss: round(epochs[best].validation_loss, 3),
      stop_epoch: stop === null ? null : stop + 1,
      last_validation_loss: round(epochs[epochs.length - 1].validation_loss, 3),
      last_train_loss: round(epochs[epochs.length - 1].train_loss, 3),
    },
  };
}

// The bases of chrom:start-end from the shipped FASTA, through its .fai.
function sequenceOf(data, { chrom, start, end }) {
  const index = data.readAsset(`${GENOME}.fai`).trim().split('\n').map((l) => l.split('\t'));
  const entry = index.find((f) => f[0] === chrom);
  if (!entry) throw new Error(`${GENOME}.fai has no ${chrom}`);
  const [offset, lineBases, lineBytes] = [Number(entry[2]), Number(entry[3]), Number(entry[4])];
  const fasta = data.readAsset(GENOME);
  let out = '';
  for (let p = start; p < end; p += 1) out += fasta[offset + Math.floor(p / lineBases) * lineBytes + (p % lineBases)];
  return out.toUpperCase();
}

const COMPLEMENT = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' };
const BASE_COLOURS = { A: colours.test, C: colours.train, G: colours.validation, T: colours.peak, N: colours.other };

function augmentationExample(_settings, data, id) {
  const window = windowsOf(data, SMALL_WINDOWS).find((w) => w.split === 'train');
  const bases = sequenceOf(data, window);
  const reversed = [...bases].reverse().map((b) => COMPLEMENT[b] ?? 'N').join('');
  const shift = (s) => 'N'.repeat(20) + s.slice(0, s.length - 20);
  const rows = [['as stored', bases], ['reverse complement', reversed], ['shifted +20 bp', shift(bases)], ['both', shift(reversed)]];
  const boxes = [];
  rows.forEach(([, s], row) => [...s].forEach((b, i) => boxes.push({ x0: i, x1: i + 1, row, colour: BASE_COLOURS[b] ?? colours.other })));
  const legend = Object.entries(BASE_COLOURS).map(([label, colour]) => ({ label, colour }));
  return {
    ...plotSvg({
      id,
      margin: { left: 130 },
      panels: [{
        height: 150,
        x: { min: 0, max: bases.length, label: 'position in the window (bp)' },
        series: [{ kind: 'boxes', rows: rows.map(([name]) => name), boxes }],
        legend,
      }],
    }),
    numbers: { chrom: window.chrom, start: window.start, end: window.end, length: bases.length },
  };
}

// The augmentation page's runs over five seeds: the small set at a rate of 0.01 for 30
// epochs (augment.toml), as it is, reverse-complemented, and shifted by up to 20 bp; the
// validation AUROC after the last epoch of each. One seed decides much on 159 windows
// (whether the filters find the motif at all), so the page reads the effect across seeds.
const AUGMENT_SEEDS = [1, 2, 3, 4, 5];
const AUGMENT_RUNS = [
  ['as stored', [], colours.other],
  ['reverse complement', ['--reverse-complement'], colours.train],
  ['shift up to 20 bp', ['--max-shift', '20'], colours.validation],
];

function augmentationSeeds(_settings, data, id) {
  const auroc = AUGMENT_RUNS.map(([, flags]) => AUGMENT_SEEDS.map((seed) => {
    const epochs = trainSmallSet(data, 0.01, ['--seed', String(seed), ...flags]);
    return epochs[epochs.length - 1].validation.auroc;
  }));
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const series = AUGMENT_RUNS.map(([label, , colour], k) => ({
    kind: 'bars', x: AUGMENT_SEEDS.map((seed) => seed + (k - 1) * 0.27), y: auroc[k], width: 0.25, colour, label,
  }));
  series.push({ kind: 'hline', y: 0.5, colour: colours.other });
  const [plain, reverse, shift] = auroc;
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 220,
        x: { min: 0.5, max: AUGMENT_SEEDS.length + 0.5, ticks: AUGMENT_SEEDS, label: 'seed', format: (v) => String(v) },
        y: { min: 0.4, max: 0.85, label: 'validation AUROC' },
        series,
      }],
    }),
    numbers: {
      seeds: AUGMENT_SEEDS.length,
      plain_mean: round(mean(plain), 3),
      reverse_complement_mean: round(mean(reverse), 3),
      shift_mean: round(mean(shift), 3),
      reverse_complement_better: reverse.filter((v, i) => v > plain[i]).length,
      plain_lowest: round(Math.min(...plain), 3),
      plain_highest: round(Math.max(...plain), 3),
    },
  };
}

export const figures = {
  'training-windows': trainingWindows,
  'schedule-shapes': scheduleShapes,
  'steps-per-epoch': stepsPerEpoch,
  'overfit-run': overfitRun,
  'augmentation-example': augmentationExample,
  'augmentation-seeds': augmentationSeeds,
};
