// The `figure` fenced block: a plot or diagram drawn at build time from the data it
// shows (the site's assets, read directly or through the native CLI) and inlined in the
// page as SVG with its alt text. Writers' guide: tutorials/README.md.
//
//   ```figure
//   split-along-genome alt="…what the figure shows, for a reader who cannot see it…"
//     caption="…the sentence under the figure…"
//   ```
// The first word names a figure maker in web/build/figures/; other key=value pairs are
// its settings. alt= is required; a build without the data a figure needs stops.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';

import { parseLabBlock } from './lab-block.mjs';
import { escapeHtml } from './layout.mjs';
import { svgDocument } from './svg-plot.mjs';
import { figures as epigeneticData } from './figures/epigenetic-data.mjs';
import { figures as lossesAndMetrics } from './figures/losses-and-metrics.mjs';
import { figures as basePairAveraging } from './figures/base-pair-averaging.mjs';
import { figures as reproducibility } from './figures/reproducibility.mjs';
import { figures as sequencingDepth } from './figures/sequencing-depth.mjs';
import { figures as weightsAndBiases } from './figures/weights-and-biases.mjs';
import { figures as choosingRegions } from './figures/choosing-regions.mjs';
import { figures as pitfalls } from './figures/pitfalls.mjs';
import { figures as testing } from './figures/testing.mjs';
import { figures as trainingTricks } from './figures/training-tricks.mjs';
import { figures as kipoi } from './figures/kipoi.mjs';
import { figures as grelu } from './figures/grelu.mjs';

const FIGURES = { ...epigeneticData, ...lossesAndMetrics, ...basePairAveraging, ...reproducibility, ...sequencingDepth, ...choosingRegions, ...pitfalls, ...weightsAndBiases, ...testing, ...trainingTricks, ...kipoi, ...grelu };

export function figureNames() {
  return Object.keys(FIGURES);
}

// What a figure maker may read: the site's assets (text, gunzipped when .gz) and the
// output of the native CLI. Results are cached for the whole build.
export function figureData({ assets, cli }) {
  const cache = new Map();
  const remember = (key, make) => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key);
  };
  return {
    assets,
    assetPath(name) {
      const file = path.join(assets, name);
      if (!fs.existsSync(file)) throw new Error(`needs ${name}, which ${assets} lacks: run scripts/make-assets first`);
      return file;
    },
    readAsset(name) {
      return remember(`read:${name}`, () => {
        const bytes = fs.readFileSync(this.assetPath(name));
        return (name.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
      });
    },
    // `epibook ARGS...` run from the assets folder; its standard output.
    cli(args) {
      return remember(`cli:${args.join('\0')}`, () => {
        if (!cli || !fs.existsSync(cli)) throw new Error(`needs the native CLI (${cli ?? 'none given'}): build the native preset first`);
        const result = spawnSync(cli, args, { cwd: assets, encoding: 'utf8', maxBuffer: 256 << 20 });
        if (result.status !== 0) throw new Error(`epibook ${args.join(' ')} failed: ${result.error?.message ?? result.stderr.trim()}`);
        return result.stdout;
      });
    },
    // Mean signal per bin over a region, as `epibook bw values --bin` prints it (NaN: no data).
    bigwigBins(file, region, bin) {
      return this.cli(['bw', 'values', this.assetPath(file), region, '--bin', String(bin)]).trim().split('\n')
        .map((line) => { const f = line.split('\t'); return { start: Number(f[1]), end: Number(f[2]), value: Number(f[3]) }; });
    },
  };
}

export function renderFigure(token, env) {
  const where = `${env.file}: line ${token.map ? token.map[0] + 1 : '?'}`;
  const { name, params, caption } = parseLabBlock(token.content, where);
  const make = FIGURES[name];
  if (!make) throw new Error(`${where}: no figure named "${name}" (known: ${figureNames().join(', ')})`);
  const { alt, ...settings } = params;
  if (!alt || alt.length < 20) throw new Error(`${where}: figure ${name} needs alt="…" saying what it shows (20 characters or more)`);
  if (!env.figureData) throw new Error(`${where}: figure ${name}: the builder gave no data folder`);
  env.figures ??= [];
  const number = env.figures.length + 1;
  const id = `figure-${number}`;
  let plot;
  try {
    plot = make(settings, env.figureData, id);
  } catch (error) {
    throw new Error(`${where}: figure ${name}: ${error.message}`);
  }
  env.figures.push({ name, alt, numbers: plot.numbers ?? {} });
  const numbers = escapeHtml(JSON.stringify(plot.numbers ?? {}));
  return `<figure class="figure" id="${id}" data-figure="${escapeHtml(name)}" data-numbers='${numbers}'>\n${svgDocument(plot, alt, id)}\n`
    + `<figcaption><strong>Figure ${number}.</strong> ${caption ? escapeHtml(caption) : ''}</figcaption>\n</figure>\n`;
}
