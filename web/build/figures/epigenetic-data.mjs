// Figures of chapter 1 (Epigenetic data), drawn at build time from the site's assets or
// from the formula they illustrate. Each maker takes (settings, data, id) and returns
// { width, height, body, numbers }: `numbers` are the values the text quotes, written
// into the page so the e2e suite can check text and figure agree.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { colours, plotSvg } from '../svg-plot.mjs';

const round = (v, digits = 3) => Number(v.toFixed(digits));

// Quality characters of the shipped reads, one panel per encoding.
function phredCharacters(_settings, data, id) {
  const files = [
    { name: 'reads-sim.fastq.gz', title: 'Simulated Illumina reads (Phred+33)', colour: colours.signal },
    { name: 'reads-real-phred64.fastq', title: 'Real 36 bp reads from an older Illumina pipeline (Phred+64)', colour: colours.local },
  ];
  const numbers = {};
  const panels = files.map((file, index) => {
    const lines = data.readAsset(file.name).split('\n');
    const counts = new Array(128).fill(0);
    for (let i = 3; i < lines.length; i += 4) for (const ch of lines[i]) counts[ch.charCodeAt(0)] += 1;
    const used = counts.map((c, code) => (c > 0 ? code : -1)).filter((c) => c >= 0);
    const total = counts.reduce((a, b) => a + b, 0);
    const key = index === 0 ? 'phred33' : 'phred64';
    numbers[key] = { lowest: String.fromCharCode(used[0]), highest: String.fromCharCode(used[used.length - 1]) };
    const x = [];
    const y = [];
    for (let code = 33; code <= 105; code += 1) { x.push(code); y.push((100 * counts[code]) / total); }
    return {
      height: 190,
      title: file.title,
      x: { min: 32, max: 106, label: index === 1 ? 'quality character (ASCII code; ! = 33, 5 = 53, @ = 64, J = 74, h = 104)' : '', ticks: [33, 43, 53, 64, 74, 84, 94, 104] },
      y: { min: 0, max: Math.max(...y) * 1.1, label: '% of bases' },
      series: [
        { kind: 'band', x0: 32.5, x1: 74.5, colour: colours.signal, opacity: 0.1, label: 'Phred+33 range ! to J (Q0-41)' },
        { kind: 'band', x0: 63.5, x1: 104.5, colour: colours.local, opacity: 0.1, label: 'Phred+64 range @ to h (Q0-40)' },
        { kind: 'bars', x, y, width: 1, colour: file.colour },
      ],
    };
  });
  return { ...plotSvg({ id, panels }), numbers };
}

// Why a threshold on mean arcsinh differs from arcsinh of the mean: a bin half 0, half 4.
function arcsinhOfMean(_settings, _data, id) {
  const x = [];
  const y = [];
  for (let v = 0; v <= 6.0001; v += 0.05) { x.push(v); y.push(Math.asinh(v)); }
  const halves = [0, 4];
  const meanOfValues = (halves[0] + halves[1]) / 2;
  const meanOfArcsinh = (Math.asinh(halves[0]) + Math.asinh(halves[1])) / 2;
  const numbers = { mean: meanOfValues, arcsinh_of_mean: round(Math.asinh(meanOfValues), 2), mean_of_arcsinh: round(meanOfArcsinh, 2), threshold: round(Math.asinh(2), 4) };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 280,
        x: { min: 0, max: 6, label: '−log10 p of one 1 bp position (the track before averaging)' },
        y: { min: 0, max: 2.6, label: 'arcsinh' },
        series: [
          { kind: 'line', x, y, colour: colours.signal, label: 'arcsinh(x)' },
          { kind: 'hline', y: Math.asinh(2), colour: colours.threshold, label: 'threshold arcsinh(2) = 1.44' },
          { kind: 'points', x: halves, y: halves.map(Math.asinh), colour: colours.signal, labels: ['half the bin: 0', 'half the bin: 4 → 2.09'] },
          { kind: 'points', x: [meanOfValues], y: [meanOfArcsinh], colour: colours.peak, labels: [`mean of arcsinh = ${numbers.mean_of_arcsinh}: no peak`], label: 'what the bin gets' },
          { kind: 'points', x: [meanOfValues], y: [Math.asinh(meanOfValues)], colour: colours.other, labels: [`arcsinh of the mean = ${numbers.arcsinh_of_mean}`] },
        ],
      }],
    }),
    numbers,
  };
}

