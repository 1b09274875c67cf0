// Figures of chapter 2 (Loss functions and peak metrics), drawn at build time from the
// losses lab's shipped data (two simulated replicates, the peak-bin track, the windows)
// or from the formula they illustrate. Each maker returns { width, height, body, numbers };
// `numbers` are what the text quotes (tests/e2e/losses.test.mjs checks it does).
import { colours, plotSvg } from '../svg-plot.mjs';

const round = (v, digits = 3) => Number(v.toFixed(digits));
const BIN = 25;
const BINS = 16;  // 400 bp windows

// The lab's windows (chrom, start, end, split, label) with each replicate's 16 bin
// counts and the peak-bin labels, read through `epibook bw values --bin 25`.
function lossWindows(data) {
  const sizes = data.readAsset('first-model/sim/genome.fa.fai').trim().split('\n').map((l) => l.split('\t'));
  const trackBins = (file) => {
    const byChrom = new Map();
    for (const [chrom, length] of sizes) {
      byChrom.set(chrom, data.bigwigBins(file, `${chrom}:0-${length}`, BIN).map((b) => b.value));
    }
    return byChrom;
  };
  const one = trackBins('losses/sim/celltypeA.rep1.bw');
  const two = trackBins('losses/sim/celltypeA.rep2.bw');
  const labels = trackBins('losses/peak-bins.bw');
  return data.readAsset('losses/windows.bed').trim().split('\n').map((line) => {
    const [chrom, start, end, split, label] = line.split('\t');
    const first = Number(start) / BIN;
    if (!Number.isInteger(first) || Number(end) - Number(start) !== BIN * BINS) throw new Error(`losses/windows.bed: ${line} is not 16 whole bins`);
    const slice = (track) => track.get(chrom).slice(first, first + BINS);
    return { split, peak: label === '1', one: slice(one), two: slice(two), labels: slice(labels) };
  });
}

const sum = (v) => v.reduce((a, b) => a + b, 0);
const mean = (v) => sum(v) / v.length;
function pearson(a, b) {
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0; let aa = 0; let bb = 0;
  for (let i = 0; i < a.length; i += 1) { ab += (a[i] - ma) * (b[i] - mb); aa += (a[i] - ma) ** 2; bb += (b[i] - mb) ** 2; }
  return ab / Math.sqrt(aa * bb);
}

// How the spread of a count grows with its mean: the two replicates measure it (half
// the mean squared difference of a bin's two counts is its variance), against what MSE,
// Poisson and the simulator's negative binomial (phi = 10) assume.
function countNoise(_settings, data, id) {
  const windows = lossWindows(data);
  const phi = 10;
  const groups = new Map();  // bins grouped by the mean of their two counts, 5 counts wide
  for (const w of windows) {
    for (let i = 0; i < BINS; i += 1) {
      const m = (w.one[i] + w.two[i]) / 2;
      const key = Math.floor(m / 5);
      const g = groups.get(key) ?? { n: 0, mean: 0, sq: 0 };
      g.n += 1; g.mean += m; g.sq += (w.one[i] - w.two[i]) ** 2 / 2;
      groups.set(key, g);
    }
  }
  const measured = [...groups.values()].filter((g) => g.n >= 30).map((g) => ({ mean: g.mean / g.n, sd: Math.sqrt(g.sq / g.n), n: g.n }))
    .sort((a, b) => a.mean - b.mean);
  const top = 80;
  const x = [];
  for (let m = 0; m <= top + 1e-9; m += 0.5) x.push(m);
  const nb = (m) => Math.sqrt(m + (m * m) / phi);
  const allBins = windows.flatMap((w) => w.one);
  const pooled = Math.sqrt(mean(allBins.map((k) => (k - mean(allBins)) ** 2)));
  const numbers = {
    phi,
    sd_at_2: round(nb(2), 1),
    sd_at_60: round(nb(60), 0),
    measured_groups: measured.length,
    measured_sd_near_60: round(measured.reduce((best, g) => (Math.abs(g.mean - 60) < Math.abs(best.mean - 60) ? g : best)).sd, 0),
  };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 290,
        x: { min: 0, max: top, label: 'expected count in a 25 bp bin (measured: mean of the two replicates)' },
        y: { min: 0, max: 30, label: 'standard deviation of the count' },
        series: [
          { kind: 'hline', y: pooled, colour: colours.other, dash: '6 4', label: `MSE: the same everywhere (here ${round(pooled, 1)})` },
          { kind: 'line', x, y: x.map(Math.sqrt), colour: colours.signal, label: 'Poisson: √μ' },
          { kind: 'line', x, y: x.map(nb), colour: colours.peak, label: 'negative binomial: √(μ + μ²/10)' },
          { kind: 'points', x: measured.map((g) => g.mean), y: measured.map((g) => g.sd), colour: colours.validation, radius: 3.5, label: 'measured between the replicates' },
        ],
      }],
    }),
    numbers,
  };
}

