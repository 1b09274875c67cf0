// Figures of chapter 6 (Sequencing-depth differences), drawn at build time: one simulated
// experiment at two depths (assets/depth/sim/, through the native CLI: `epibook bw info`
// for the library sizes, `epibook bw values --bin 25` for a stretch), raw and as counts
// per million; and the arcsinh of a count against the arcsinh of a quarter of it, from the
// formula. Each maker returns { width, height, body, numbers }; the page quotes `numbers`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { colours, plotSvg } from '../svg-plot.mjs';

const SIM = 'depth/sim';
const DEEP = `${SIM}/celltypeA.depth1x.bw`;
const SHALLOW = `${SIM}/celltypeA.depth0.25x.bw`;
const COUNT_BIN = 25;  // the simulator writes one count per 25 bp bin
const round = (v, digits = 3) => Number(v.toFixed(digits));

// Reads in the whole run: the bigWig's sum over bases divided by the bases per count.
function librarySize(data, track) {
  return JSON.parse(data.cli(['bw', 'info', data.assetPath(track)])).summary.sum / COUNT_BIN;
}

// The strongest planted peak (highest signal value in the narrowPeak) and 4 kb around it.
function strongestStretch(data) {
  let best = null;
  for (const line of data.readAsset(`${SIM}/celltypeA.narrowPeak`).trim().split('\n')) {
    const f = line.split('\t');
    const peak = { chrom: f[0], summit: Number(f[1]) + Number(f[9]), value: Number(f[6]) };
    if (!best || peak.value > best.value) best = peak;
  }
  const from = Math.max(0, Math.floor((best.summit - 2000) / COUNT_BIN) * COUNT_BIN);
  return { chrom: best.chrom, from, to: from + 4000, text: `${best.chrom}:${from}-${from + 4000}` };
}

function steps(values, scale) {
  const x = [];
  const y = [];
  for (const v of values) { x.push(v.start, v.end); y.push(v.value * scale, v.value * scale); }
  return { x, y };
}

// The two depths over one stretch: raw counts per bin, then each as counts per million.
function depthStretch(_settings, data, id) {
  const stretch = strongestStretch(data);
  const library = { deep: librarySize(data, DEEP), shallow: librarySize(data, SHALLOW) };
  const deep = data.bigwigBins(DEEP, stretch.text, COUNT_BIN);
  const shallow = data.bigwigBins(SHALLOW, stretch.text, COUNT_BIN);
  const highest = (values, scale) => Math.max(...values.map((v) => v.value * scale));
  const cpm = { deep: 1e6 / library.deep, shallow: 1e6 / library.shallow };
  const numbers = {
    library_deep: Math.round(library.deep), library_shallow: Math.round(library.shallow),
    library_ratio: round(library.shallow / library.deep),
    summit_raw_deep: round(highest(deep, 1), 0), summit_raw_shallow: round(highest(shallow, 1), 0),
    summit_cpm_deep: round(highest(deep, cpm.deep), 0), summit_cpm_shallow: round(highest(shallow, cpm.shallow), 0),
  };
  const panel = (title, scaleDeep, scaleShallow, label, last) => {
    const top = Math.max(highest(deep, scaleDeep), highest(shallow, scaleShallow)) * 1.08;
    const d = steps(deep, scaleDeep);
    const s = steps(shallow, scaleShallow);
    return {
      height: 170,
      title,
      x: { min: stretch.from, max: stretch.to, label: last ? `${stretch.chrom} position (bp)` : '' },
      y: { min: 0, max: top, label },
      series: [
        { kind: 'area', x: d.x, y: d.y, colour: colours.signal, opacity: 0.5, label: '1x' },
        { kind: 'line', x: s.x, y: s.y, colour: colours.peak, width: 1.5, label: '0.25x' },
      ],
    };
  };
  return {
    ...plotSvg({
      id,
      panels: [
        panel(`raw: highest bin ${numbers.summit_raw_deep} reads at 1x, ${numbers.summit_raw_shallow} at 0.25x`, 1, 1, 'reads per 25 bp bin', false),
        panel(`CPM: highest bin ${numbers.summit_cpm_deep} at 1x, ${numbers.summit_cpm_shallow} at 0.25x`, cpm.deep, cpm.shallow, 'counts per million', true),
      ],
    }),
    numbers,
  };
}

