// Figures of chapter 3 (Base-pair averaging), drawn at build time from the simulated
// per-base replicates and their expected counts (assets/output-bins/sim/), through the
// native CLI (`epibook bw values --bin`, `epibook bw correlate`). Each maker returns
// { width, height, body, numbers }; the page quotes `numbers`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { colours, plotSvg } from '../svg-plot.mjs';

const SIM = 'output-bins/sim';
const BINS = [1, 2, 4, 8, 16, 32, 64, 128];
const round = (v, digits = 3) => Number(v.toFixed(digits));

// Per-base values of a bigWig over regions of one length (a region string or a BED of
// them), through `epibook bw values --format npy`: a Float32Array, regions end to end.
function perBaseValues(data, track, regions) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-figure-'));
  const file = path.join(dir, 'values.npy');
  try {
    data.cli(['bw', 'values', data.assetPath(track), regions, '--format', 'npy', '-o', file]);
    const bytes = fs.readFileSync(file);
    const headerLength = bytes.readUInt16LE(8);
    const body = bytes.subarray(10 + headerLength);
    return new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The first chromosome of the simulation, whole: "chr1:0-800000".
function chromosomeRegion(data) {
  const first = data.readAsset('first-model/sim/genome.fa.fai').split('\n')[0].split('\t');
  return { chrom: first[0], length: Number(first[1]), text: `${first[0]}:0-${first[1]}` };
}

// The planted peak with the highest signal value on that chromosome, and its summit.
function strongestPeak(data, chrom) {
  let best = null;
  for (const line of data.readAsset(`${SIM}/celltypeA.narrowPeak`).split('\n')) {
    const f = line.split('\t');
    if (f[0] !== chrom) continue;
    const peak = { start: Number(f[1]), summit: Number(f[1]) + Number(f[9]), value: Number(f[6]) };
    if (!best || peak.value > best.value) best = peak;
  }
  if (!best) throw new Error(`${SIM}/celltypeA.narrowPeak has no peak on ${chrom}`);
  return best;
}

// `epibook bw correlate` as rows { bin, bins, pearson, shape_kept }.
function correlate(data, first, second, region) {
  const lines = data.cli(['bw', 'correlate', data.assetPath(first), data.assetPath(second), region]).trim().split('\n').slice(1);
  return lines.map((line) => {
    const [bin, bins, pearson, shape] = line.split('\t').map(Number);
    return { bin, bins, pearson, shape_kept: shape };
  });
}

// One strong peak of replicate 1 at four output bins, the truth over it.
function peakAtFourBins(_settings, data, id) {
  const { chrom } = chromosomeRegion(data);
  const peak = strongestPeak(data, chrom);
  const from = Math.floor((peak.summit - 256) / 128) * 128;
  const to = from + 640;
  const region = `${chrom}:${from}-${to}`;
  const truth = data.bigwigBins(`${SIM}/celltypeA.expected.bw`, region, 1);
  const numbers = { summit: peak.summit };
  const shown = [1, 8, 32, 128];
  let top = 0;
  const binned = shown.map((bin) => {
    const values = data.bigwigBins(`${SIM}/celltypeA.rep1.bw`, region, bin);
    top = Math.max(top, ...values.map((v) => v.value));
    return { bin, values };
  });
  const panels = binned.map(({ bin, values }, index) => {
    const highest = Math.max(...values.map((v) => v.value));
    numbers[`highest_${bin}bp`] = round(highest, 2);
    const x = [];
    const y = [];
    for (const v of values) { x.push(v.start, v.end); y.push(v.value, v.value); }
    return {
      height: 110,
      title: `replicate 1 in ${bin} bp bins (highest bin ${round(highest, 2)})`,
      x: { min: from, max: to, label: index === shown.length - 1 ? `${chrom} position (bp)` : '' },
      y: { min: 0, max: top * 1.05, label: 'reads per base' },
      series: [
        { kind: 'area', x, y, colour: colours.signal, opacity: 0.55 },
        { kind: 'line', x: truth.map((v) => v.start), y: truth.map((v) => v.value), colour: colours.peak, width: 1.4, label: index === 0 ? 'truth: expected reads per base' : undefined },
      ],
    };
  });
  numbers.truth_summit = round(Math.max(...truth.map((v) => v.value)), 2);
  return { ...plotSvg({ id, panels }), numbers };
}

// Pearson's r by bin over a whole chromosome: replicate against replicate, truth against
// a replicate, the truth's shape kept; with the formula var(S_b) / (var(S_b) + N / b).
function correlationByBin(_settings, data, id) {
  const region = chromosomeRegion(data);
  const replicates = correlate(data, `${SIM}/celltypeA.rep1.bw`, `${SIM}/celltypeA.rep2.bw`, region.text);
  const truth = correlate(data, `${SIM}/celltypeA.expected.bw`, `${SIM}/celltypeA.rep1.bw`, region.text);
  // The formula's two parts from the truth itself: the variance of its b-bp means (the
  // signal) and the mean per-base noise variance of a negative binomial with dispersion
  // 10 (the simulator's), mu + mu^2 / 10, which averaging b bases divides by b.
  const perBase = perBaseValues(data, `${SIM}/celltypeA.expected.bw`, region.text);
  const noise = perBase.reduce((s, mu) => s + mu + (mu * mu) / 10, 0) / perBase.length;
  const predicted = BINS.map((bin) => {
    const means = [];
    for (let i = 0; i + bin <= perBase.length; i += bin) {
      let sum = 0;
      for (let k = 0; k < bin; k += 1) sum += perBase[i + k];
      means.push(sum / bin);
    }
    const mean = means.reduce((a, b) => a + b, 0) / means.length;
    const signal = means.reduce((s, v) => s + (v - mean) ** 2, 0) / means.length;
    return signal / (signal + noise / bin);
  });
  const x = BINS.map((b) => Math.log2(b));
  const numbers = {
    replicates_1bp: round(replicates[0].pearson, 2), replicates_128bp: round(replicates[7].pearson, 2),
    truth_1bp: round(truth[0].pearson, 2), truth_128bp: round(truth[7].pearson, 2),
    shape_kept_32bp: round(truth[5].shape_kept, 2), shape_kept_128bp: round(truth[7].shape_kept, 2),
    formula_1bp: round(predicted[0], 2), formula_128bp: round(predicted[7], 2),
  };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 300,
        x: { min: -0.3, max: 7.3, label: 'output bin (bp)', ticks: x, format: (v) => String(2 ** v) },
        y: { min: 0, max: 1.02, label: "Pearson's r" },
        series: [
          { kind: 'line', x, y: replicates.map((r) => r.pearson), colour: colours.signal, label: 'replicate 1 vs replicate 2' },
          { kind: 'points', x, y: replicates.map((r) => r.pearson), colour: colours.signal, radius: 3 },
          { kind: 'line', x, y: predicted, colour: colours.signal, dash: '4 3', label: 'formula: var(S_b) / (var(S_b) + N / b)' },
          { kind: 'line', x, y: truth.map((r) => r.pearson), colour: colours.peak, label: 'truth vs replicate 1' },
          { kind: 'points', x, y: truth.map((r) => r.pearson), colour: colours.peak, radius: 3 },
          { kind: 'line', x, y: truth.map((r) => r.shape_kept), colour: colours.local, label: "truth's shape kept by its bin means" },
          { kind: 'points', x, y: truth.map((r) => r.shape_kept), colour: colours.local, radius: 3 },
        ],
      }],
    }),
    numbers,
  };
}


