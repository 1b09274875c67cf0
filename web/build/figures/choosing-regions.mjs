// Figures of chapter 5 (Choosing genomic regions), drawn at build time from the simulated
// genome whose open chromatin follows GC (assets/regions/sim/) and the training windows
// `epibook regions` chose four ways (assets/regions/<design>-windows.bed). GC is counted
// here from the FASTA, independently of the core's, so the page's numbers have a peer.
// Each maker returns { width, height, body, numbers }; the page quotes `numbers`.
import { colours, plotSvg } from '../svg-plot.mjs';

const SIM = 'regions/sim';
const round = (v, digits = 3) => Number(v.toFixed(digits));

// The genome as { chrom: bases } (chapters 9 and 12 read it too; chapter 9 first-model's genome).
export function genome(data, file = `${SIM}/genome.fa`) {
  const sequences = {};
  let name = null;
  let parts = [];
  for (const line of data.readAsset(file).split('\n')) {
    if (line.startsWith('>')) {
      if (name) sequences[name] = parts.join('');
      name = line.slice(1).trim().split(/\s+/)[0];
      parts = [];
    } else {
      parts.push(line.trim().toUpperCase());
    }
  }
  if (name) sequences[name] = parts.join('');
  return sequences;
}

export function gcOf(bases) {
  let gc = 0;
  let known = 0;
  for (const c of bases) {
    if (c === 'G' || c === 'C') gc += 1;
    if (c !== 'N') known += 1;
  }
  return known ? gc / known : NaN;
}

// The rows of a design's windows file: { chrom, start, end, split, label }.
function windows(data, design) {
  return data.readAsset(`regions/${design}-windows.bed`).trim().split('\n').map((line) => {
    const f = line.split('\t');
    return { chrom: f[0], start: Number(f[1]), end: Number(f[2]), split: f[3], label: Number(f[4]) };
  });
}

// AUROC of `scores` for labels 1 against 0, by ranks (ties share their mean rank).
export function auroc(scores, labels) {
  const order = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Array(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j += 1;
    for (let k = i; k <= j; k += 1) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  labels.forEach((l, i) => { if (l === 1) { positives += 1; rankSum += ranks[i]; } });
  const negatives = labels.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

// The planted truth: the share of 20 kb domains open, by the GC of their isochore.
function openChromatinByGc(_settings, data, id) {
  const truth = JSON.parse(data.readAsset(`${SIM}/truth.json`));
  const domain = truth.options.accessible_domain_length;
  const open = truth.cell_types[0].open_domains;
  const edges = [0.35, 0.39, 0.43, 0.47, 0.51, 0.55];
  const counts = edges.slice(1).map(() => ({ open: 0, all: 0 }));
  for (const segment of truth.gc_segments) {
    const first = Math.ceil(segment.start / domain) * domain;
    for (let start = first; start < segment.end; start += domain) {
      const bar = Math.min(counts.length - 1, Math.max(0, Math.floor((segment.gc - edges[0]) / 0.04)));
      const isOpen = open.some(([chrom, s, e]) => chrom === segment.chrom && s <= start && start < e);
      counts[bar].all += 1;
      if (isOpen) counts[bar].open += 1;
    }
  }
  const shares = counts.map((c) => (c.all ? c.open / c.all : 0));
  const x = edges.slice(1).map((e) => e - 0.02);
  const numbers = {
    domains: counts.reduce((s, c) => s + c.all, 0),
    open_share_lowest_gc: round(shares[0], 2),
    open_share_highest_gc: round(shares[shares.length - 1], 2),
    slope: truth.options.accessible_gc_slope,
  };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 220,
        x: { min: 0.35, max: 0.55, label: 'GC of the isochore the domain lies in', ticks: edges },
        y: { min: 0, max: 1.02, label: 'share of domains open' },
        series: [
          { kind: 'bars', x, y: shares, width: 0.032, colour: colours.peak, label: `${numbers.domains} domains of ${domain / 1000} kb, the planted truth` },
          { kind: 'points', x, y: shares, colour: colours.peak, radius: 0, labels: counts.map((c) => `${c.open}/${c.all}`) },
        ],
      }],
    }),
    numbers,
  };
}

// GC fractions 0.25 to 0.75 in 20 bars (chapter 9's figure draws the same).
export const GC_BARS = { low: 0.25, step: 0.025, bars: 20 };

// `values` counted into `bars` bars of width `step` from `low` (the ends take what lies
// beyond), as shares of all values: { x, y } of a step line, two points a bar.
export function shareHistogram(values, { low, step, bars }) {
  const counts = new Array(bars).fill(0);
  for (const v of values) counts[Math.min(bars - 1, Math.max(0, Math.floor((v - low) / step)))] += 1;
  const x = [];
  const y = [];
  counts.forEach((c, i) => { x.push(low + i * step, low + (i + 1) * step); y.push(c / values.length, c / values.length); });
  return { x, y };
}