// Windows along the Tutorial 1 slice coloured by split: one row per split rule, as
// `epibook prep` assigns them, with the count of neighbouring windows split apart.
function splitAlongGenome(settings, data, id) {
  const track = settings.track ?? 'dm3-chr2R-rnaseq.bw';
  const region = settings.region ?? 'chr2R:7,000,000-8,000,000';
  const rules = [
    { name: 'per window', args: ['--hash-block', '0'] },
    { name: '20 kb blocks', args: [] },
  ];
  const boxes = [];
  const numbers = {};
  let min = Infinity;
  let max = -Infinity;
  const splitColour = { train: colours.train, validation: colours.validation, test: colours.test };
  rules.forEach((rule, row) => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-figure-'));
    data.cli(['prep', '--bigwig', data.assetPath(track), '--regions', region, '--preset', 'tutorial1', ...rule.args, '-o', path.join(scratch, 'dataset'), '-q']);
    const windows = fs.readFileSync(path.join(scratch, 'dataset/windows.bed'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
    fs.rmSync(scratch, { recursive: true, force: true });
    let apart = 0;
    const touching = new Set();
    windows.forEach((w, i) => {
      const start = Number(w[1]);
      const end = Number(w[2]);
      min = Math.min(min, start); max = Math.max(max, end);
      boxes.push({ x0: start, x1: end, row, colour: splitColour[w[3]] });
      if (i > 0 && windows[i - 1][3] !== w[3] && windows[i - 1][0] === w[0] && Number(windows[i - 1][2]) === start) {
        apart += 1;
        touching.add(i - 1).add(i);
      }
    });
    numbers[rule.name.replace(/\s+/g, '_')] = { windows: windows.length, neighbours_split_apart: apart, windows_touching_another_split: touching.size };
  });
  return {
    ...plotSvg({
      id,
      margin: { left: 96 },
      panels: [{
        height: 130,
        x: { min, max, label: `${region.split(':')[0]} position (bp)` },
        legend: [{ label: 'train', colour: colours.train }, { label: 'validation', colour: colours.validation }, { label: 'test', colour: colours.test }],
        series: [{ kind: 'boxes', rows: rules.map((r) => r.name), boxes }],
      }],
    }),
    numbers,
  };
}

// -log10 P(X >= k) for X ~ Poisson(lambda), summed in log space (as peaks.h does).
export function poissonTailScore(k, lambda) {
  if (k <= 0 || !(lambda > 0)) return 0;
  const logPmf = (i) => -lambda + i * Math.log(lambda) - lgamma(i + 1);
  let logTail;
  if (k > lambda) {
    let term = 1;
    let sum = 1;
    for (let i = k + 1; term > 1e-17 * sum; i += 1) { term *= lambda / i; sum += term; }
    logTail = logPmf(k) + Math.log(sum);
  } else {
    let lower = 0;
    for (let i = 0; i < k; i += 1) lower += Math.exp(logPmf(i));
    logTail = Math.log(Math.max(1e-300, 1 - lower));
  }
  return -logTail / Math.LN10;
}

function lgamma(x) {
  // Stirling series with a shift: accurate to 1e-12 for x >= 1, enough for a figure.
  let shift = 0;
  while (x < 8) { shift += Math.log(x); x += 1; }
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI)
    + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680))) - shift;
}