function pearson(x, y) {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i += 1) { mx += x[i]; my += y[i]; }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

// The ceiling of the training lab at each bin: over the validation windows of
// output-bins/windows.bed, the expected counts' bin means against replicate 1's.
function ceilingByBin(_settings, data, id) {
  const windowsFile = 'output-bins/windows.bed';
  const windows = data.readAsset(windowsFile).trim().split('\n').map((line) => line.split('\t'));
  const length = Number(windows[0][2]) - Number(windows[0][1]);
  const perBase = (track) => perBaseValues(data, track, data.assetPath(windowsFile));
  const replicate = perBase(`${SIM}/celltypeA.rep1.bw`);
  const truth = perBase(`${SIM}/celltypeA.expected.bw`);
  const validation = windows.map((w, i) => (w[3] === 'validation' ? i : -1)).filter((i) => i >= 0);
  const ceilings = BINS.map((bin) => {
    const t = [];
    const y = [];
    for (const w of validation) {
      for (let j = 0; j < length; j += bin) {
        let st = 0;
        let sy = 0;
        for (let k = 0; k < bin; k += 1) { st += truth[w * length + j + k]; sy += replicate[w * length + j + k]; }
        t.push(st / bin);
        y.push(sy / bin);
      }
    }
    return pearson(t, y);
  });
  const x = BINS.map((b) => Math.log2(b));
  const numbers = { windows: validation.length, ceiling_1bp: round(ceilings[0]), ceiling_8bp: round(ceilings[3]), ceiling_32bp: round(ceilings[5]), ceiling_128bp: round(ceilings[7]) };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 240,
        x: { min: -0.3, max: 7.3, label: 'output bin (bp)', ticks: x, format: (v) => String(2 ** v) },
        y: { min: 0, max: 1.02, label: "ceiling: Pearson's r" },
        series: [
          { kind: 'line', x, y: ceilings, colour: colours.peak, label: `truth vs replicate 1, ${validation.length} validation windows of ${length} bp` },
          { kind: 'points', x, y: ceilings, colour: colours.peak, radius: 3.5 },
        ],
      }],
    }),
    numbers,
  };
}

export const figures = {
  'peak-at-four-bins': peakAtFourBins,
  'correlation-by-bin': correlationByBin,
  'ceiling-by-bin': ceilingByBin,
};
