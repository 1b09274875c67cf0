// Figures of chapter 8 (Testing): drawn at build time from the formula they illustrate
// (a finite-difference gradient check in float32 and float64) or from the shipped RNA-seq
// bigWig read through the native CLI (a window read one base too far). Each maker returns
// { width, height, body, numbers }; tests/e2e/chapter8.test.mjs checks the text quotes them.
import { colours, plotSvg } from '../svg-plot.mjs';

const round = (v, digits = 3) => Number(v.toFixed(digits));
const f32 = Math.fround;
const sigmoid = (x) => 1 / (1 + Math.exp(-x));

// SiLU as a float32 layer computes it (each operation rounded to float32), and in double.
const siluFloat = (x) => f32(f32(x) * f32(sigmoid(f32(x))));
const silu = (x) => x * sigmoid(x);

// The error of the central difference (f(x + h) - f(x - h)) / 2h against SiLU's exact
// derivative at one point, for steps h from 1e-7 to 1: in double it falls as h^2 until
// rounding takes over near 1e-5; in float32, as the core's layers compute, rounding takes
// over far earlier, which is why the gradient check steps by 1e-3 and allows a tolerance.
// The wrong backward's error (sigmoid(x) for the whole derivative) is a line far above.
function finiteDifferenceError(_settings, _data, id) {
  const x0 = 1.3;
  const s = sigmoid(x0);
  const exact = s * (1 + x0 * (1 - s));
  const logSteps = [];
  for (let e = -7; e <= 0.0001; e += 0.1) logSteps.push(round(e, 1));
  const errorOf = (f, perturb) => logSteps.map((e) => {
    const h = 10 ** e;
    const numeric = (f(perturb(x0 + h)) - f(perturb(x0 - h))) / (2 * h);
    return Math.log10(Math.max(Math.abs(numeric - exact), 1e-16));
  });
  const inFloat = errorOf(siluFloat, f32);
  const inDouble = errorOf(silu, (v) => v);
  const wrongGap = Math.abs(s - exact);
  const best = inFloat.reduce((b, v, i) => (v < inFloat[b] ? i : b), 0);
  const at = (e) => inFloat[logSteps.indexOf(e)];
  const numbers = {
    x: x0,
    exact_derivative: round(exact, 4),
    wrong_derivative: round(s, 4),
    float32_error_at_step_1e3: Number((10 ** at(-3)).toPrecision(2)),
    float32_best_step_log10: logSteps[best],
    wrong_backward_error: round(wrongGap, 3),
  };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 300,
        x: { min: -7, max: 0, label: 'log10 of the step h', ticks: [-7, -6, -5, -4, -3, -2, -1, 0] },
        y: { min: -12, max: 0, label: 'log10 |central difference - exact derivative|', ticks: [-12, -10, -8, -6, -4, -2, 0] },
        series: [
          { kind: 'hline', y: Math.log10(wrongGap), colour: colours.peak, dash: '6 4', label: `a wrong backward (sigmoid alone): ${numbers.wrong_backward_error}` },
          { kind: 'line', x: logSteps, y: inDouble, colour: colours.other, label: 'evaluated in float64' },
          { kind: 'line', x: logSteps, y: inFloat, colour: colours.signal, label: 'evaluated in float32, as the layers compute' },
          { kind: 'vline', x: -3, colour: colours.threshold, label: 'the check\'s step, 1e-3' },
        ],
      }],
    }),
    numbers,
  };
}