function readBed(text) {
  return text.trim().split('\n').filter(Boolean).map((line) => {
    const f = line.split('\t');
    return { chrom: f[0], start: Number(f[1]), end: Number(f[2]), name: f[3], strand: f[5] ?? '+' };
  });
}

// Fragments per base over [from, to) from reads extended to d along their strand.
function fragmentPileup(reads, chrom, from, to, d) {
  const delta = new Float64Array(to - from + 1);
  for (const r of reads) {
    if (r.chrom !== chrom) continue;
    const a = Math.max(from, r.strand === '-' ? r.end - d : r.start);
    const b = Math.min(to, (r.strand === '-' ? r.end - d : r.start) + d);
    if (b > a) { delta[a - from] += 1; delta[b - from] -= 1; }
  }
  const pileup = new Float64Array(to - from);
  let run = 0;
  for (let i = 0; i < pileup.length; i += 1) { run += delta[i]; pileup[i] = run; }
  return pileup;
}

// Fragment centres within `window` bp centred on each base, times d / window (peaks.h).
function windowLambda(reads, chrom, from, to, d, window) {
  const centres = reads.filter((r) => r.chrom === chrom).map((r) => (r.strand === '-' ? r.end - d / 2 : r.start + d / 2)).sort((a, b) => a - b);
  const countBelow = (x) => { let lo = 0; let hi = centres.length; while (lo < hi) { const m = (lo + hi) >> 1; if (centres[m] < x) lo = m + 1; else hi = m; } return lo; };
  const out = new Float64Array(to - from);
  for (let i = 0; i < out.length; i += 1) {
    const left = from + i - Math.floor(window / 2);
    out[i] = ((countBelow(left + window) - countBelow(left)) * d) / window;
  }
  return out;
}

// Treatment pile-up over a sticky region of the simulated ChIP-seq, against the
// genome-wide lambda and the local lambda of the control (as the peak-calling lab).
function peakLambdas(settings, data, id) {
  const d = Number(settings.fragment ?? 200);
  const treat = readBed(data.readAsset('chipseq-sim/treat.bed'));
  const control = readBed(data.readAsset('chipseq-sim/control.bed'));
  const truth = readBed(data.readAsset('chipseq-sim/truth_peaks.bed'));
  const sticky = readBed(data.readAsset('chipseq-sim/sticky_regions.bed'));
  const chrom = settings.chrom ?? 'chr1';
  const onChrom = (r) => r.chrom === chrom;
  const region = sticky.filter(onChrom)[Number(settings.sticky ?? 0)];
  if (!region) throw new Error(`no sticky region number ${settings.sticky ?? 0} on ${chrom}`);
  // The lab's span: the chromosome's reads, first to last, widened by d.
  const chromReads = treat.filter(onChrom);
  const spanStart = Math.max(0, Math.min(...chromReads.map((r) => r.start)) - d);
  const spanEnd = Math.max(...chromReads.map((r) => r.end)) + d;
  const centreIn = (r) => { const c = r.strand === '-' ? r.end - d / 2 : r.start + d / 2; return c >= spanStart && c < spanEnd; };
  const treatN = chromReads.filter(centreIn).length;
  const controlN = control.filter(onChrom).filter(centreIn).length;
  const genomeLambda = (treatN * d) / (spanEnd - spanStart);
  const half = Number(settings.half ?? 8000);
  const from = Math.max(spanStart, region.start - half);
  const to = Math.min(spanEnd, region.end + half);
  const pileup = fragmentPileup(treat, chrom, from, to, d);
  const local = new Float64Array(to - from).fill(genomeLambda);
  for (const w of [d, 1000, 10000]) {
    const lw = windowLambda(control, chrom, from, to, d, w);
    for (let i = 0; i < local.length; i += 1) local[i] = Math.max(local[i], lw[i] * (treatN / controlN));
  }
  let top = 0;
  let summit = 0;
  for (let i = region.start - from; i < region.end - from; i += 1) if (pileup[i] > pileup[summit] || summit === 0) summit = i;
  for (const v of pileup) top = Math.max(top, v);
  const step = 20;
  const xs = [];
  const py = [];
  const ly = [];
  for (let i = 0; i < pileup.length; i += step) {
    let m = 0; let l = 0;
    for (let j = i; j < Math.min(i + step, pileup.length); j += 1) { m = Math.max(m, pileup[j]); l = Math.max(l, local[j]); }
    xs.push(from + i); py.push(m); ly.push(l);
  }
  const numbers = {
    genome_lambda: round(genomeLambda, 2),
    summit_pileup: pileup[summit],
    summit_local_lambda: round(local[summit], 1),
    score_genome: round(poissonTailScore(pileup[summit], genomeLambda), 1),
    score_local: round(poissonTailScore(pileup[summit], local[summit]), 1),
    region: `${chrom}:${region.start}-${region.end}`,
  };
  const near = truth.filter((t) => onChrom(t) && t.end > from && t.start < to);
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 300,
        x: { min: from, max: to, label: `${chrom} position (bp), simulated ChIP-seq` },
        y: { min: 0, max: Math.ceil(top * 1.15), label: 'fragments per base' },
        series: [
          { kind: 'band', x0: region.start, x1: region.end, colour: colours.control, opacity: 0.25, label: 'sticky region (reads in ChIP and control)' },
          ...near.map((t, i) => ({ kind: 'band', x0: t.start, x1: t.end, colour: colours.test, opacity: 0.3, label: i === 0 ? 'planted binding site' : undefined })),
          { kind: 'area', x: xs, y: py, colour: colours.signal, opacity: 0.75, label: 'ChIP pile-up' },
          { kind: 'hline', y: genomeLambda, colour: colours.threshold, label: `genome-wide λ ${numbers.genome_lambda}` },
          { kind: 'line', x: xs, y: ly, colour: colours.local, width: 2, label: 'local λ (control)' },
        ],
      }],
    }),
    numbers,
  };
}

