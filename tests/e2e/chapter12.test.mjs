// Chapter 12's labs as the experiments its pages frame. Each pitfalls lab builds its data
// twice (with the pitfall, with the fix); this file reads both sides from state() and
// checks: the auditor's check that names the pitfall FAILs with the pitfall and does not
// with the fix; the score moves the way the page says, by the amounts it states (the
// constants here, each quoted in the lab's Expect line or in the page's text); and the
// page's figures, counted by the site builder from `epibook regions` output, agree with
// what the lab's auditor found on the same windows.
import { figureNumbers, unquotedFigureNumbers } from './chapter-pages.mjs';
import { expect, expectNoProblems, newContext, siteLabs, watchedPage } from './harness.mjs';
import { near, openLab } from './labs.mjs';
import fs from 'node:fs';
import path from 'node:path';

const CHAPTER = '12-pitfalls/';
const text3 = (v) => v.toFixed(3);

// The 8-mer model's scores and the audits, per pitfall: p = with the pitfall, f = with the fix.
const EXPECTED = {
  dependent: {
    check: 'overlap', fixed: 'PASS', overlapping: 15333,
    p: { validation: { auroc: 0.791 }, test: { auroc: 0.810 } },
    f: { validation: { auroc: 0.642 }, test: { auroc: 0.695 } },
  },
  preprocessing: {
    check: 'normalisation', fixed: 'PASS',
    p: { test: { auroc: 1 } },
    f: { validation: { auroc: 0.616 }, test: { auroc: 0.663 } },
  },
  imbalance: {
    check: 'overlap', fixed: 'PASS', overlapping: 3568,
    p: { test: { auroc: 1, auprc: 1 } },
    f: { test: { peak_fraction: 0.081, auroc: 0.681, auprc: 0.141, accuracy: 0.876, peak_recall: 0.139 } },
  },
  'validation-balance': {
    check: 'label-balance', fixed: 'PASS',
    p: { validation: { peak_fraction: 0.249, auprc: 0.299 }, test: { peak_fraction: 0.086, auprc: 0.151 } },
    f: { validation: { auprc: 0.155 }, test: { auprc: 0.151 } },
  },
  confounding: {
    check: 'gc', fixed: 'WARN', ks: { p: 0.268, f: 0.128 },
    p: { validation: { auroc: 0.703, gc_auroc: 0.697 }, test: { auroc: 0.628 } },
    f: { test: { auroc: 0.663 } },
  },
  distribution: {
    check: 'gc', fixed: 'PASS', ks: { p: 0.535 },
    p: { test: { auroc: 0.595, gc_auroc: 0.563 } },
    f: { test: { auroc: 0.695, gc_auroc: 0.699 } },
  },
};

