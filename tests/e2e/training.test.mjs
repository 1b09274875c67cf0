// Training in the page (web/labs/README.md, "Training labs"), on the first-model lab:
// it builds its data, trains exactly the steps asked for and learns beyond the
// shuffled-label floor; its planted-truth ceiling equals a recomputation from the truth
// file; a run link replays the run to the bit; runs A and B never disturb each other;
// bad input gives messages. The CLI half (same curve, eval of a downloaded run, a CLI
// checkpoint opened in the page) is in training-cli.test.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, expectNoProblems, newContext, repo, runProgram, screenshotPath, siteLabs, watchedPage } from './harness.mjs';
import { callLab, labDrawn, labState, openBytes, openLab, waitForLab } from './labs.mjs';

export function firstModelLab(harness) {
  const lab = siteLabs(harness.siteDir).find((l) => l.name === 'first-model');
  expect(lab, 'no page embeds the first-model lab');
  return lab;
}

export async function openFirstModel(harness) {
  const lab = firstModelLab(harness);
  const context = await newContext(harness);
  const page = await watchedPage(context);
  await openLab(page, harness.baseUrl, lab);
  const state = await labState(page, lab.number);
  expect(state.stage === 'ready', `first-model: data not ready after mounting: ${state.stage} ${state.message}`);
  return { lab, context, page, state };
}

// Switches the data set and waits until the lab has built it (stage "ready").
async function chooseDataSet(page, number, name) {
  await page.evaluate(async ({ n, data }) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    await handle.set('dataset', data);
    const deadline = performance.now() + 60000;
    while (handle.state().stage !== 'ready' && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }, { n: number, data: name });
  const state = await labState(page, number);
  expect(state.stage === 'ready' && state.dataset === name, `data set ${name}: ${state.stage} ${state.message}`);
}

function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

