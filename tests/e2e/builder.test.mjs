// The book builder's pieces without a browser: lab blocks, maths, headings, search
// ranking and the static server's byte ranges, on small inputs with known answers.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseLabBlock } from '../../web/build/lab-block.mjs';
import { createMarkdown } from '../../web/build/markdown.mjs';
import { figureData } from '../../web/build/figure-block.mjs';
import { buildSearchIndex, sectionsOf } from '../../web/build/search-index.mjs';
import { parseRange, mimeType } from '../../web/build/serve.mjs';
import { rankSections } from '../../web/static/search.js';
import { expect } from './harness.mjs';

function render(source) {
  const md = createMarkdown();
  const env = { file: 'test.md', headings: [], labs: [], figureData: figureData({ assets: '/nonexistent', cli: null }) };
  const tokens = md.parse(source, env);
  return { html: md.renderer.render(tokens, md.options, env), env, tokens };
}

function throwsWith(action, fragment) {
  try {
    action();
  } catch (error) {
    expect(error.message.includes(fragment), `error "${error.message}" does not mention "${fragment}"`);
    return;
  }
  throw new Error(`expected an error mentioning "${fragment}"`);
}

export const tests = [{
  name: 'LabBlock_NameThenPairs_KeepsCommasAndQuotedSpaces',
  async run() {
    const lab = parseLabBlock('track-explorer track=assets/a.bw\n  region=chr2R:7,000,000-7,100,000 title="two words" caption="A caption"', 'x.md');
    expect(lab.name === 'track-explorer', `name ${lab.name}`);
    expect(lab.params.region === 'chr2R:7,000,000-7,100,000', `region ${lab.params.region}`);
    expect(lab.params.title === 'two words', `title ${lab.params.title}`);
    expect(!('caption' in lab.params) && lab.caption === 'A caption', 'caption is not taken out of the params');
  },
}, {
  name: 'LabBlock_BrokenBlocks_NameTheFileAndTheProblem',
  async run() {
    throwsWith(() => parseLabBlock('', 'ch.md: line 3'), 'ch.md: line 3: lab block is empty');
    throwsWith(() => parseLabBlock('track-explorer region', 'ch.md'), '"region" is not key=value');
    throwsWith(() => parseLabBlock('track-explorer a=1 a=2', 'ch.md'), 'a given twice');
    throwsWith(() => parseLabBlock('track-explorer a="open', 'ch.md'), 'unclosed quote');
  },
}, {
  name: 'Markdown_LabFence_BecomesNumberedFigureWithCanvasAndJsonParams',
  async run() {
    const { html, env } = render('```lab\nfastq-quality file=assets/r.fq\n```\n\n```lab\npeak-calling threshold=5\n```\n');
    expect(env.labs.length === 2, `${env.labs.length} labs`);
    expect(html.includes('<figure class="lab" id="lab-1">') && html.includes('<figure class="lab" id="lab-2">'), 'figures are not numbered');
    expect(html.includes(`data-lab="fastq-quality" data-params='{&quot;file&quot;:&quot;assets/r.fq&quot;}'`), html);
  },
}, {
  name: 'Markdown_FigureFence_InlinesNumberedSvgWithAltTextAndItsNumbers',
  async run() {
    const { html, env } = render('```figure\narcsinh-of-mean alt="A bin half 0 and half 4: mean of arcsinh 1.05 below 1.44." caption="Order."\n```\n');
    expect(env.figures.length === 1, `${env.figures?.length} figures`);
    expect(/<figure class="figure" id="figure-1" data-figure="arcsinh-of-mean"/.test(html), html.slice(0, 200));
    expect(/<svg [^>]*role="img" aria-labelledby="figure-1-title"[^>]*>\s*<title id="figure-1-title">A bin half 0/.test(html), 'no SVG titled with the alt text');
    expect(html.includes('<strong>Figure 1.</strong> Order.'), 'no numbered caption');
    // The numbers the figure computed: (arsinh 0 + arsinh 4) / 2 and arsinh 2.
    expect(env.figures[0].numbers.mean_of_arcsinh === Number(((Math.log(4 + Math.sqrt(17))) / 2).toFixed(2)), JSON.stringify(env.figures[0].numbers));
    throwsWith(() => render('```figure\narcsinh-of-mean caption="x"\n```\n'), 'needs alt=');
    throwsWith(() => render('```figure\nno-such-figure alt="a figure that does not exist at all"\n```\n'), 'no figure named "no-such-figure"');
    throwsWith(() => render('```figure\nphred-characters alt="quality characters of the shipped reads"\n```\n'), 'run scripts/make-assets first');
  },
}, {
  name: 'Markdown_Maths_RenderedAtBuildTimeAndDollarPricesLeftAlone',
  async run() {
    const { html } = render('Phred: $Q = -10 \\log_{10} p$, costs $5 and $6.\n\n$$\n\\operatorname{arsinh}(x)\n$$\n');
    expect((html.match(/class="katex"/g) ?? []).length === 2, 'expected one inline and one display formula');
    expect(html.includes('costs $5 and $6'), 'prices were taken for maths');
    throwsWith(() => render('$\\frac{1}$'), 'test.md: maths');
  },
}, {
  name: 'Markdown_Headings_GetUniqueAnchors',
  async run() {
    const { html, env } = render('# Title\n\n## Peaks\n\n## Peaks\n');
    expect(html.includes('<h2 id="peaks">') && html.includes('<h2 id="peaks-2">'), html);
    expect(env.headings.length === 3, `${env.headings.length} headings`);
  },
}, {
  name: 'Search_RanksHeadingMatchFirstAndNeedsEveryWord',
  async run() {
    const page = { url: 'a.html', title: 'A' };
    const { tokens } = render('# A\n\n## Phred scores\n\nQuality of a base.\n\n## Peaks\n\nPhred is mentioned once; peaks are calls.\n');
    const index = buildSearchIndex([page], sectionsOf(tokens, page));
    const found = rankSections(index, 'phred');
    expect(index.sections[found[0]].heading === 'Phred scores', `first hit: ${index.sections[found[0]].heading}`);
    const both = rankSections(index, 'phred peaks');
    expect(both.length === 1 && index.sections[both[0]].heading === 'Peaks', 'two words must both match');
    expect(rankSections(index, 'phr').length === 2, 'the last word is a prefix while typing');
  },
}, {
  name: 'Server_ByteRanges_AsHttpDefinesThem',
  async run() {
    const r = (h) => JSON.stringify(parseRange(h, 100));
    expect(r('bytes=0-9') === '{"start":0,"end":9}', r('bytes=0-9'));
    expect(r('bytes=90-') === '{"start":90,"end":99}', r('bytes=90-'));
    expect(r('bytes=-10') === '{"start":90,"end":99}', r('bytes=-10'));
    expect(r('bytes=95-200') === '{"start":95,"end":99}', r('bytes=95-200'));
    expect(parseRange('bytes=100-', 100) === null && parseRange('bytes=5-1', 100) === null, 'unsatisfiable ranges accepted');
    expect(mimeType('x/epibook.wasm') === 'application/wasm', 'wasm MIME type');
  },
}, {
  name: 'Server_StopSignal_ExitsCleanlyAsAContainersProcessOne',
  async run() {
    // A container's process 1 ignores any signal it has no handler for, so `docker stop`
    // would wait and kill: the server must end on SIGTERM by itself, with status 0.
    const site = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-serve-'));
    fs.writeFileSync(path.join(site, 'index.html'), '<p>x</p>');
    const serve = fileURLToPath(new URL('../../web/build/serve.mjs', import.meta.url));
    const child = spawn(process.execPath, [serve, site, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const ended = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let said = '';
    await new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk) => { said += chunk; if (said.includes('serving')) resolve(); });
      child.on('exit', () => reject(new Error(`serve.mjs ended before serving: ${said}`)));
    });
    child.kill('SIGTERM');
    const { code, signal } = await ended;
    fs.rmSync(site, { recursive: true });
    expect(code === 0 && signal === null, `SIGTERM ended the server with code ${code}, signal ${signal}`);
  },
}];
