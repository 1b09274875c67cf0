// Chapter 11's labs as the experiments its pages frame, and the run dashboard each page
// embeds under its lab. Page 02: the lr-sweep lab trains one run per learning rate; its
// per-run numbers must equal the dashboard's reading of the runs the page stored (a second
// reader of the run format, in JavaScript), the dashboard sorted by AUROC must put the
// lab's best rate first, the native CLI's sweep (the figure) must agree to the third
// decimal, and the page's Expect line must state the pinned numbers. Page 03: runs A and
// B of the first model with batches of 32 and 128: steps from the arithmetic of batches,
// the dashboard's settings that differ (one line) and its CSV equal to the lab's numbers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, screenshotPath } from './harness.mjs';
import { canvasColours, expectStated, near, setRefusal, signed3, text3, withOpenLab } from './labs.mjs';
import { figureNumbers, pageToml, unquotedFigureNumbers } from './chapter-pages.mjs';
import { dashboardTable, parseCsv } from './runs.test.mjs';

const CHAPTER = '11-weights-and-biases/';

// Page 02: the sweep's last validation AUROC, lowest validation loss and its epoch per rate.
const SWEEP = {
  epochs: 5,
  steps: 200,
  runs: {
    0.001: { auroc: 0.659, best_loss: 0.471, best_epoch: 5 },
    0.003: { auroc: 0.837, best_loss: 0.414, best_epoch: 5 },
    0.01: { auroc: 0.848, best_loss: 0.324, best_epoch: 5 },
    0.03: { auroc: 0.793, best_loss: 0.376, best_epoch: 4 },
  },
  best_rate: 0.01,
};

// Pages 02 and 03: the first model's training windows (sim-motifs).
const TRAINING_WINDOWS = 1266;

// Page 03: runs A (batches of 32) and B (128), five epochs.
const COMPARE = { a_steps: 200, b_steps: 50, a_auroc: 0.837, b_auroc: 0.657, b_auroc_at_40: 0.593 };

// The lab `name` of this chapter, opened once the run dashboard under it is ready.
const withLab = (harness, name, body) => withOpenLab(harness, CHAPTER, name, body, '[data-run-dashboard][data-ready="true"]');

// The dashboard on the page once it lists `count` lab runs (it follows the lab's epochs).
async function labRowsOnPage(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll('[data-run-dashboard] .runs-table:not(.runs-settings) tbody tr').length === n,
    count, { timeout: 20000 });
  const table = await dashboardTable(page);
  expect(table.rows.every((r) => r.cells.source === 'lab'), `the page's dashboard lists runs from elsewhere: ${table.rows.map((r) => r.name)}`);
  return table;
}