// The shape of a broad, gene-body signal (real RNA-seq coverage, which H3K36me3
// follows) beside narrow factor-like peaks (simulated), as arcsinh of bin means. The
// simulated panel starts at its median, its background, so the peaks stand out.
function signalShapes(settings, data, id) {
  const rows = [
    { file: 'dm3-chr2R-rnaseq.bw', region: settings.real ?? 'chr2R:7,700,000-7,800,000', bin: 500, baseline: false, title: 'Real: RNA-seq coverage of fly genes (dm3 chr2R:7.7-7.8 Mb): signal over whole genes', colour: colours.signal },
    { file: 'sim-toy/celltypeA.bw', region: settings.sim ?? 'chr1:0-100,000', bin: 100, baseline: true, title: 'Simulated: a transcription factor\'s narrow peaks (chr1:0-100 kb), above its background', colour: colours.peak },
  ];
  const numbers = {};
  const panels = rows.map((row, index) => {
    const bins = data.bigwigBins(row.file, row.region, row.bin);
    const values = bins.map((b) => (Number.isFinite(b.value) ? Math.asinh(b.value) : 0));
    const sorted = [...values].sort((a, b) => a - b);
    const base = row.baseline ? sorted[Math.floor((sorted.length - 1) / 2)] : 0;
    const top = sorted[sorted.length - 1];
    // Share of the region above halfway from the background to the top: how much of it the signal fills.
    const level = base + (top - base) / 4;
    const share = values.filter((v) => v >= level).length / values.length;
    numbers[index === 0 ? 'real' : 'simulated'] = { percent_above_quarter_height: Math.round(100 * share) };
    const offset = bins[0].start;
    return {
      height: 170,
      title: row.title,
      x: { min: 0, max: bins[bins.length - 1].end - offset, label: index === 1 ? 'position in the region (bp)' : '' },
      y: { min: base, max: base + (top - base) * 1.1, label: 'arcsinh(mean)', format: (v) => Number(v.toFixed(1)).toString() },
      series: [{ kind: 'area', x: bins.map((b) => b.start - offset + row.bin / 2), y: values, colour: row.colour, opacity: 0.85 }],
    };
  });
  return { ...plotSvg({ id, panels }), numbers };
}