// The text of each "Expect:" line of a page, in page order (one per lab).
function expectLines(siteDir, url) {
  const html = fs.readFileSync(path.join(siteDir, url), 'utf8');
  return [...html.matchAll(/<li><strong>Expect:<\/strong>([\s\S]*?)<\/li>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
}

function pageText(siteDir, url) {
  return fs.readFileSync(path.join(siteDir, url), 'utf8').replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ');
}

// The lab's state once both sides are computed.
function settledState(page, number) {
  return page.evaluate(async (n) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    const deadline = performance.now() + 180000;
    do { await handle.whenIdle(); } while (handle.state().stage === 'computing' && performance.now() < deadline);
    return JSON.parse(JSON.stringify(handle.state()));
  }, number);
}

// The KS D the gc check's summary names ("largest KS D = 0.268 (...)").
const ksOf = (side) => Number(/KS D = ([\d.]+)/.exec(side.checks.find((c) => c.name === 'gc').summary)[1]);

// Every lab of one page: each side's audit and scores against EXPECTED, and each number
// checked stated in that lab's Expect line. Returns the states by pitfall.
async function checkPage(harness, file) {
  const url = CHAPTER + file;
  const labs = siteLabs(harness.siteDir).filter((l) => l.page === url && l.name === 'pitfalls');
  const lines = expectLines(harness.siteDir, url);
  expect(labs.length === 3 && lines.length === 3, `${url}: ${labs.length} pitfalls labs and ${lines.length} Expect lines, expected 3 each`);
  const context = await newContext(harness);
  const page = await watchedPage(context);
  const states = {};
  for (const [index, lab] of labs.entries()) {
    await openLab(page, harness.baseUrl, lab);
    const s = await settledState(page, lab.number);
    expect(s.stage === 'ready', `${lab.params.pitfall}: the lab is ${s.stage}: ${s.message}`);
    const e = EXPECTED[s.pitfall];
    const [p, f] = [s.with_pitfall, s.with_fix];
    const line = lines[index];
    const stated = [];
    console.log(`      ${s.pitfall}: ${p.check} ${p.level} -> ${f.level}; test AUROC ${text3(p.test.auroc)} -> ${text3(f.test.auroc)},`
      + ` validation ${text3(p.validation.auroc)} -> ${text3(f.validation.auroc)}; AUPRC test ${text3(p.test.auprc)} -> ${text3(f.test.auprc)}`);
    // The auditor: the named check FAILs with the pitfall, and is back with the fix.
    expect(p.check === e.check && p.level === 'FAIL', `${s.pitfall}: ${p.check} is ${p.level} with the pitfall: ${p.finding}`);
    expect(f.level === e.fixed, `${s.pitfall}: ${f.check} is ${f.level} with the fix, expected ${e.fixed}: ${f.finding}`);
    expect(line.includes('FAIL'), `${url}: the Expect line of ${s.pitfall} does not say FAIL`);
    if (e.overlapping !== undefined) {
      expect(p.overlapping_windows === e.overlapping && f.overlapping_windows === 0,
        `${s.pitfall}: ${p.overlapping_windows} then ${f.overlapping_windows} windows overlap another split's`);
      stated.push(e.overlapping.toLocaleString('en-US'));
    }
    if (e.ks) {
      near(Number(text3(ksOf(p))), e.ks.p, 1e-9, `${s.pitfall}: KS D with the pitfall`);
      stated.push(text3(e.ks.p));
      if (e.ks.f !== undefined) { near(Number(text3(ksOf(f))), e.ks.f, 1e-9, `${s.pitfall}: KS D with the fix`); stated.push(text3(e.ks.f)); }
    }
    // The scores, to the three decimals the page states.
    for (const [sideKey, side] of [['p', p], ['f', f]]) {
      for (const [split, values] of Object.entries(e[sideKey])) {
        for (const [metric, value] of Object.entries(values)) {
          near(Number(text3(side[split][metric])), value, 1e-9, `${s.pitfall} ${sideKey === 'p' ? 'pitfall' : 'fix'} ${split} ${metric}`);
          stated.push(text3(value));
        }
      }
    }
    for (const value of stated) expect(line.includes(value), `${url}: the Expect line of ${s.pitfall} does not say ${value}: "${line.trim()}"`);
    // Switching sides draws the other side and changes no number.
    await page.evaluate(async (n) => { const h = document.querySelector(`#lab-${n} canvas`).epibookLab; await h.set('fix', true); await h.whenIdle(); }, lab.number);
    const switched = await settledState(page, lab.number);
    expect(switched.fix === true && JSON.stringify(switched.with_fix) === JSON.stringify(f), `${s.pitfall}: the fix side changed when shown`);
    states[s.pitfall] = s;
  }
  expectNoProblems(page, url);
  await context.close();
  return states;
}

export const tests = [{
  name: 'page 02: overlapping tiles, counts fitted on all windows and peaks copied before the split, each flagged and fixed',
  async run(harness) {
    const url = `${CHAPTER}02-leaks-between-splits.html`;
    const s = await checkPage(harness, '02-leaks-between-splits.html');
    const dependent = s.dependent;
    // The leaks raise the score; the fix brings it down to what the model knows.
    expect(dependent.with_pitfall.test.auroc > dependent.with_fix.test.auroc + 0.1, 'overlapping tiles do not inflate the test AUROC');
    expect(s.preprocessing.with_pitfall.test.auroc > s.preprocessing.with_fix.test.auroc + 0.2, 'counts on all windows do not inflate the test AUROC');
    expect(s.imbalance.with_pitfall.test.auroc > s.imbalance.with_fix.test.auroc + 0.2, 'copies before the split do not inflate the test AUROC');
    // The page's text: the fix's cost in AUROC, and accuracy of calling nothing a peak.
    const text = pageText(harness.siteDir, url);
    const drop = dependent.with_pitfall.test.auroc - dependent.with_fix.test.auroc;
    expect(text.includes(`rise of ${text3(drop)}`), `${url} does not state the rise of ${text3(drop)}`);
    const nothing = 1 - s.imbalance.with_fix.test.peak_fraction;
    expect(text.includes(`right ${text3(nothing)} of the time`), `${url} does not state ${text3(nothing)} for calling nothing a peak`);
    // The figure counts overlaps itself from `epibook regions` output: the auditor's count.
    const figure = figureNumbers(harness.siteDir, url, 'pitfall-overlapping-tiles');
    expect(figure.overlapping_random === dependent.with_pitfall.overlapping_windows && figure.overlapping_by_chromosome === 0,
      `figure: ${figure.overlapping_random} overlapping tiles, lab ${dependent.with_pitfall.overlapping_windows}`);
    expect(figure.tiles === dependent.with_pitfall.windows, `figure: ${figure.tiles} tiles, lab ${dependent.with_pitfall.windows}`);
  },
}, {
  name: 'page 03: a peak-rich validation set, a GC confounder and a GC-rich test set, each flagged and fixed',
  async run(harness) {
    const url = `${CHAPTER}03-splits-that-mislead.html`;
    const s = await checkPage(harness, '03-splits-that-mislead.html');
    const balance = s['validation-balance'];
    // The model and the test windows do not change with the validation set.
    expect(JSON.stringify(balance.with_pitfall.test) === JSON.stringify(balance.with_fix.test), 'the test scores moved with the validation set');
    expect(Math.abs(balance.with_fix.validation.auprc - balance.with_fix.test.auprc) < 0.02, 'validation drawn like the test does not predict its AUPRC');
    expect(balance.with_pitfall.validation.auprc > 1.5 * balance.with_pitfall.test.auprc, 'the peak-rich validation set does not flatter the AUPRC');
    // Confounding: trained without the shortcut, the model does better where GC cannot help.
    expect(s.confounding.with_fix.test.auroc > s.confounding.with_pitfall.test.auroc, 'GC-matched training does not beat random negatives on the matched test');
    const text = pageText(harness.siteDir, url);
    const drop = s.distribution.with_fix.test.auroc - s.distribution.with_pitfall.test.auroc;
    expect(text.includes(`scores ${text3(drop)} less`), `${url} does not state the drop of ${text3(drop)}`);
    // The figure counts GC itself from the FASTA; the auditor's means on the same tiles.
    const figure = figureNumbers(harness.siteDir, url, 'pitfall-tile-gc');
    const gc = s.distribution.with_pitfall.checks.find((c) => c.name === 'gc').summary;
    for (const v of [figure.mean_gc_train, figure.mean_gc_gc_rich_test]) expect(gc.includes(String(v)), `figure mean GC ${v} is not the auditor's: ${gc}`);
    expect(figure.gc_rich_test_tiles === s.distribution.with_pitfall.splits.test.windows, `figure: ${figure.gc_rich_test_tiles} GC-rich tiles, lab ${s.distribution.with_pitfall.splits.test.windows}`);
    // The chapter page's peak shares (counted from `epibook regions` output) are the ones
    // the lab's auditor reports for every tile split by chromosome and for chr2's peaks.
    const shares = figureNumbers(harness.siteDir, `${CHAPTER}index.html`, 'pitfall-peak-share');
    for (const split of ['train', 'validation', 'test']) {
      near(shares[`tiles_${split}`], balance.with_fix.splits[split].peak_fraction, 5e-5, `peak share of the ${split} tiles`);
    }
    near(shares.peaks_3_negatives_validation, balance.with_pitfall.splits.validation.peak_fraction, 5e-5, 'peak share of chr2\'s peaks and negatives');
  },
}, {
  name: 'every number chapter 12\'s figures computed is quoted by the page that draws them',
  async run(harness) {
    const pages = ['index.html', '02-leaks-between-splits.html', '03-splits-that-mislead.html'].map((p) => CHAPTER + p);
    const problems = unquotedFigureNumbers(harness.siteDir, pages);
    expect(problems.length === 0, problems.join('\n'));
  },
}];