// A window reader one base off: the mean of each 100 bp window of the real RNA-seq
// coverage read at [start, end) and at [start + 1, end + 1). Most windows barely move, so
// no plot of the inputs would show the bug; a golden comparison sees every window that moves.
function offByOneWindows(_settings, data, id) {
  const region = { chrom: 'chr2R', start: 7000000, end: 7200000 };
  const width = 100;
  const bases = data.bigwigBins('dm3-chr2R-rnaseq.bw', `${region.chrom}:${region.start}-${region.end + 1}`, 1).map((b) => b.value);
  const meanOf = (from) => {
    let total = 0; let n = 0;
    for (let i = from; i < from + width; i += 1) if (Number.isFinite(bases[i])) { total += bases[i]; n += 1; }
    return n ? total / n : NaN;
  };
  const right = []; const shifted = []; let changed = 0; let largest = 0;
  for (let start = 0; start + width <= region.end - region.start; start += width) {
    const a = meanOf(start); const b = meanOf(start + 1);
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    right.push(Math.log1p(a)); shifted.push(Math.log1p(b));
    const relative = Math.abs(b - a) / Math.max(a, 1e-9);
    if (relative > 1e-9) changed += 1;
    largest = Math.max(largest, relative);
  }
  const within = right.filter((a, i) => Math.abs(shifted[i] - a) / Math.max(a, 1e-9) <= 0.01).length;
  const numbers = {
    windows_with_data: right.length,
    windows_changed: changed,
    windows_within_1_percent: within,
    largest_change_percent: round(100 * largest, 1),
  };
  const top = Math.ceil(Math.max(...right, ...shifted));
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 300,
        x: { min: 0, max: top, label: 'log(1 + mean coverage), window read right: [start, end)' },
        y: { min: 0, max: top, label: 'read one base off: [start + 1, end + 1)' },
        series: [
          { kind: 'line', x: [0, top], y: [0, top], colour: colours.other, dash: '4 4', label: 'no change' },
          { kind: 'points', x: right, y: shifted, colour: colours.signal, radius: 2.5, label: `${right.length} windows of 100 bp with data, chr2R:7,000,000-7,200,000` },
        ],
      }],
    }),
    numbers,
  };
}

// The same one-base shift as the targets of models with finer output bins (chapter 3):
// for each bin width, the share of bins with coverage whose log(1 + mean) moves by more
// than 1 % when read one base off. At 100 bp the shift hides in the averaging; at 1 bp, where a
// base-resolution model is trained and scored, a bin changes wherever coverage changes.
function offByOneByBin(_settings, data, id) {
  const region = { chrom: 'chr2R', start: 7000000, end: 7200000 };
  const bases = data.bigwigBins('dm3-chr2R-rnaseq.bw', `${region.chrom}:${region.start}-${region.end + 1}`, 1).map((b) => b.value);
  const widths = [1, 2, 4, 8, 16, 32, 64, 128];
  const shares = widths.map((width) => {
    let moved = 0; let counted = 0;
    for (let start = 0; start + width <= region.end - region.start; start += width) {
      let a = 0; let b = 0; let n = 0;
      for (let i = start; i < start + width; i += 1) {
        if (!Number.isFinite(bases[i]) || !Number.isFinite(bases[i + 1])) { n = -1; break; }
        a += bases[i]; b += bases[i + 1]; n += 1;
      }
      if (n <= 0 || a <= 0) continue;
      counted += 1;
      // As the 100 bp figure measures it: the change of log(1 + mean), relative.
      const [la, lb] = [Math.log1p(a / n), Math.log1p(b / n)];
      if (Math.abs(lb - la) / la > 0.01) moved += 1;
    }
    return counted ? moved / counted : NaN;
  });
  const numbers = {
    share_moved_1bp: round(shares[0]),
    share_moved_8bp: round(shares[3]),
    share_moved_128bp: round(shares[7]),
  };
  const x = widths.map((w) => Math.log2(w));
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 260,
        x: { min: 0, max: 7, label: 'bin width, log2 of bases (0: 1 bp, 3: 8 bp, 7: 128 bp)' },
        y: { min: 0, max: 1, label: 'share of bins moved by more than 1 %' },
        series: [
          { kind: 'line', x, y: shares, colour: colours.signal, label: 'bins with coverage, chr2R:7,000,000-7,200,000, read one base off' },
          { kind: 'points', x, y: shares, colour: colours.signal, radius: 3 },
        ],
      }],
    }),
    numbers,
  };
}

export const figures = {
  'finite-difference-error': finiteDifferenceError, 'off-by-one-windows': offByOneWindows, 'off-by-one-by-bin': offByOneByBin,
};