// 0-based half-open against 1-based closed, on the first bases of the shipped dm3 slice.
function coordinates(settings, data, id) {
  const fasta = data.readAsset('dm3-chr2R-7-8Mb.fa').split('\n');
  const offset = Number((fasta[0].match(/^>\S*_(\d+)_\d+(\s|$)/) ?? [])[1]);
  if (!Number.isFinite(offset)) throw new Error('dm3-chr2R-7-8Mb.fa: the name does not give the slice start');
  const count = 12;
  const bases = fasta.slice(1).join('').slice(0, count).toUpperCase();
  const start0 = Number(settings.start ?? 2);
  const end0 = Number(settings.end ?? 6);
  const cell = 44;
  const left = 196;
  const out = [];
  const y0 = 40;
  const g = (n) => (offset + n).toLocaleString('en-US');
  out.push(`<text x="${left}" y="18" font-weight="600">chr2R from ${g(0)} (the first bases of the shipped slice); numbers: last 3 digits</text>`);
  for (let i = 0; i < count; i += 1) {
    const x = left + i * cell;
    const inside = i >= start0 && i < end0;
    out.push(`<rect x="${x}" y="${y0}" width="${cell - 2}" height="34" fill="${inside ? colours.signal : 'none'}" fill-opacity="${inside ? 0.3 : 0}" stroke="currentColor" stroke-opacity="0.5"/>`);
    out.push(`<text x="${x + cell / 2 - 1}" y="${y0 + 23}" text-anchor="middle" font-family="monospace" font-size="16">${bases[i]}</text>`);
    out.push(`<text x="${x + cell / 2 - 1}" y="${y0 + 90}" text-anchor="middle" font-size="10">${String(offset + i + 1).slice(-3)}</text>`);
    out.push(`<line x1="${x - 1}" x2="${x - 1}" y1="${y0 + 36}" y2="${y0 + 46}" stroke="currentColor" stroke-opacity="0.6"/>`);
    out.push(`<text x="${x - 1}" y="${y0 + 58}" text-anchor="middle" font-size="10">${String(offset + i).slice(-3)}</text>`);
  }
  out.push(`<text x="${left - 22}" y="${y0 + 58}" text-anchor="end">0-based boundaries</text>`);
  out.push(`<text x="${left - 22}" y="${y0 + 90}" text-anchor="end">1-based bases</text>`);
  out.push(`<text x="${left - 22}" y="${y0 + 23}" text-anchor="end">bases</text>`);
  const b0 = `chr2R:${g(start0)}-${g(end0)}`;
  const b1 = `chr2R:${g(start0 + 1)}-${g(end0)}`;
  out.push(`<text x="${left - 150}" y="${y0 + 122}">BED, bigWig, this book (0-based, half-open): <tspan font-weight="600">${b0}</tspan></text>`);
  out.push(`<text x="${left - 150}" y="${y0 + 142}">UCSC browser box, samtools, IGV (1-based, closed): <tspan font-weight="600">${b1}</tspan></text>`);
  return {
    width: left + count * cell + 10,
    height: y0 + 156,
    body: out.join('\n'),
    numbers: { bases: bases.slice(start0, end0), zero_based: b0, one_based: b1, length: end0 - start0 },
  };
}

// int8 .npy arrays as numbers (header parsed for dtype and shape).
function readInt8Npy(file) {
  const bytes = fs.readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  if (!/'descr': '\|i1'/.test(header)) throw new Error(`${file}: not an int8 array`);
  return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset + 10 + headerLength, bytes.length - 10 - headerLength));
}