// arcsinh(x) against arcsinh(x / 4): a four-fold depth difference is a factor near zero
// and a shift of ln 4 for large counts, never nothing.
function arcsinhShift(_settings, _data, id) {
  const x = [];
  for (let v = 0; v <= 200; v += 0.5) x.push(v);
  const deep = x.map((v) => Math.asinh(v));
  const shallow = x.map((v) => Math.asinh(v / 4));
  const gap = x.map((v, i) => deep[i] - shallow[i]);
  const numbers = {
    gap_at_2: round(Math.asinh(2) - Math.asinh(0.5), 2),
    gap_at_20: round(Math.asinh(20) - Math.asinh(5), 2),
    gap_at_200: round(Math.asinh(200) - Math.asinh(50), 2),
    ln4: round(Math.log(4), 2),
  };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 190,
        title: 'arcsinh of a count at 1x and of a quarter of it (0.25x)',
        x: { min: 0, max: 200, label: '' },
        y: { min: 0, max: 6.2, label: 'arcsinh' },
        series: [
          { kind: 'line', x, y: deep, colour: colours.signal, label: 'arcsinh(x)' },
          { kind: 'line', x, y: shallow, colour: colours.peak, label: 'arcsinh(x / 4)' },
        ],
      }, {
        height: 150,
        title: `the gap: ${numbers.gap_at_2} at x = 2, ${numbers.gap_at_20} at 20, ${numbers.gap_at_200} at 200 (ln 4 = ${numbers.ln4})`,
        x: { min: 0, max: 200, label: 'reads per bin at 1x (x)' },
        y: { min: 0, max: 1.6, label: 'gap' },
        series: [
          { kind: 'line', x, y: gap, colour: colours.local, label: 'arcsinh(x) - arcsinh(x / 4)' },
          { kind: 'hline', y: Math.log(4), colour: colours.other, label: 'ln 4' },
        ],
      }],
    }),
    numbers,
  };
}

// The expected count per base over the validation windows of depth/windows.bed, window
// after window (`epibook bw values ... --format npy`).
function validationTruth(data) {
  const windowsFile = 'depth/windows.bed';
  const windows = data.readAsset(windowsFile).trim().split('\n').map((line) => line.split('\t'));
  const length = Number(windows[0][2]) - Number(windows[0][1]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-figure-'));
  const file = path.join(dir, 'values.npy');
  try {
    data.cli(['bw', 'values', data.assetPath(`${SIM}/celltypeA.depth1x.expected.bw`), data.assetPath(windowsFile), '--format', 'npy', '-o', file]);
    const bytes = fs.readFileSync(file);
    const body = bytes.subarray(10 + bytes.readUInt16LE(8));
    const perBase = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
    const rows = [];
    windows.forEach((w, i) => { if (w[3] === 'validation') rows.push(perBase.subarray(i * length, (i + 1) * length)); });
    return { rows, length };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// The expected squared error of a perfect 1x model (it predicts each window's expected
// mean signal at 1x) scored on a run at depth d, split as on page 03: the scale term
// (1 - d)^2 mu^2 and the noise of the run's window means (negative binomial, dispersion
// 10, per 25 bp bin, 16 bins a window), averaged over the validation windows.
function depthMismatch(_settings, data, id) {
  const { rows, length } = validationTruth(data);
  const terms = (d) => {
    let scale = 0;
    let noise = 0;
    for (const row of rows) {
      let mean = 0;
      let variance = 0;
      for (let b = 0; b < length; b += COUNT_BIN) {
        const mu = d * row[b];
        mean += row[b];
        variance += mu + (mu * mu) / 10;
      }
      const bins = length / COUNT_BIN;
      mean /= bins;
      scale += ((1 - d) * mean) ** 2;
      noise += variance / (bins * bins);
    }
    return { scale: scale / rows.length, noise: noise / rows.length };
  };
  const x = [];
  for (let d = 0.1; d <= 1.0001; d += 0.01) x.push(Number(d.toFixed(2)));
  const values = x.map(terms);
  const quarter = terms(0.25);
  const numbers = { windows: rows.length, scale_at_quarter: round(quarter.scale, 1), noise_at_quarter: round(quarter.noise, 2), noise_at_1x: round(terms(1).noise, 2) };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 260,
        x: { min: 0.1, max: 1, label: 'depth of the run scored, as a fraction of the training run\'s (d)' },
        y: { min: 0, max: Math.max(...values.map((v) => v.scale + v.noise)) * 1.05, label: 'expected squared error' },
        series: [
          { kind: 'area', x, y: values.map((v) => v.scale + v.noise), colour: colours.peak, opacity: 0.35, label: 'scale: (1 - d)^2 mu^2' },
          { kind: 'area', x, y: values.map((v) => v.noise), colour: colours.signal, opacity: 0.8, label: 'noise of the run' },
          { kind: 'vline', x: 0.25, colour: colours.other },
        ],
      }],
    }),
    numbers,
  };
}

export const figures = {
  'depth-mismatch': depthMismatch,
  'depth-stretch': depthStretch,
  'arcsinh-shift': arcsinhShift,
};
