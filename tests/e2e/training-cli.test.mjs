// The lab's runs and the command line's are the same runs (issue 10): the commands
// "Your first model" shows, run as a reader would, give the lab's loss curve step for
// step and its validation scores to 1e-6 relative (wasm and native sum floats in
// different orders, nothing more); the lab's "Download run" is a run directory that
// `epibook eval` scores to the lab's numbers; a checkpoint `epibook train` wrote opens
// in the lab and scores and predicts there as `epibook eval` and `predict` do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, expectNoProblems, repo, runProgram } from './harness.mjs';
import { callLab, labState, openBytes } from './labs.mjs';
import { openFirstModel } from './training.test.mjs';

const TOLERANCE = 1e-6;  // relative: what the native/wasm agreement tests state
const PAGE = 'tutorials/01-epigenetic-data/07-your-first-model.md';
const SECTION = '## The same run on the command line';
// The lab trains the first three epochs of the page's run (its step losses and epoch
// scores are the CLI's first ones: batches and schedule do not depend on the epochs left).
const LAB_STEPS = 120;

// The page's section on the command line: its TOML config, and each `epibook` command
// of its shell blocks with the output lines (`# ...`) the page says it prints.
export function pageCommands() {
  const text = fs.readFileSync(path.join(repo, PAGE), 'utf8');
  const start = text.indexOf(SECTION);
  expect(start >= 0, `${PAGE} has no section "${SECTION}"`);
  const end = text.indexOf('\n## ', start + SECTION.length);
  const section = text.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], body: m[2] }));
  const toml = blocks.filter((b) => b.lang === 'toml');
  expect(toml.length === 1, `the section should show one TOML config, it shows ${toml.length}`);
  const commands = [];
  for (const block of blocks.filter((b) => b.lang === 'sh')) {
    for (const line of block.body.split('\n')) {
      if (line.startsWith('epibook ')) commands.push({ line, prints: [] });
      else if (line.startsWith('# ') && commands.length) commands[commands.length - 1].prints.push(line.slice(2));
    }
  }
  // Its first line names the file (`# first-model.toml ...`, as commands.test.mjs reads it).
  const [first, ...rest] = toml[0].body.split('\n');
  const name = (first.match(/^#\s*([\w.-]+\.toml)\b/) || [])[1];
  expect(name, `the TOML block's first line does not name its file: "${first}"`);
  return { config: rest.join('\n'), name, commands };
}

// Splits a command line into arguments (the page's commands quote nothing).
async function runEpibook(harness, line, cwd) {
  const args = line.trim().split(/\s+/).slice(1);
  const result = await runProgram(harness.cliPath, args, { cwd });
  expect(result.status === 0, `${line}: exit ${result.status}\n${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

// The JSON header of a checkpoint (core/src/run/checkpoint.cpp: a magic line, an
// 8-byte little-endian length, the header, then the tensors).
export function checkpointHeader(file) {
  const bytes = fs.readFileSync(file);
  const newline = bytes.indexOf(10);
  const length = Number(bytes.readBigUInt64LE(newline + 1));
  return JSON.parse(bytes.subarray(newline + 9, newline + 9 + length).toString('utf8'));
}

function relative(a, b) {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

// Largest relative difference between two lists of numbers of the same length.
function largestDifference(what, a, b) {
  expect(a.length === b.length, `${what}: ${a.length} values against ${b.length}`);
  let largest = 0;
  a.forEach((x, i) => {
    expect(Number.isFinite(x) && Number.isFinite(b[i]), `${what}[${i}]: ${x} against ${b[i]}`);
    largest = Math.max(largest, relative(x, b[i]));
  });
  expect(largest <= TOLERANCE, `${what}: relative difference ${largest.toExponential(2)} > ${TOLERANCE}`);
  return largest;
}

// The scores `epibook eval --json` printed, in the lab's layout (loss, each metric, floors).
function evalScores(json) {
  const scores = { rows: json.rows, loss: json.loss.value, floors: {} };
  for (const [name, m] of Object.entries(json.metrics)) {
    scores[name] = m.value;
    if (m.floor) scores.floors[name] = { mean: m.floor.mean, sd: m.floor.sd };
  }
  return scores;
}

// The numbers of two score objects side by side: loss, metrics, floor means and sds.
function scoreValues(lab, cli) {
  const names = Object.keys(cli).filter((k) => typeof cli[k] === 'number' && k !== 'rows' && k !== 'epoch' && k !== 'steps');
  const floors = Object.keys(cli.floors || {});
  return {
    lab: [...names.map((k) => lab[k]), ...floors.flatMap((k) => [lab.floors[k].mean, lab.floors[k].sd])],
    cli: [...names.map((k) => cli[k]), ...floors.flatMap((k) => [cli.floors[k].mean, cli.floors[k].sd])],
  };
}

async function evalJson(harness, checkpoint, siteDir) {
  const result = await runProgram(harness.cliPath, ['eval', '--checkpoint', checkpoint, '--data-root', siteDir, '--split',
    'validation', '--json']);
  expect(result.status === 0, `epibook eval ${checkpoint}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

// Runs `set(key, value)` and saves the file the lab offers for download (chapter 9's test too).
export async function downloadFrom(page, number, key, value, dir) {
  const [download] = await Promise.all([page.waitForEvent('download'), callLab(page, number, 'set', key, value)]);
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return file;
}

export function scratch(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `epibook-${name}-`));
}

export const tests = [{
  name: 'first-model: the page\'s commands train the lab\'s run to the same curve, and eval of its download prints the lab\'s numbers',
  async run(harness) {
    const { config, name, commands } = pageCommands();
    // The reader's folder (the book's assets, the config from the page), where the page's
    // commands run before the lab opens: a lab in view draws every frame while it waits.
    const dir = scratch('first-model-cli');
    fs.symlinkSync(path.join(harness.siteDir, 'assets'), path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, name), config);
    let run = null;
    for (const command of commands) {
      const output = await runEpibook(harness, command.line, dir);
      for (const line of command.prints) {
        expect(output.includes(line), `${command.line}: the page says it prints "${line}", it printed:\n${output}`);
      }
      const out = command.line.match(/^epibook train .*-o (\S+)/);
      if (out) run = path.join(dir, out[1]);
    }
    expect(run, 'the page runs no `epibook train ... -o RUN`');

    const { lab, context, page, state } = await openFirstModel(harness);
    const n = lab.number;
    // The page's config is what the lab exports for its defaults (experiment 1).
    expect(state.cli_config === config, `the page's ${name} is not the lab's CLI config:\n${state.cli_config}`);
    await callLab(page, n, 'set', 'train_steps', LAB_STEPS);
    const done = await labState(page, n);
    expect(done.steps === LAB_STEPS && done.phase === 'paused', `the lab trained ${done.steps} steps: ${done.phase} ${done.message}`);
    const cli = checkpointHeader(path.join(run, 'last.ckpt')).trainer.step_losses.slice(0, LAB_STEPS);
    const curve = largestDifference('training loss per step, lab against CLI', done.train_loss, cli);

    const lines = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .slice(0, done.validation.length);
    expect(done.validation.length === 3 && lines.length === 3, `${done.validation.length} epochs validated in the lab`);
    let epochs = 0;
    lines.forEach((line, k) => {
      const ours = done.validation[k];
      const theirs = { train_loss: line.train_loss, loss: line.validation_loss, ...line.validation };
      const { lab: a, cli: b } = scoreValues(ours, theirs);
      epochs = Math.max(epochs, largestDifference(`epoch ${k + 1} scores`, a, b));
    });

    // "Download run": the CLI's run directory; `epibook eval` on it prints the lab's
    // last validation, floors included.
    const downloads = scratch('first-model-download');
    const tar = await downloadFrom(page, n, 'download_run', 0, downloads);
    expectNoProblems(page, 'first-model');
    await context.close();
    const untar = await runProgram('tar', ['xf', tar, '-C', downloads]);
    expect(untar.status === 0, `tar xf ${tar}: ${untar.stderr}`);
    const last = done.validation[done.validation.length - 1];
    const downloaded = evalScores(await evalJson(harness, path.join(downloads, 'run/last.ckpt'), harness.siteDir));
    expect(downloaded.rows === state.rows_per_split.validation, `eval scored ${downloaded.rows} rows`);
    const { lab: a, cli: b } = scoreValues(last, downloaded);
    const evaluated = largestDifference('eval of the downloaded run against the lab', a, b);
    const manifest = JSON.parse(fs.readFileSync(path.join(downloads, 'run/manifest.json'), 'utf8'));
    expect(manifest.steps === done.steps, `manifest.json says ${manifest.steps} steps`);
    expect(fs.readFileSync(path.join(downloads, 'run/metrics.jsonl'), 'utf8').trim().split('\n').length === lines.length,
      'the downloaded metrics.jsonl has not one line per epoch');

    console.log(`      ${cli.length} steps: training loss within ${curve.toExponential(1)} relative of the CLI's, `
      + `epoch scores within ${epochs.toExponential(1)}, eval of the download within ${evaluated.toExponential(1)}`);
  },
}, {
  name: 'first-model: a checkpoint trained by the CLI opens in the lab and scores as epibook eval scores it',
  async run(harness) {
    const { lab, context, page } = await openFirstModel(harness);
    const n = lab.number;
    // Settings other than the lab's defaults, taken to the CLI through the lab's own config.
    for (const [key, value] of [['channels', 8], ['kernel', 11], ['learning_rate', 0.01], ['epochs', 2]]) {
      await callLab(page, n, 'set', key, value);
    }
    const dir = scratch('first-model-checkpoint');
    const config = await downloadFrom(page, n, 'download_config', 0, dir);
    const trained = await runProgram(harness.cliPath, ['train', '--config', config, '--data-root', harness.siteDir, '-q',
      '-o', path.join(dir, 'run')]);
    expect(trained.status === 0, `epibook train --config ${config}: ${trained.stderr}`);
    const checkpoint = path.join(dir, 'run/last.ckpt');
    const header = checkpointHeader(checkpoint);

    await openBytes(page, n, 'last.ckpt', fs.readFileSync(checkpoint));
    const opened = await labState(page, n);
    expect(!opened.message, `opening last.ckpt: ${opened.message}`);
    expect(opened.steps === header.trainer.steps && opened.settings.model.channels === 8
      && opened.settings.model.kernel_size === 11, `the lab did not load the CLI's run: ${opened.steps} steps, `
      + `${JSON.stringify(opened.settings.model)}`);
    expect(opened.checkpoint_validation, 'the opened checkpoint was not scored');
    expect(opened.stretch_predictions.length > 0 && opened.stretch_predictions.every((p) => p > 0 && p < 1),
      `the opened model does not predict probabilities along the stretch: ${opened.stretch_predictions}`);

    const cli = evalScores(await evalJson(harness, checkpoint, harness.siteDir));
    expect(opened.checkpoint_validation.rows === cli.rows, `${opened.checkpoint_validation.rows} rows against ${cli.rows}`);
    const { lab: a, cli: b } = scoreValues(opened.checkpoint_validation, cli);
    const difference = largestDifference('the opened checkpoint\'s validation against epibook eval', a, b);
    // Its predictions along the stretch are `epibook predict`'s for the same windows.
    const table = path.join(dir, 'predictions.tsv');
    const predicted = await runProgram(harness.cliPath, ['predict', '--checkpoint', checkpoint, '--data-root', harness.siteDir,
      '-o', table]);
    expect(predicted.status === 0, `epibook predict -o ${table}: ${predicted.stderr}`);
    const byWindow = new Map(fs.readFileSync(table, 'utf8').trim().split('\n').map((line) => {
      const [chrom, start, end, value] = line.split('\t');
      return [`${chrom}:${start}-${end}`, Number(value)];
    }));
    expect(opened.stretch_windows.length === opened.stretch_predictions.length, 'stretch windows and predictions differ in number');
    const stretch = largestDifference('predictions along the stretch against epibook predict', opened.stretch_predictions,
      opened.stretch_windows.map((w) => byWindow.get(`${w.chrom}:${w.start}-${w.end}`)));
    // The validation of the CLI's last epoch, too: the same model on the same rows.
    const lines = fs.readFileSync(path.join(dir, 'run/metrics.jsonl'), 'utf8').trim().split('\n');
    const lastEpoch = JSON.parse(lines[lines.length - 1]);
    largestDifference('the opened checkpoint\'s validation loss against metrics.jsonl',
      [opened.checkpoint_validation.loss], [lastEpoch.validation_loss]);

    console.log(`      opened ${header.trainer.steps} CLI steps; validation within ${difference.toExponential(1)} relative of epibook eval, `
      + `${opened.stretch_predictions.length} predictions within ${stretch.toExponential(1)} of epibook predict`);
    expectNoProblems(page, 'first-model');
    await context.close();
  },
}];
