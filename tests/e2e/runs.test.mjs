// The run dashboard (runs.html) against `epibook runs`: two run folders that
// `epibook train` writes from "Your first model"'s config (two learning rates), opened
// in the page as a folder, give in its table, its sort order and its CSV the numbers
// the CLI's own reader prints with --json; a broken metrics.jsonl is named with its line;
// nothing opened leaves the page. And a run trained in the first-model lab appears in
// the dashboard after its first epoch, with the lab's validation loss.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, expectNoProblems, newContext, runProgram, screenshotPath, watchedPage } from './harness.mjs';
import { callLab, labState } from './labs.mjs';
import { openFirstModel } from './training.test.mjs';
import { pageCommands } from './training-cli.test.mjs';

const EPOCHS = 2;
const LEARNING_RATES = ['0.003', '0.01'];
// One epoch of the first-model lab: 1,266 training rows in batches of 32.
const LAB_EPOCH_STEPS = 40;

async function epibook(harness, args, cwd) {
  const result = await runProgram(harness.cliPath, args, { cwd });
  expect(result.status === 0, `epibook ${args.join(' ')}: exit ${result.status}\n${result.stderr}`);
  return result.stdout;
}

// A sweep folder of two runs that differ in the learning rate.
async function trainSweep(harness) {
  const { config } = pageCommands();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-runs-'));
  const sweep = path.join(dir, 'sweep');
  for (const rate of LEARNING_RATES) {
    expect(config.includes('learning_rate = 0.003'), 'the page\'s config no longer sets learning_rate = 0.003');
    const file = path.join(dir, `lr${rate}.toml`);
    fs.writeFileSync(file, config.replace('learning_rate = 0.003', `learning_rate = ${rate}`));
    await epibook(harness, ['train', '--config', file, '--data-root', harness.siteDir, '--epochs', String(EPOCHS), '-q',
      '-o', path.join(sweep, `lr${rate}`)], dir);
  }
  return { dir, sweep };
}

async function openDashboard(page, harness) {
  await page.goto(`${harness.baseUrl}runs.html`);
  await page.waitForSelector('[data-run-dashboard][data-ready="true"]', { timeout: 20000 });
}

// The table as { columns, rows: [{ name, cells: { column: number | text } }] }.
export function dashboardTable(page) {
  return page.evaluate(() => {
    const table = document.querySelector('[data-run-dashboard] .runs-table');
    if (!table) return { columns: [], rows: [] };
    const columns = [...table.querySelectorAll('thead th')].map((th) => th.dataset.column);
    const rows = [...table.querySelectorAll('tbody tr')].map((tr) => {
      const cells = {};
      for (const td of tr.querySelectorAll('td')) cells[td.dataset.column] = td.dataset.value !== undefined ? Number(td.dataset.value) : td.textContent;
      return { name: tr.dataset.run, cells };
    });
    return { columns, rows };
  });
}

// RFC 4180 rows (the dashboard quotes only what needs it).
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; } else field += c;
  }
  return rows;
}

// The CLI's run whose name ends the page's (the page names a run by the path under
// the folder the reader picked, "sweep/lr0.01"; the CLI by the path under its argument).
function cliRunOf(cli, pageName) {
  const run = cli.runs.find((r) => pageName === r.name || pageName.endsWith(`/${r.name}`));
  expect(run, `the dashboard shows a run "${pageName}" that epibook runs does not list`);
  return run;
}