// The lab's canvas (it must show its results) and the dashboard under it, on a laptop and on a phone.
async function screenshots(page, name, labNumber) {
  expect(await canvasColours(page, labNumber, `${name}-lab`) >= 16, `${name}: the lab's canvas is blank`);
  await page.locator('[data-run-dashboard]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath(`${name}-dashboard`) });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(150);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow <= 0, `at 390 px the page is ${overflow} px wider than the screen`);
  await page.locator('[data-run-dashboard]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath(`${name}-dashboard-phone`) });
}

export const tests = [{
  name: 'page 02: a learning-rate sweep in the page, listed and sorted by the dashboard under it, as the CLI trained it',
  async run(harness) {
    await withLab(harness, 'lr-sweep', async ({ set, state, lab, page, url, line }) => {
      const ready = await state();
      expect(ready.stage === 'ready' && ready.phase === 'idle', `the lab is ${ready.stage}, ${ready.phase}: ${ready.message}`);
      expect(JSON.stringify(ready.rates) === JSON.stringify(Object.keys(SWEEP.runs).map(Number)), `the lab's rates are ${ready.rates}`);
      // Its runs are the page's sweep.toml (the learning rate aside), so the page's commands train them.
      expect(ready.cli_config === pageToml(CHAPTER, '02-sweeps.md', 'sweep.toml'), `the lab's CLI config is not the page's sweep.toml:\n${ready.cli_config}`);
      // The learning rate is the sweep's: a reader's is refused with a message naming it.
      const refusal = await setRefusal(page, lab.number, 'learning_rate', 0.02);
      expect(refusal && refusal.includes('learning_rate'), `set('learning_rate', 0.02) was not refused: ${refusal}`);

      await set('sweep', 1);
      const s = await state();
      expect(s.phase === 'done' && s.runs.length === 4, `after the sweep: ${s.phase}, ${s.runs.length} runs: ${s.message}`);
      console.log(`      ${s.runs.map((r) => `lr ${r.learning_rate}: auroc ${text3(r.final_auroc)}, best loss ${text3(r.best_validation_loss)} at ${r.best_epoch}`).join('; ')}; best ${s.best_rate}`);
      for (const run of s.runs) {
        expect(run.epochs === SWEEP.epochs && run.steps === SWEEP.steps, `lr ${run.learning_rate}: ${run.epochs} epochs, ${run.steps} steps`);
        // The summaries against the lab's own curves.
        near(run.final_auroc, run.auroc.at(-1), 0, `lr ${run.learning_rate}: last AUROC`);
        near(run.best_validation_loss, Math.min(...run.validation_loss), 0, `lr ${run.learning_rate}: lowest validation loss`);
        expect(run.validation_loss[run.best_epoch - 1] === run.best_validation_loss, `lr ${run.learning_rate}: best epoch ${run.best_epoch}`);
      }
      const best = s.runs.reduce((a, r) => (r.final_auroc > a.final_auroc ? r : a));
      expect(s.best_rate === best.learning_rate, `best rate ${s.best_rate}, the highest last AUROC is ${best.learning_rate}'s`);

      // The dashboard under the lab read the four runs the page stored, with its own reader.
      const table = await labRowsOnPage(page, 4);
      const settingColumns = table.columns.filter((c) => c.includes('.'));
      expect(settingColumns.join(' ') === 'schedule.learning_rate', `the dashboard's setting columns: ${settingColumns}`);
      for (const run of s.runs) {
        const row = table.rows.find((r) => Number(r.cells['schedule.learning_rate']) === run.learning_rate);
        expect(row, `the dashboard lists no run with learning rate ${run.learning_rate}`);
        expect(row.cells.auroc === run.final_auroc, `lr ${run.learning_rate}: AUROC ${row.cells.auroc} in the dashboard, ${run.final_auroc} in the lab`);
        expect(row.cells.validation_loss === run.final_validation_loss, `lr ${run.learning_rate}: validation loss ${row.cells.validation_loss} against ${run.final_validation_loss}`);
        expect(row.cells.best_monitored === run.best_validation_loss && row.cells.best_epoch === run.best_epoch,
          `lr ${run.learning_rate}: best validation loss ${row.cells.best_monitored} at ${row.cells.best_epoch} against ${run.best_validation_loss} at ${run.best_epoch}`);
        expect(row.cells.epochs === SWEEP.epochs, `lr ${run.learning_rate}: ${row.cells.epochs} epochs in the dashboard`);
      }
      const curves = await page.locator('[data-run-dashboard] .runs-curves svg path[stroke]').count();
      expect(curves === 4, `the dashboard draws ${curves} curves`);
      await page.click('[data-run-dashboard] th[data-column="auroc"] button');
      const sorted = (await dashboardTable(page)).rows.map((r) => Number(r.cells['schedule.learning_rate']));
      const byAuroc = [...s.runs].sort((a, b) => b.final_auroc - a.final_auroc).map((r) => r.learning_rate);
      expect(sorted.join(' ') === byAuroc.join(' '), `sorted by AUROC the dashboard reads ${sorted}, the lab ${byAuroc}`);

      // The native CLI trained the same four runs for the figure: the same to the third decimal.
      const figure = figureNumbers(harness.siteDir, url, 'lr-sweep-curves');
      for (const run of s.runs) {
        const key = String(run.learning_rate).replace('.', '_');
        near(figure[`auroc_${key}`], run.final_auroc, 0.002, `figure (CLI) against lab: AUROC at ${run.learning_rate}`);
        near(figure[`best_loss_${key}`], run.best_validation_loss, 0.002, `figure (CLI) against lab: best loss at ${run.learning_rate}`);
      }
      expect(figure.best_rate === s.best_rate, `the CLI's sweep picks ${figure.best_rate}, the lab's ${s.best_rate}`);

      // The page's numbers.
      for (const run of s.runs) {
        const pinned = SWEEP.runs[run.learning_rate];
        near(Number(text3(run.final_auroc)), pinned.auroc, 1e-9, `lr ${run.learning_rate}: AUROC`);
        near(Number(text3(run.best_validation_loss)), pinned.best_loss, 1e-9, `lr ${run.learning_rate}: best loss`);
        expect(run.best_epoch === pinned.best_epoch, `lr ${run.learning_rate}: best epoch ${run.best_epoch}, the page says ${pinned.best_epoch}`);
      }
      expect(s.best_rate === SWEEP.best_rate, `best rate ${s.best_rate}`);
      // The winner's margin over the runner-up, and the order the dashboard sorted.
      const [first, second] = [...s.runs].sort((x, y) => y.final_auroc - x.final_auroc);
      expectStated(line, url, [...s.runs.map((r) => text3(r.final_auroc)), text3(first.final_auroc - second.final_auroc), sorted.join(', ')]);
      await screenshots(page, 'chapter11-sweep', lab.number);
    });
  },
}, {
  name: 'page 03: batches of 32 against 128: a quarter of the steps, one setting that differs, the CSV of the two runs',
  async run(harness) {
    await withLab(harness, 'first-model', async ({ set, state, lab, page, url, line }) => {
      const opened = await state();
      expect(opened.compare && opened.b && opened.settings.train.batch_size === 32, `Lab 2 opens with compare ${opened.compare}`);
      expect(opened.cli_config === pageToml(CHAPTER, '03-comparing-runs.md', 'compare.toml'), `run A's CLI config is not the page's compare.toml:\n${opened.cli_config}`);
      await set('b.batch_size', 128);
      await set('start', 1);
      const s = await state();
      expect(s.phase === 'finished' && s.b.phase === 'finished', `runs ${s.phase} and ${s.b.phase}: ${s.message}`);
      const a = s.validation.at(-1);
      const b = s.b.validation.at(-1);
      console.log(`      A ${s.steps} steps, auroc ${text3(a.auroc)}; B ${s.b.steps} steps, auroc ${text3(b.auroc)}; B - A ${signed3(b.auroc - a.auroc)}`);
      // Steps from the arithmetic of batches: 1,266 training windows, the last batch takes the rest.
      const rows = s.rows_per_split.train;
      expect(rows === TRAINING_WINDOWS, `${rows} training windows, the pages say ${TRAINING_WINDOWS}`);
      expect(s.steps === 5 * Math.ceil(rows / 32) && s.b.steps === 5 * Math.ceil(rows / 128), `steps ${s.steps} and ${s.b.steps} for ${rows} rows`);
      near(s.difference.auroc, b.auroc - a.auroc, 1e-12, 'the lab\'s B − A');

      // The dashboard under the lab: the two runs, one setting that differs, the lab's numbers.
      const table = await labRowsOnPage(page, 2);
      const differing = await page.locator('[data-run-dashboard] .runs-settings tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.setting));
      expect(differing.join(' ') === 'train.batch_size', `settings that differ: ${differing}`);
      const byBatch = Object.fromEntries(table.rows.map((r) => [r.cells['train.batch_size'], r]));
      for (const [batch, run] of [['32', { ...a, steps: s.steps }], ['128', { ...b, steps: s.b.steps }]]) {
        expect(byBatch[batch], `the dashboard has no run with batch size ${batch}: ${JSON.stringify(table.rows)}`);
        expect(byBatch[batch].cells.auroc === run.auroc && byBatch[batch].cells.validation_loss === run.loss,
          `batch ${batch}: the dashboard shows auroc ${byBatch[batch].cells.auroc}, loss ${byBatch[batch].cells.validation_loss}; the lab ${run.auroc}, ${run.loss}`);
      }
      // Its CSV, sorted by AUROC: the same numbers at full precision, best first.
      await page.click('[data-run-dashboard] th[data-column="auroc"] button');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-run-dashboard] button[data-runs-action="csv"]')]);
      const csvFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-ch11-')), 'runs.csv');
      await download.saveAs(csvFile);
      const [header, ...csvRows] = parseCsv(fs.readFileSync(csvFile, 'utf8'));
      expect(csvRows.length === 2, `the CSV has ${csvRows.length} rows`);
      const column = (name) => header.indexOf(name);
      const expected = [[a, '32'], [b, '128']].sort((x, y) => y[0].auroc - x[0].auroc);
      csvRows.forEach((cells, i) => {
        expect(cells[column('train.batch_size')] === expected[i][1], `CSV row ${i + 1} is batch ${cells[column('train.batch_size')]}`);
        expect(Number(cells[column('auroc')]) === expected[i][0].auroc, `CSV row ${i + 1}: auroc ${cells[column('auroc')]}`);
      });

      // The native CLI trained the same two runs for the figure.
      const figure = figureNumbers(harness.siteDir, url, 'batch-compare');
      expect(figure.a_steps === s.steps && figure.b_steps === s.b.steps, `figure (CLI) steps ${figure.a_steps}, ${figure.b_steps}`);
      near(figure.a_auroc, a.auroc, 0.002, 'figure (CLI) against lab: A');
      near(figure.b_auroc, b.auroc, 0.002, 'figure (CLI) against lab: B');
      // After the same 40 steps: A's first epoch, B's fourth.
      const bAt40 = s.b.validation.find((v) => v.steps === s.validation[0].steps);
      expect(bAt40, `run B has no epoch ending at ${s.validation[0].steps} steps`);
      near(figure.a_auroc_first_epoch, s.validation[0].auroc, 0.002, 'figure (CLI) against lab: A after its first epoch');
      near(figure.a_auroc_second_epoch, s.validation[1].auroc, 0.002, 'figure (CLI) against lab: A after its second epoch');
      near(figure.b_auroc_same_steps, bAt40.auroc, 0.002, 'figure (CLI) against lab: B after as many steps');
      expect(bAt40.auroc > s.validation[0].auroc, `after ${s.validation[0].steps} steps B (${bAt40.auroc}) is not ahead of A (${s.validation[0].auroc})`);
      // The page's numbers.
      expect(s.steps === COMPARE.a_steps && s.b.steps === COMPARE.b_steps, 'steps against the page');
      near(Number(text3(a.auroc)), COMPARE.a_auroc, 1e-9, 'A\'s AUROC');
      near(Number(text3(b.auroc)), COMPARE.b_auroc, 1e-9, 'B\'s AUROC');
      near(Number(text3(bAt40.auroc)), COMPARE.b_auroc_at_40, 1e-9, 'B\'s AUROC after 40 steps');
      expectStated(line, url, [String(COMPARE.a_steps), String(COMPARE.b_steps), text3(a.auroc), text3(b.auroc), signed3(b.auroc - a.auroc),
        text3(bAt40.auroc), text3(s.validation[0].auroc)]);
      await screenshots(page, 'chapter11-compare', lab.number);
    });
  },
}, {
  name: 'the chapter\'s pages quote every number their figures computed, and chapter 7\'s seed spread and the dashboard\'s limit as they are',
  async run(harness) {
    const pages = ['index.html', '02-sweeps.html', '03-comparing-runs.html'].map((p) => CHAPTER + p);
    const problems = unquotedFigureNumbers(harness.siteDir, pages, ['epochs']);
    expect(problems.length === 0, problems.join('\n'));
    const text = (url) => fs.readFileSync(path.join(harness.siteDir, url), 'utf8').replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ');
    // Page 02 quotes chapter 7's seed spread of this model (its figure, trained by the CLI).
    const seeds = figureNumbers(harness.siteDir, '07-reproducibility/02-seed-variance.html', 'seed-error-bars');
    expect(text(`${CHAPTER}02-sweeps.html`).includes(`standard deviation of ${text3(seeds.a_sd)}`), `page 02 does not quote chapter 7's seed sd ${seeds.a_sd}`);
    expect(text(`${CHAPTER}02-sweeps.html`).includes(`${TRAINING_WINDOWS.toLocaleString('en-US')} for training`), 'page 02 does not say 1,266 training windows');
    // Page 03 gives the number of lab runs the browser keeps (run-store.js).
    const { MAX_STORED_RUNS } = await import('../../web/static/run-store.js');
    expect(text(`${CHAPTER}03-comparing-runs.html`).includes(`the last ${MAX_STORED_RUNS}`), `page 03 does not say the browser keeps the last ${MAX_STORED_RUNS} runs`);
  },
}];
