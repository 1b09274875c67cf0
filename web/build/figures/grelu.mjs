// Figures of chapter 9 (gReLU), drawn at build time from the data its labs train on:
// first-model's simulated genome with CTCF-like sites planted (assets/first-model/sim/)
// and the 200 bp windows `epibook regions` chose there (peaks and GC-matched background,
// assets/first-model/sim-windows.bed). GC and the planted sites are read here from the
// FASTA and truth.json, independently of the core, so the page's numbers have a peer.
import { colours, plotSvg } from '../svg-plot.mjs';
import { GC_BARS, auroc, gcOf, genome, shareHistogram } from './choosing-regions.mjs';

const SIM = 'first-model/sim';
const WINDOWS = 'first-model/sim-windows.bed';
const round = (v, digits = 3) => Number(v.toFixed(digits));
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;

function windows(data) {
  return data.readAsset(WINDOWS).trim().split('\n').map((line) => {
    const f = line.split('\t');
    return { chrom: f[0], start: Number(f[1]), end: Number(f[2]), split: f[3], label: Number(f[4]) };
  });
}

// Step one of the workflow, checked as gReLU's plot_gc_match checks it: the GC of the
// peak windows against the background windows chosen to match it, per split.
function windowsGc(_settings, data, id) {
  const bases = genome(data, `${SIM}/genome.fa`);
  const rows = windows(data).map((w) => ({ ...w, gc: gcOf(bases[w.chrom].slice(w.start, w.end)) }));
  const peaks = rows.filter((w) => w.label === 1).map((w) => w.gc);
  const background = rows.filter((w) => w.label === 0).map((w) => w.gc);
  const { low, step, bars } = GC_BARS;
  const numbers = {
    windows: rows.length,
    peak_windows: peaks.length,
    background_windows: background.length,
    train_windows: rows.filter((w) => w.split === 'train').length,
    validation_windows: rows.filter((w) => w.split === 'validation').length,
    test_windows: rows.filter((w) => w.split === 'test').length,
    mean_gc_peaks: round(mean(peaks)),
    mean_gc_background: round(mean(background)),
    gc_auroc: round(auroc([...peaks, ...background], [...peaks.map(() => 1), ...background.map(() => 0)])),
  };
  const hp = shareHistogram(peaks, GC_BARS);
  const hb = shareHistogram(background, GC_BARS);
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 210,
        title: `GC alone ranks peaks above background with AUROC ${numbers.gc_auroc}`,
        x: { min: low, max: low + bars * step, label: 'GC fraction of the 200 bp window' },
        y: { min: 0, max: 0.3, label: 'share of windows' },
        series: [
          { kind: 'area', x: hb.x, y: hb.y, colour: colours.signal, opacity: 0.45, label: `${background.length} background windows` },
          { kind: 'line', x: hp.x, y: hp.y, colour: colours.peak, width: 1.6, label: `${peaks.length} peak windows` },
        ],
      }],
    }),
    numbers,
  };
}

// Where the planted sites lie in the windows: for each peak window, the offset of its
// site's centre from the window's centre; and how many background windows hold a site
// too (planted in closed chromatin, so no peak: the sequence alone cannot tell them apart).
function plantedSites(_settings, data, id) {
  const truth = JSON.parse(data.readAsset(`${SIM}/truth.json`));
  const byChrom = new Map();
  for (const s of truth.planted_motifs) {
    if (!byChrom.has(s.chrom)) byChrom.set(s.chrom, []);
    byChrom.get(s.chrom).push(s);
  }
  const inside = (w) => (byChrom.get(w.chrom) ?? []).filter((s) => s.start >= w.start && s.end <= w.end);
  const rows = windows(data);
  const offsets = [];
  let peaksWithSite = 0;
  let backgroundWithSite = 0;
  let background = 0;
  for (const w of rows) {
    const sites = inside(w);
    if (w.label === 1) {
      if (sites.length) peaksWithSite += 1;
      for (const s of sites) offsets.push((s.start + s.end) / 2 - (w.start + w.end) / 2);
    } else {
      background += 1;
      if (sites.length) backgroundWithSite += 1;
    }
  }
  const peaks = rows.length - background;
  const width = 10;
  const edges = [];
  for (let e = -100; e < 100; e += width) edges.push(e);
  const counts = edges.map((e) => offsets.filter((o) => o >= e && o < e + width).length);
  const numbers = {
    peak_windows: peaks,
    peak_windows_with_site: peaksWithSite,
    sites_within_10bp_of_centre: offsets.filter((o) => Math.abs(o) <= 10).length,
    sites_in_peak_windows: offsets.length,
    background_windows: background,
    background_windows_with_site: backgroundWithSite,
  };
  return {
    ...plotSvg({
      id,
      panels: [{
        height: 200,
        title: `${backgroundWithSite} of ${background} background windows hold a planted site too (closed chromatin)`,
        x: { min: -100, max: 100, label: 'site centre minus window centre (bp)', ticks: [-100, -50, 0, 50, 100] },
        y: { min: 0, max: Math.max(...counts) * 1.15, label: 'planted sites' },
        series: [
          { kind: 'bars', x: edges.map((e) => e + width / 2), y: counts, width: width * 0.9, colour: colours.peak, label: `${offsets.length} sites in ${peaks} peak windows` },
        ],
      }],
    }),
    numbers,
  };
}


// What the export carries: each tensor of the state dict of the chapter's model, its
// PyTorch name, shape and number of values, from the model's settings (the figure block's
// channels, kernel and window). The e2e test checks them against the lab's export.
function stateDict(settings, _data, id) {
  const channels = Number(settings.channels ?? 16);
  const kernel = Number(settings.kernel ?? 15);
  const tensors = [
    { name: '0.weight', shape: [channels, 4, kernel], key: 'conv_weight' },
    { name: '0.bias', shape: [channels], key: 'conv_bias' },
    { name: '4.weight', shape: [1, channels], key: 'head_weight' },
    { name: '4.bias', shape: [1], key: 'head_bias' },
  ].map((t) => ({ ...t, size: t.shape.reduce((a, b) => a * b, 1) }));
  const numbers = Object.fromEntries(tensors.map((t) => [t.key, t.size]));
  numbers.parameters = tensors.reduce((s, t) => s + t.size, 0);
  const rows = tensors.map((t) => `${t.name} [${t.shape.join(', ')}]: ${t.size}`);
  return {
    ...plotSvg({
      id,
      margin: { left: 190 },
      panels: [{
        height: 150,
        title: `${numbers.parameters} numbers in ${tensors.length} tensors; ReLU, pooling and flattening (1 to 3) hold none`,
        x: { min: 0, max: Math.max(...tensors.map((t) => t.size)), label: 'values in the tensor' },
        series: [{ kind: 'boxes', rows, boxes: tensors.map((t, row) => ({ x0: 0, x1: t.size, row, colour: colours.signal })) }],
      }],
    }),
    numbers,
  };
}

export const figures = { 'grelu-windows-gc': windowsGc, 'grelu-planted-sites': plantedSites, 'grelu-state-dict': stateDict };
