// The form of a chapter page (tutorials/README.md) and its build-time figures: every
// chapter page says what it teaches, has a figure, a summary, 3 to 5 exercises and
// references with DOIs; every figure is an SVG with alt text; and the numbers a figure
// computed agree with an independent source (the CLI's audit) and with the text.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, runProgram, sitePages } from './harness.mjs';

function figuresOf(html) {
  return [...html.matchAll(/<figure class="figure" id="(figure-\d+)" data-figure="([^"]+)" data-numbers='([^']*)'>([\s\S]*?)<\/figure>/g)]
    .map((m) => ({
      id: m[1],
      name: m[2],
      numbers: JSON.parse(m[3].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')),
      body: m[4],
    }));
}

// Pages whose owners are still bringing them into the form (named in the report), so
// the check holds every other page now and these as soon as they are removed here.
const NOT_YET_IN_FORM = new Set([]);

const textOf = (html) => html.replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

// The section after heading `title` up to the next h2.
function section(html, title) {
  const match = new RegExp(`<h2 id="[^"]*">${title}</h2>([\\s\\S]*?)(?=<h2 |</article>|$)`).exec(html);
  return match ? match[1] : null;
}

export const tests = [{
  name: 'every figure is an inline SVG with alt text, and every chapter page has the parts of the form',
  async run(harness) {
    const problems = [];
    let figures = 0;
    for (const url of sitePages(harness.siteDir)) {
      const html = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
      for (const figure of figuresOf(html)) {
        figures += 1;
        const title = /<svg[^>]* role="img" aria-labelledby="([^"]+)"[^>]*>\s*<title id="\1">([^<]{20,})<\/title>/.exec(figure.body);
        if (!title) problems.push(`${url} ${figure.id} (${figure.name}): no SVG with role="img" and a title of 20 characters or more`);
        if (!/<figcaption><strong>Figure \d+\.<\/strong> \S/.test(figure.body)) problems.push(`${url} ${figure.id}: no caption`);
      }
      if (!/^\d\d-/.test(url) || NOT_YET_IN_FORM.has(url)) continue;
      if (!/<blockquote>\s*<p><strong>This (page|chapter):<\/strong>/.test(html)) problems.push(`${url}: does not open with what it teaches ("> **This page:**")`);
      if (figuresOf(html).length === 0) problems.push(`${url}: no figure`);
      const summary = section(html, 'Summary');
      if (!summary || !/<li>/.test(summary)) problems.push(`${url}: no summary list`);
      const exercises = section(html, 'Exercises');
      const count = exercises ? (exercises.match(/<li>/g) ?? []).length : 0;
      if (count < 3 || count > 5) problems.push(`${url}: ${count} exercises, expected 3 to 5`);
      const references = section(html, 'References');
      if (!references || !/href="https:\/\/doi\.org\/10\.\d{4,}\//.test(references)) problems.push(`${url}: no reference with a DOI`);
    }
    console.log(`      ${figures} figures checked`);
    expect(figures > 0, 'the site has no figure');
    expect(problems.length === 0, problems.join('\n'));
  },
}, {
  name: 'the split figure counts the same leaky neighbours as epibook audit, and the text quotes them',
  async run(harness) {
    const url = '01-epigenetic-data/05-tutorial-1.html';
    const html = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
    const figure = figuresOf(html).find((f) => f.name === 'split-along-genome');
    expect(figure, `${url} has no split-along-genome figure`);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-e2e-split-'));
    const audited = {};
    for (const [key, block] of [['per_window', '0'], ['20_kb_blocks', '20000']]) {
      const out = path.join(scratch, key);
      const cli = (args) => runProgram(harness.cliPath, args);
      const prep = await cli(['prep', '--bigwig', path.join(harness.siteDir, 'assets/dm3-chr2R-rnaseq.bw'), '--regions', 'chr2R:7,000,000-8,000,000',
        '--preset', 'tutorial1', '--hash-block', block, '-o', out, '-q']);
      expect(prep.status === 0, `epibook prep failed: ${prep.stderr}`);
      const report = path.join(scratch, `${key}.json`);
      const audit = await cli(['audit', '--dataset', out, '--json', report, '-q']);
      expect(audit.status === 0, `epibook audit failed: ${audit.stderr}`);
      audited[key] = JSON.parse(fs.readFileSync(report, 'utf8'));
    }
    fs.rmSync(scratch, { recursive: true, force: true });
    const text = textOf(html);
    for (const key of ['per_window', '20_kb_blocks']) {
      const fromFigure = figure.numbers[key].neighbours_split_apart;
      const windowsFromFigure = figure.numbers[key].windows_touching_another_split;
      const fromAudit = audited[key].contacts.adjacent_windows;
      expect(windowsFromFigure === fromAudit, `${key}: the figure finds ${windowsFromFigure} windows touching another split's, epibook audit ${fromAudit}`);
      expect(text.includes(`${fromFigure} touching pairs`) || text.includes(`splits ${fromFigure}`), `${url}: the text does not quote ${fromFigure} (${key})`);
    }
  },
}, {
  name: 'the AUROC floor figure of page 07 spreads as the Mann-Whitney formula says, and the text quotes it',
  async run(harness) {
    const url = '01-epigenetic-data/07-your-first-model.html';
    const html = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
    const figure = figuresOf(html).find((f) => f.name === 'auroc-floor');
    expect(figure, `${url} has no auroc-floor figure`);
    const { positives, negatives, sd, formula_sd: formulaSd, band_top: bandTop, rounds } = figure.numbers;
    const windows = fs.readFileSync(path.join(harness.siteDir, 'assets/first-model/sim-windows.bed'), 'utf8').trim().split('\n')
      .map((l) => l.split('\t')).filter((f) => f[3] === 'validation');
    expect(positives === windows.filter((f) => f[4] === '1').length && negatives === windows.length - positives, `${positives} + ${negatives} windows`);
    expect(Math.abs(sd - formulaSd) <= 0.002, `shuffled sd ${sd} against the formula's ${formulaSd}`);
    const text = textOf(html);
    for (const quoted of [`${positives} peak and ${negatives} background`, `${rounds.toLocaleString('en-US')} times`, `deviation of ${sd.toFixed(3)}`, `to ${bandTop.toFixed(3)}`]) {
      expect(text.includes(quoted), `${url}: the text does not quote "${quoted}"`);
    }
  },
}];