// GC histograms of the training windows (chr1 and chr2) of three designs: the peak
// windows, the random negatives and the GC-matched negatives; and the AUROC of a model
// that reads only GC against each set of negatives.
function gcHistograms(_settings, data, id) {
  const bases = genome(data);
  const gcOfRows = (rows) => rows.map((w) => gcOf(bases[w.chrom].slice(w.start, w.end)));
  const training = (design) => windows(data, design).filter((w) => w.split !== 'test');
  const peaks = gcOfRows(training('peaks'));
  const random = gcOfRows(training('random').filter((w) => w.label === 0));
  const matched = gcOfRows(training('gc-matched').filter((w) => w.label === 0));
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  const against = (negatives) => auroc([...peaks, ...negatives], [...peaks.map(() => 1), ...negatives.map(() => 0)]);
  const { low, step, bars } = GC_BARS;
  const histogram = (values) => shareHistogram(values, GC_BARS);
  const numbers = {
    peak_windows: peaks.length,
    random_negatives: random.length,
    matched_negatives: matched.length,
    mean_gc_peaks: round(mean(peaks)),
    mean_gc_random: round(mean(random)),
    mean_gc_matched: round(mean(matched)),
    gc_auroc_random: round(against(random)),
    gc_auroc_matched: round(against(matched)),
  };
  const hp = histogram(peaks);
  const panel = (title, negatives, colour, label, last) => {
    const hn = histogram(negatives);
    return {
      height: 150,
      title,
      x: { min: low, max: low + bars * step, label: last ? 'GC fraction of the 200 bp window' : '' },
      y: { min: 0, max: 0.3, label: 'share of windows' },
      series: [
        { kind: 'area', x: hn.x, y: hn.y, colour, opacity: 0.45, label },
        { kind: 'line', x: hp.x, y: hp.y, colour: colours.peak, width: 1.6, label: `${peaks.length} peak windows` },
      ],
    };
  };
  return {
    ...plotSvg({
      id,
      panels: [
        panel(`random negatives: GC-only AUROC ${numbers.gc_auroc_random}`, random, colours.other, `${random.length} random negatives`, false),
        panel(`GC-matched negatives: GC-only AUROC ${numbers.gc_auroc_matched}`, matched, colours.signal, `${matched.length} GC-matched negatives`, true),
      ],
    }),
    numbers,
  };
}

// The four designs along 40 kb of chr1: the isochore GC and the open domains (truth),
// then the windows each design trains on, peak windows red.
function designsAlongGenome(_settings, data, id) {
  const truth = JSON.parse(data.readAsset(`${SIM}/truth.json`));
  const chrom = 'chr1';
  // The 40 kb stretch holding the most peak windows and at least one closed domain.
  const peakRows = windows(data, 'peaks').filter((w) => w.chrom === chrom);
  const open = truth.cell_types[0].open_domains.filter(([c]) => c === chrom);
  const span = 40000;
  let from = 0;
  let best = -1;
  for (let start = 0; start + span <= 800000; start += 10000) {
    const inside = peakRows.filter((w) => w.start >= start && w.end <= start + span).length;
    const openBases = open.reduce((s, [, a, b]) => s + Math.max(0, Math.min(b, start + span) - Math.max(a, start)), 0);
    if (openBases < span && inside > best) { best = inside; from = start; }
  }
  const to = from + span;
  const designs = ['peaks', 'random', 'gc-matched', 'tiling'];
  const rows = ['open domains (truth)', ...designs];
  const boxes = [];
  for (const [c, s, e] of open) if (c === chrom && e > from && s < to) boxes.push({ x0: Math.max(s, from), x1: Math.min(e, to), row: 0, colour: colours.test });
  const numbers = { from, to };
  designs.forEach((design, index) => {
    const rowsOf = windows(data, design).filter((w) => w.split === 'train');
    numbers[`${design.replace('-', '_')}_train_windows`] = rowsOf.length;
    numbers[`${design.replace('-', '_')}_train_peak_share`] = round(rowsOf.filter((w) => w.label === 1).length / rowsOf.length, 3);
    for (const w of rowsOf) {
      if (w.chrom !== chrom || w.end <= from || w.start >= to) continue;
      boxes.push({ x0: w.start, x1: w.end, row: index + 1, colour: w.label === 1 ? colours.peak : colours.other });
    }
  });
  const segments = truth.gc_segments.filter((s) => s.chrom === chrom && s.end > from && s.start < to);
  const gx = [];
  const gy = [];
  for (const s of segments) { gx.push(Math.max(s.start, from), Math.min(s.end, to)); gy.push(s.gc, s.gc); }
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 90,
        title: 'GC of the isochores (truth)',
        x: { min: from, max: to, label: '' },
        y: { min: 0.33, max: 0.57, label: 'GC' },
        series: [{ kind: 'line', x: gx, y: gy, colour: colours.local, width: 1.6 }],
      }, {
        height: 170,
        x: { min: from, max: to, label: `${chrom} position (bp); peak windows red, background grey` },
        y: { min: 0, max: 1, label: '' },
        series: [{ kind: 'boxes', rows, boxes }],
      }],
    }),
    numbers,
  };
}

export const figures = {
  'open-chromatin-by-gc': openChromatinByGc,
  'gc-histograms': gcHistograms,
  'designs-along-genome': designsAlongGenome,
};