// pos_weight w moves the probability a converged model gives from p to wp / (wp + 1 - p):
// a monotone map, so rankings (AUROC) keep, while a threshold of 1/2 now falls where
// the unweighted model said 1 / (1 + w). The training share of peak bins sets w.
function posWeightShift(_settings, data, id) {
  const windows = lossWindows(data);
  const trainLabels = windows.filter((w) => w.split === 'train').flatMap((w) => w.labels);
  const share = mean(trainLabels);
  const w = round((1 - share) / share, 1);
  const shift = (p) => (w * p) / (w * p + 1 - p);
  const x = [];
  for (let p = 0; p <= 1.0001; p += 0.01) x.push(Math.min(p, 1));
  const numbers = {
    train_peak_bin_percent: round(100 * share, 1),
    pos_weight: w,
    share_moves_to: round(shift(share), 2),
    half_means: round(1 / (1 + w), 3),
  };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 300,
        x: { min: 0, max: 1, label: 'probability the model gives without pos_weight', ticks: [0, 0.25, 0.5, 0.75, 1] },
        y: { min: 0, max: 1, label: `with pos_weight ${w}`, ticks: [0, 0.25, 0.5, 0.75, 1] },
        series: [
          { kind: 'line', x, y: x, colour: colours.other, dash: '4 4', label: 'pos_weight 1' },
          { kind: 'line', x, y: x.map(shift), colour: colours.peak, label: `pos_weight ${w}` },
          { kind: 'hline', y: 0.5, colour: colours.threshold, label: 'threshold 1/2' },
          { kind: 'points', x: [share], y: [shift(share)], colour: colours.signal, labels: [`share of peak bins ${numbers.train_peak_bin_percent}% → ${numbers.share_moves_to}`] },
          { kind: 'points', x: [numbers.half_means], y: [0.5], colour: colours.threshold, labels: [] },
        ],
      }],
    }),
    numbers,
  };
}

// Replicate 2 against replicate 1: log(1 + window total) of each validation window,
// peaks and background apart; the ceiling's Pearson correlation, recomputed here.
function replicateTotals(_settings, data, id) {
  const windows = lossWindows(data);
  const validation = windows.filter((w) => w.split === 'validation');
  const log1 = validation.map((w) => Math.log1p(sum(w.one)));
  const log2 = validation.map((w) => Math.log1p(sum(w.two)));
  const train = windows.filter((w) => w.split === 'train');
  const trainTotals = (peak) => train.filter((w) => peak === undefined || w.peak === peak).map((w) => sum(w.one));
  const numbers = {
    pearson: round(pearson(log2, log1)),
    validation_windows: validation.length,
    validation_peaks: validation.filter((w) => w.peak).length,
    train_mean_total: round(mean(trainTotals()), 1),
    train_background_total: round(mean(trainTotals(false)), 0),
    train_peak_total: round(mean(trainTotals(true)), 0),
  };
  const pick = (peak, values) => values.filter((_, i) => validation[i].peak === peak);
  const top = Math.ceil(Math.max(...log1, ...log2));
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 320,
        x: { min: 2, max: top, label: 'replicate 1: log(1 + window total)' },
        y: { min: 2, max: top, label: 'replicate 2: log(1 + total)' },
        series: [
          { kind: 'line', x: [2, top], y: [2, top], colour: colours.other, dash: '4 4' },
          { kind: 'points', x: pick(false, log1), y: pick(false, log2), colour: colours.control, radius: 2.5, label: `background windows (${numbers.validation_windows - numbers.validation_peaks})` },
          { kind: 'points', x: pick(true, log1), y: pick(true, log2), colour: colours.peak, radius: 3, label: `peak windows (${numbers.validation_peaks})` },
        ],
      }],
    }),
    numbers,
  };
}

// Precision at a threshold that passes a share t of the peaks and f of the background,
// as the share of peaks pi falls: P = pi t / (pi t + (1 - pi) f). A log axis for pi.
function precisionAndShare(settings, _data, id) {
  const t = Number(settings.t ?? 0.8);
  const f = Number(settings.f ?? 0.1);
  const shares = String(settings.shares ?? '0.124,0.066,0.034,0.017').split(',').map(Number);
  const precision = (pi) => (pi * t) / (pi * t + (1 - pi) * f);
  const x = [];
  for (let e = -3; e <= Math.log10(0.5) + 1e-9; e += 0.02) x.push(e);
  const numbers = { t, f };
  shares.forEach((s) => { numbers[`precision_at_${s}`] = round(precision(s), 2); });
  numbers.precision_at_0_001 = round(precision(0.001), 3);
  const ticks = [-3, -2, -1, Math.log10(0.5)];
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 280,
        x: { min: -3, max: Math.log10(0.5), ticks, label: 'share of peaks among the windows scored (log scale)', format: (v) => `${Number((100 * 10 ** v).toPrecision(2))}%` },
        y: { min: 0, max: 1, label: 'precision', ticks: [0, 0.25, 0.5, 0.75, 1] },
        series: [
          { kind: 'line', x, y: x.map((e) => precision(10 ** e)), colour: colours.peak, label: `precision, ${100 * t}% of peaks and ${100 * f}% of background passing` },
          { kind: 'line', x, y: x.map((e) => 10 ** e), colour: colours.other, dash: '4 4', label: 'a random ranking (the share itself)' },
          { kind: 'points', x: shares.map(Math.log10), y: shares.map(precision), colour: colours.signal, labels: shares.map((s) => `${round(precision(s), 2)}`) },
        ],
      }],
    }),
    numbers,
  };
}

export const figures = {
  'count-noise': countNoise,
  'pos-weight-shift': posWeightShift,
  'replicate-totals': replicateTotals,
  'precision-and-share': precisionAndShare,
};