// The share of an epoch's loss each class carries under each remedy, for the training
// windows of a prepared dataset (epibook prep at the given threshold).
function classRemedies(settings, data, id) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-figure-'));
  const out = path.join(scratch, 'dataset');
  data.cli(['prep', '--bigwig', data.assetPath(settings.track ?? 'dm3-chr2R-rnaseq.bw'), '--regions', settings.region ?? 'chr2R:7,000,000-8,000,000',
    '--preset', 'tutorial1', '--threshold', settings.threshold ?? '5.298', '-o', out, '-q']);
  const labels = readInt8Npy(path.join(out, 'labels.npy'));
  const split = readInt8Npy(path.join(out, 'split.npy'));
  fs.rmSync(scratch, { recursive: true, force: true });
  let p = 0;
  let n = 0;
  labels.forEach((l, i) => { if (split[i] === 0 && l === 1) p += 1; if (split[i] === 0 && l === 0) n += 1; });
  const remedies = [
    { name: 'none', peak: p, background: n },
    { name: 'over-sampling', peak: n, background: n },
    { name: 'under-sampling', peak: p, background: p },
    { name: 'class weights', peak: p * ((p + n) / (2 * p)), background: n * ((p + n) / (2 * n)) },
  ];
  const boxes = [];
  remedies.forEach((r, row) => {
    const share = r.peak / (r.peak + r.background);
    boxes.push({ x0: 0, x1: share, row, colour: colours.peak });
    boxes.push({ x0: share, x1: 1, row, colour: colours.other });
  });
  return {
    ...plotSvg({
      id,
      margin: { left: 112 },
      panels: [{
        height: 180,
        x: { min: 0, max: 1, label: 'share of an epoch\'s loss (training windows with data)', format: (v) => `${Math.round(v * 100)} %` },
        legend: [{ label: `peak (${p} windows)`, colour: colours.peak }, { label: `background (${n})`, colour: colours.other }],
        series: [{ kind: 'boxes', rows: remedies.map((r) => r.name), boxes }],
      }],
    }),
    numbers: { peaks: p, background: n, peak_share: round(p / (p + n), 3), oversampled_epoch: 2 * n, undersampled_epoch: 2 * p },
  };
}

// GC content and soft-masked (repeat) share along the shipped dm3 slice, per window.
function gcAlongSlice(settings, data, id) {
  const lines = data.readAsset('dm3-chr2R-7-8Mb.fa').split('\n');
  const offset = Number((lines[0].match(/^>\S*_(\d+)_\d+(\s|$)/) ?? [])[1]);
  const sequence = lines.slice(1).join('');
  const step = Number(settings.window ?? 10000);
  const xs = [];
  const gc = [];
  const masked = [];
  let gcAll = 0;
  let acgtAll = 0;
  for (let start = 0; start + step <= sequence.length; start += step) {
    let g = 0; let acgt = 0; let lower = 0;
    for (let i = start; i < start + step; i += 1) {
      const c = sequence.charCodeAt(i);
      if (c >= 97) lower += 1;
      const u = c & 0xdf;
      if (u === 71 || u === 67) { g += 1; acgt += 1; } else if (u === 65 || u === 84) acgt += 1;
    }
    xs.push(offset + start + step / 2); gc.push((100 * g) / Math.max(1, acgt)); masked.push((100 * lower) / step);
    gcAll += g; acgtAll += acgt;
  }
  const numbers = { bases: sequence.length, gc_percent: round((100 * gcAll) / acgtAll, 1), gc_min: round(Math.min(...gc), 1), gc_max: round(Math.max(...gc), 1) };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 230,
        x: { min: offset, max: offset + sequence.length, label: 'dm3 chr2R position (bp)' },
        y: { min: 0, max: 100, label: '% of bases', ticks: [0, 25, 50, 75, 100] },
        series: [
          { kind: 'area', x: xs, y: masked, colour: colours.control, opacity: 0.45, label: 'repeat-masked (lower case)' },
          { kind: 'line', x: xs, y: gc, colour: colours.signal, width: 1.8, label: 'G + C' },
          { kind: 'hline', y: numbers.gc_percent, colour: colours.other, dash: '2 3' },
        ],
      }],
    }),
    numbers,
  };
}