export const tests = [{
  name: 'run dashboard: two epibook train runs opened as a folder show epibook runs --json\'s numbers, sorted and as CSV',
  async run(harness) {
    const { dir, sweep } = await trainSweep(harness);
    const cli = JSON.parse(await epibook(harness, ['runs', '--json', sweep], dir));
    expect(cli.runs.length === LEARNING_RATES.length, `epibook runs lists ${cli.runs.length} runs`);
    expect(cli.differing_settings.includes('schedule.learning_rate'), `differing settings: ${cli.differing_settings}`);

    const context = await newContext(harness);
    const requests = [];
    context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() }));
    const page = await watchedPage(context);
    await openDashboard(page, harness);
    await page.setInputFiles('[data-run-dashboard] input[data-runs-input="folder"]', sweep);
    await page.waitForSelector('[data-run-dashboard] tbody tr[data-run]');
    const table = await dashboardTable(page);
    expect(table.rows.length === cli.runs.length, `the dashboard shows ${table.rows.length} runs`);

    // Every number of every row is the CLI reader's.
    let checked = 0;
    const same = (what, a, b) => {
      expect(a === b, `${what}: the dashboard shows ${a}, epibook runs --json says ${b}`);
      checked += 1;
    };
    for (const row of table.rows) {
      const run = cliRunOf(cli, row.name);
      for (const metric of cli.metrics) same(`${row.name} ${metric}`, row.cells[metric], run.final[metric]);
      same(`${row.name} best ${run.monitored}`, row.cells.best_monitored, run.best[run.monitored]);
      same(`${row.name} best epoch`, row.cells.best_epoch, run.best_epoch[run.monitored]);
      same(`${row.name} epochs`, row.cells.epochs, run.epochs);
      same(`${row.name} seed`, row.cells.seed, run.seed);
      same(`${row.name} stopped`, row.cells.stopped, run.stopped_early ? 'early' : 'no');
      same(`${row.name} learning rate`, Number(row.cells['schedule.learning_rate']), run.settings['schedule.learning_rate']);
    }
    const settingColumns = table.columns.filter((c) => c.includes('.'));
    same('differing settings', settingColumns.join(' '), cli.differing_settings.filter((k) => k !== 'train.seed').join(' '));
    const settingRows = await page.locator('[data-run-dashboard] .runs-settings tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.setting));
    same('settings side by side', settingRows.join(' '), cli.differing_settings.join(' '));
    const curves = await page.locator('[data-run-dashboard] .runs-curves svg path[stroke]').count();
    expect(curves === cli.runs.length, `the plot draws ${curves} curves for ${cli.runs.length} runs`);

    // Sorting by AUROC (best first) gives `epibook runs --sort auroc`'s order; again, the reverse.
    const sortedCli = JSON.parse(await epibook(harness, ['runs', '--json', '--sort', 'auroc', sweep], dir)).runs.map((r) => r.name);
    await page.click('[data-run-dashboard] th[data-column="auroc"] button');
    const sorted = (await dashboardTable(page)).rows.map((r) => cliRunOf(cli, r.name).name);
    same('order sorted by auroc', sorted.join(' '), sortedCli.join(' '));
    await page.click('[data-run-dashboard] th[data-column="auroc"] button');
    const reversed = (await dashboardTable(page)).rows.map((r) => cliRunOf(cli, r.name).name);
    same('order sorted by auroc, reversed', reversed.join(' '), [...sortedCli].reverse().join(' '));

    // The CSV holds the table's numbers at full precision, in the order shown.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-run-dashboard] button[data-runs-action="csv"]')]);
    const csvFile = path.join(dir, 'runs.csv');
    await download.saveAs(csvFile);
    const [header, ...csvRows] = parseCsv(fs.readFileSync(csvFile, 'utf8'));
    expect(csvRows.length === cli.runs.length, `the CSV has ${csvRows.length} rows`);
    csvRows.forEach((cells, i) => {
      const run = cliRunOf(cli, cells[header.indexOf('run')]);
      same(`CSV row ${i + 1}`, run.name, reversed[i]);
      for (const metric of cli.metrics) same(`CSV ${run.name} ${metric}`, Number(cells[header.indexOf(metric)]), run.final[metric]);
      same(`CSV ${run.name} learning rate`, Number(cells[header.indexOf('schedule.learning_rate')]), run.settings['schedule.learning_rate']);
    });
    await page.screenshot({ path: screenshotPath('runs-dashboard'), fullPage: true });

    // A broken metrics.jsonl is named with its line; the runs already open stay.
    const manifest = fs.readFileSync(path.join(sweep, `lr${LEARNING_RATES[0]}`, 'manifest.json'));
    await page.setInputFiles('[data-run-dashboard] input[data-runs-input="files"]', [
      { name: 'manifest.json', mimeType: 'application/json', buffer: manifest },
      { name: 'metrics.jsonl', mimeType: 'application/json', buffer: Buffer.from('{"epoch": 0, "train_loss": 0.5}\n{"epoch": 1, "train_loss": \n') },
    ]);
    await page.waitForSelector('[data-run-dashboard] .runs-messages li');
    const message = await page.locator('[data-run-dashboard] .runs-messages li').first().textContent();
    expect(message.includes('metrics.jsonl: line 2: not JSON'), `the message for a broken metrics.jsonl: "${message}"`);
    expect((await dashboardTable(page)).rows.length === cli.runs.length, 'the open runs went away after a broken file');

    // Nothing the page read went anywhere: every request is the site's own, and none posts.
    const origin = new URL(harness.baseUrl).origin;
    for (const r of requests) {
      expect(new URL(r.url).origin === origin || r.url.startsWith('blob:'), `a request left the site: ${r.method} ${r.url}`);
      expect(r.method === 'GET' && !r.body, `the dashboard sent ${r.method} ${r.url}`);
    }

    // A phone held upright: the page itself does not scroll sideways (the table does).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow <= 0, `at 390 px the dashboard page is ${overflow} px wider than the screen`);
    await page.screenshot({ path: screenshotPath('runs-dashboard-phone'), fullPage: true });
    console.log(`      ${checked} values of ${cli.runs.length} runs equal epibook runs --json's`);
    expectNoProblems(page, 'runs.html');
    await context.close();
  },
}, {
  name: 'run dashboard: a run trained in the first-model lab appears after its first epoch',
  async run(harness) {
    const { lab, context, page } = await openFirstModel(harness);
    await callLab(page, lab.number, 'set', 'train_steps', LAB_EPOCH_STEPS);
    const trained = await labState(page, lab.number);
    expect(trained.validation.length === 1, `the lab validated ${trained.validation.length} epochs after ${trained.steps} steps`);

    const dashboard = await watchedPage(context);
    await openDashboard(dashboard, harness);
    const table = await dashboardTable(dashboard);
    const labRows = table.rows.filter((r) => r.cells.source === 'lab');
    expect(labRows.length === 1, `the dashboard lists ${labRows.length} lab runs: ${JSON.stringify(table.rows)}`);
    const row = labRows[0];
    expect(row.name.startsWith('first-model A'), `the lab run is called "${row.name}"`);
    expect(row.cells.epochs === 1, `the lab run has ${row.cells.epochs} epochs`);
    expect(row.cells.validation_loss === trained.validation[0].loss,
      `the lab run's validation loss is ${row.cells.validation_loss} in the dashboard, ${trained.validation[0].loss} in the lab`);
    expect(row.cells.auroc === trained.validation[0].auroc, `auroc ${row.cells.auroc} against the lab's ${trained.validation[0].auroc}`);

    // Forgetting the lab runs empties the list.
    await dashboard.click('[data-run-dashboard] button[data-runs-action="forget"]');
    expect((await dashboardTable(dashboard)).rows.length === 0, 'lab runs are still listed after "Forget lab runs"');
    expectNoProblems(page, 'first-model');
    expectNoProblems(dashboard, 'runs.html');
    await context.close();
  },
}];