// AUROC of a 0/1 score, ties counted half: what the planted-truth ceiling must equal.
function binaryAuroc(scores, labels) {
  let pairs = 0;
  let wins = 0;
  for (let i = 0; i < scores.length; i += 1) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j += 1) {
      if (labels[j] !== 0) continue;
      pairs += 1;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

// The ceiling from the files themselves: validation windows of the windows file, a
// window scoring 1 when it holds a planted site of a motif active in the cell type.
function ceilingFromFiles(siteDir) {
  const truth = JSON.parse(fs.readFileSync(path.join(siteDir, 'assets/first-model/sim/truth.json'), 'utf8'));
  const active = new Set(truth.cell_types[0].active_motifs);
  const sites = truth.planted_motifs.filter((s) => active.has(s.motif));
  const scores = [];
  const labels = [];
  for (const line of fs.readFileSync(path.join(siteDir, 'assets/first-model/sim-windows.bed'), 'utf8').split('\n')) {
    const [chrom, start, end, split, label] = line.split('\t');
    if (split !== 'validation') continue;
    const s = Number(start);
    const e = Number(end);
    scores.push(sites.some((site) => site.chrom === chrom && site.start >= s && site.end <= e) ? 1 : 0);
    labels.push(Number(label));
  }
  return binaryAuroc(scores, labels);
}

const STEPS = 30;

export const tests = [{
  name: 'first-model builds its data, trains exactly the steps asked for, and learns beyond the floor',
  async run(harness) {
    const { lab, context, page, state } = await openFirstModel(harness);
    const n = lab.number;
    expect(state.dataset === 'sim-motifs', `default data set is ${state.dataset}`);
    expect(/^\[\d+, 4, 200\]$/.test(state.input_shape), `inputs ${state.input_shape}`);
    for (const split of ['train', 'validation', 'test']) {
      expect(state.rows_per_split[split] > 0, `no ${split} rows: ${JSON.stringify(state.rows_per_split)}`);
    }
    expect(state.steps === 0 && state.train_loss.length === 0, 'trained before being asked');
    expect(state.backend === 'cpu' && state.seed === 1, `backend ${state.backend}, seed ${state.seed}`);

    await callLab(page, n, 'set', 'train_steps', STEPS);
    const after = await labState(page, n);
    expect(after.steps === STEPS && after.train_loss.length === STEPS, `asked ${STEPS} steps, got ${after.steps}`);
    expect(after.train_loss.every(Number.isFinite), 'a training loss is not finite');

    await callLab(page, n, 'set', 'start', true);
    const done = await labState(page, n);
    expect(done.phase === 'finished', `phase ${done.phase} after start: ${done.message}`);
    expect(done.steps === done.steps_in_run, `${done.steps} of ${done.steps_in_run} steps`);
    expect(done.validation.length === done.settings.train.epochs, `${done.validation.length} validation records`);
    const last = done.validation[done.validation.length - 1];
    const floor = last.floors.auroc;
    expect(floor && Math.abs(floor.mean - 0.5) < 0.1, `shuffled-label AUROC floor ${JSON.stringify(floor)} is not near 0.5`);
    expect(last.auroc > floor.mean + 2 * floor.sd, `validation AUROC ${last.auroc} is within the floor ${floor.mean} +- 2 x ${floor.sd}`);
    const losses = done.train_loss;
    expect(mean(losses.slice(-10)) < mean(losses.slice(0, 10)), 'the training loss did not fall');
    expect(done.stretch_predictions.length > 0, 'no predictions along the stretch');

    // The numbers chapter 1's "Your first model" quotes for experiment 1.
    const pageText = fs.readFileSync(path.join(repo, 'tutorials/01-epigenetic-data/07-your-first-model.md'), 'utf8');
    for (const [what, value] of [['first epoch', done.validation[0].auroc], ['third epoch', done.validation[2].auroc],
      ['last epoch', last.auroc], ['ceiling', done.ceiling.value]]) {
      expect(pageText.includes(value.toFixed(3)), `the page does not quote the ${what}'s AUROC ${value.toFixed(3)}`);
    }
    // The CLI builds the same arrays from the same files: the same fingerprint.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-first-model-'));
    const cli = await runProgram(harness.cliPath, ['dataset', '--genome', path.join(harness.siteDir, 'assets/first-model/sim/genome.fa'),
      '--windows', path.join(harness.siteDir, 'assets/first-model/sim-windows.bed'), '--target', 'label', '-o', path.join(out, 'arrays')]);
    expect(cli.status === 0, `epibook dataset failed: ${cli.stderr}`);
    expect(`${cli.stdout}${cli.stderr}`.includes(`fingerprint ${done.data_fingerprint}`),
      `the lab's data fingerprint ${done.data_fingerprint} is not the CLI's: ${cli.stdout}`);

    const expected = ceilingFromFiles(harness.siteDir);
    expect(done.ceiling && Math.abs(done.ceiling.value - expected) < 1e-12,
      `ceiling ${JSON.stringify(done.ceiling)}, recomputed from truth.json ${expected}`);
    console.log(`      sim-motifs: ${done.steps} steps, validation AUROC ${last.auroc.toFixed(3)} (floor ${floor.mean.toFixed(3)}, ceiling ${expected.toFixed(3)}), ${done.ms_per_step.toFixed(1)} ms a step`);
    expectNoProblems(page, 'first-model');
    await context.close();
  },
}, {
  name: 'first-model: a run link replays the run to the bit',
  async run(harness) {
    const { lab, context, page } = await openFirstModel(harness);
    await callLab(page, lab.number, 'set', 'learning_rate', 0.01);
    await callLab(page, lab.number, 'set', 'train_steps', 40);
    const original = await labState(page, lab.number);
    expect(original.run_link.startsWith('#first-model='), `run link ${original.run_link}`);

    const replay = await watchedPage(context);
    await replay.goto(`${harness.baseUrl}${lab.page}${original.run_link}`);
    await waitForLab(replay, lab.number);
    const replayed = await labState(replay, lab.number);
    expect(replayed.steps === 40, `the link replayed ${replayed.steps} steps, not 40 (${replayed.message})`);
    expect(replayed.settings.schedule.learning_rate === 0.01, 'the link lost the learning rate');
    expect(JSON.stringify(replayed.train_loss) === JSON.stringify(original.train_loss), 'the replayed losses differ');
    expect(JSON.stringify(replayed.validation) === JSON.stringify(original.validation), 'the replayed validation differs');
    expectNoProblems(replay, 'first-model replay');
    await context.close();
  },
}, {
  name: 'first-model: runs A and B side by side do not disturb each other',
  async run(harness) {
    const { lab, context, page } = await openFirstModel(harness);
    const n = lab.number;
    await callLab(page, n, 'set', 'train_steps', 20);
    const alone = (await labState(page, n)).train_loss;
    await callLab(page, n, 'set', 'reset', true);
    await callLab(page, n, 'set', 'compare', true);
    await callLab(page, n, 'set', 'b.learning_rate', 0.02);
    await callLab(page, n, 'set', 'b.channels', 8);
    await callLab(page, n, 'set', 'train_steps', 20);
    const both = await labState(page, n);
    expect(both.b && both.b.steps === 20 && both.steps === 20, `steps A ${both.steps}, B ${both.b && both.b.steps}`);
    expect(JSON.stringify(both.train_loss) === JSON.stringify(alone), 'run A changed when run B trained beside it');
    expect(JSON.stringify(both.b.train_loss) !== JSON.stringify(alone), 'run B trained like run A');
    expect(both.b.settings.model.channels === 8 && both.settings.model.channels === 16, 'settings crossed between runs');
    await context.close();
  },
}, {
  name: 'first-model on a phone and a laptop: no row of controls is wider than the lab',
  async run(harness) {
    const lab = firstModelLab(harness);
    for (const [device, options] of [['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
      ['laptop', { viewport: { width: 1280, height: 900 } }]]) {
      const context = await newContext(harness, options);
      const page = await watchedPage(context);
      await openLab(page, harness.baseUrl, lab);
      await callLab(page, lab.number, 'set', 'compare', true);
      await callLab(page, lab.number, 'set', 'train_steps', 2);
      await labDrawn(page, lab.number);
      const look = await callLab(page, lab.number, 'appearance');
      expect(look.view_width > 0 && look.content_width <= look.view_width + 0.5,
        `${device}: the widest row is ${look.content_width} px in a lab ${look.view_width} px wide: controls are cut off`);
      await page.locator(`#lab-${lab.number}`).screenshot({ path: screenshotPath(`first-model-${device}-layout`) });
      expectNoProblems(page, `first-model on a ${device}`);
      await context.close();
    }
  },
}, {
  name: 'first-model: a broken genome, a model too big and a diverging loss give messages',
  async run(harness) {
    const { lab, context, page } = await openFirstModel(harness);
    const n = lab.number;
    await openBytes(page, n, 'broken.fa', Buffer.from('this is not a FASTA file\n'));
    const broken = await labState(page, n);
    expect(broken.message.includes('broken.fa'), `no message names broken.fa: ${broken.message}`);

    await chooseDataSet(page, n, 'sim-motifs');
    const big = await page.evaluate(async (number) => {
      const handle = document.querySelector(`#lab-${number} canvas`).epibookLab;
      await handle.set('channels', 256);
      await handle.set('layers', 8);
      await handle.set('batch_size', 1024);
      try { await handle.set('train_steps', 1); return ''; } catch (error) { return error.message; }
    }, n);
    // Planted arithmetic: on sim-motifs' 200 bp windows a row keeps its input (4 x 200),
    // each of the 8 conv blocks' convolution and ReLU outputs (256 x 200 each) and the
    // head's value; a batch keeps them and their gradients as float32, 8 bytes a value,
    // against the page's 512 MiB (web/labs/README.md).
    const rowValues = 4 * 200 + 8 * 2 * 256 * 200 + 1;
    const fits = Math.floor(512 * 2 ** 20 / (rowValues * 8));
    expect(big.includes('train.batch_size = 1024') && big.includes(`a row holds ${rowValues} values`)
      && big.includes(`${(1024 * rowValues * 8 / 2 ** 30).toFixed(1)} GiB`) && big.includes(`a batch of ${fits} rows or fewer fits`),
      `a huge model was not refused with its size (${rowValues} values a row, ${fits} rows fit): "${big}"`);

    await chooseDataSet(page, n, 'dm3-rnaseq');
    for (const [key, value] of [['channels', 16], ['layers', 2], ['batch_size', 32], ['optimizer', 'sgd'], ['learning_rate', 10]]) {
      await callLab(page, n, 'set', key, value);
    }
    await callLab(page, n, 'set', 'train_steps', 200);
    const diverged = await labState(page, n);
    expect(diverged.phase === 'failed' && /step \d+/.test(diverged.message) && /(NaN|infinite)/.test(diverged.message),
      `a diverging run did not stop with the step named: ${diverged.phase} "${diverged.message}"`);
    expect(diverged.steps < 200, 'the diverging run went on');
    await callLab(page, n, 'set', 'learning_rate', 0.001);
    await callLab(page, n, 'set', 'train_steps', 5);
    const recovered = await labState(page, n);
    expect(recovered.steps === 5 && recovered.phase !== 'failed', 'the lab did not train again after the failure');
    await context.close();
  },
}];