// The shuffled-label floor of page 07: AUROC of a model that learned nothing, on the
// sim-motifs validation windows (peaks and background as the shipped windows split
// them). Labels shuffled 4,000 times against a fixed ranking (a seeded generator), beside
// the normal approximation of the Mann-Whitney statistic, sd = sqrt((P + N + 1) / (12 P N)).
function aurocFloor(settings, data, id) {
  const lines = data.readAsset(settings.windows ?? 'first-model/sim-windows.bed').trim().split('\n').map((l) => l.split('\t'));
  const labels = lines.filter((f) => f[3] === 'validation').map((f) => Number(f[4]));
  const positives = labels.filter((l) => l === 1).length;
  const negatives = labels.length - positives;
  let state = 12345;  // a small linear congruential generator: the same figure on every build
  const random = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 4294967296; };
  const rounds = 4000;
  const aurocs = [];
  const shuffled = [...labels];
  for (let r = 0; r < rounds; r += 1) {
    for (let i = shuffled.length - 1; i > 0; i -= 1) { const j = Math.floor(random() * (i + 1)); [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]; }
    let rankSum = 0;  // predictions ranked 1..n in window order, so no ties
    shuffled.forEach((l, i) => { if (l === 1) rankSum += i + 1; });
    aurocs.push((rankSum - (positives * (positives + 1)) / 2) / (positives * negatives));
  }
  const mean = aurocs.reduce((a, b) => a + b, 0) / rounds;
  const sd = Math.sqrt(aurocs.reduce((a, b) => a + (b - mean) ** 2, 0) / (rounds - 1));
  const formulaSd = Math.sqrt((positives + negatives + 1) / (12 * positives * negatives));
  const width = 0.01;
  const x = [];
  const y = [];
  for (let v = 0.35; v < 0.65 - 1e-9; v += width) {
    x.push(v + width / 2);
    y.push((100 * aurocs.filter((a) => a >= v && a < v + width).length) / rounds);
  }
  const normal = x.map((v) => (100 * width * Math.exp(-((v - 0.5) ** 2) / (2 * formulaSd ** 2))) / (formulaSd * Math.sqrt(2 * Math.PI)));
  const numbers = { positives, negatives, rounds, sd: round(sd, 3), formula_sd: round(formulaSd, 3), band_top: round(0.5 + 2 * formulaSd, 3) };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 260,
        x: { min: 0.35, max: 0.65, label: `validation AUROC of a model that learned nothing (${positives} peak and ${negatives} background windows)` },
        y: { min: 0, max: Math.max(...y, ...normal) * 1.15, label: '% of shuffles' },
        series: [
          { kind: 'band', x0: 0.5 - 2 * formulaSd, x1: 0.5 + 2 * formulaSd, colour: colours.other, opacity: 0.15, label: `the floor band: 0.5 ± 2 sd (to ${numbers.band_top})` },
          { kind: 'bars', x, y, width, colour: colours.signal, label: `${rounds} shuffles of the labels` },
          { kind: 'line', x, y: normal, colour: colours.peak, label: `normal, sd ${numbers.formula_sd}` },
        ],
      }],
    }),
    numbers,
  };
}

export const figures = {
  'phred-characters': phredCharacters,
  'arcsinh-of-mean': arcsinhOfMean,
  'split-along-genome': splitAlongGenome,
  'peak-lambdas': peakLambdas,
  'signal-shapes': signalShapes,
  'coordinates': coordinates,
  'class-remedies': classRemedies,
  'gc-along-slice': gcAlongSlice,
  'auroc-floor': aurocFloor,
};
