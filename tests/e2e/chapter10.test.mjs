// Chapter 10 (Kipoi): its figures against independent sources and the text, and its two
// labs as the experiments its pages frame. The shapes figure must end where `epibook
// export` (run here again on the shipped run) says the model ends, with the parameter
// count it prints; the test-example figure must count the windows on the right side of
// one half as `epibook predict` (probabilities, run here) and the windows' labels do; the
// two-files figure must read the window length the export's test example really has.
// Page 02's lab (kipoi-export) must declare in model.yaml the shapes the model really
// takes and returns, (4, L) and (1, L / bin) by the formula, with the parameter count of
// the architecture by hand; page 03's lab (kipoi-contract) must find each wrongly
// prepared input caught by the part of the description that can catch it. Each page's
// text must quote the numbers, and each lab's run A must be the run its page's command
// line trains (the page's TOML config; commands.test.mjs runs the commands and checks
// what they print against the same numbers).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { figureNumbers, pageToml, unquotedFigureNumbers } from './chapter-pages.mjs';
import { expect, runProgram } from './harness.mjs';
import { expectLine, expectStated, near, withChapterLab } from './labs.mjs';

const CHAPTER = '10-kipoi/';
const withLab = (harness, name, body) => withChapterLab(harness, CHAPTER, name, body);
const text3 = (v) => v.toFixed(3);

const textOf = (siteDir, url) => fs.readFileSync(path.join(siteDir, url), 'utf8')
  .replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');

function expectQuoted(siteDir, url, phrases) {
  const text = textOf(siteDir, url);
  for (const phrase of phrases) expect(text.includes(phrase), `${url}: the text does not quote "${phrase}"`);
}

// `epibook ARGS` from a folder whose assets/ is the site's (as the page's commands run).
async function cli(harness, cwd, args) {
  const result = await runProgram(harness.cliPath, args, { cwd });
  expect(result.status === 0, `epibook ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

function workspace(harness) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-e2e-kipoi-'));
  fs.symlinkSync(path.join(harness.siteDir, 'assets'), path.join(dir, 'assets'));
  return dir;
}

// Chapter 3's count model in the labs: three conv layers of 16 filters of 9 bp (the first
// on 4 channels), a kernel-1 conv head to one track; weights and a bias per filter.
const LAB_PARAMETERS = (4 * 9 * 16 + 16) + 2 * (16 * 9 * 16 + 16) + (16 + 1);
const STEPS = 20;
// The lab's settings on page 02: its defaults, then 512 bp windows at a 4 bp bin.
const CONTRACT_STEPS = 60;
// Pearson's r over the test windows after CONTRACT_STEPS steps (3 decimals, as the page states them).
const CONTRACT = { none: 0.599, channel_order: 0.601, reshaped: 0.566 };
const SETTINGS = [{ window: 256, bin: 16 }, { window: 512, bin: 4 }];

export const tests = [{
  name: 'chapter 10: the shapes figure ends where epibook export says, with its parameter count',
  async run(harness) {
    const url = `${CHAPTER}index.html`;
    const figure = figureNumbers(harness.siteDir, url, 'kipoi-shapes');
    const dir = workspace(harness);
    try {
      const printed = await cli(harness, dir, ['export', 'assets/kipoi/run', '--data-root', '.', '-o', 'again']);
      const match = /model\.yaml \(inputs (\([^)]*\)), outputs (\([^)]*\))\).*model\.npz \((\d+) parameters\)/.exec(printed);
      expect(match, `epibook export printed no shapes: ${printed}`);
      expect(match[1] === figure.input && match[2] === figure.output, `figure ${figure.input} -> ${figure.output}, export ${match[1]} -> ${match[2]}`);
      expect(Number(match[3]) === figure.parameters, `figure ${figure.parameters} parameters, export ${match[3]}`);
      // The folder written again from the same run holds the same model.yaml as the shipped one.
      const shipped = fs.readFileSync(path.join(harness.siteDir, 'assets/kipoi/export/model.yaml'), 'utf8');
      const again = fs.readFileSync(path.join(dir, 'again/model.yaml'), 'utf8');
      expect(shipped === again, 'model.yaml written again from the shipped run differs from the shipped one');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expectQuoted(harness.siteDir, url, [figure.input, figure.output, `${figure.parameters} parameters`]);
  },
}, {
  name: 'chapter 10: the two descriptions meet at the window length the test example has',
  async run(harness) {
    const url = `${CHAPTER}02-describing-a-model.html`;
    const figure = figureNumbers(harness.siteDir, url, 'kipoi-two-files');
    const inputs = fs.readFileSync(path.join(harness.siteDir, 'assets/kipoi/export/test/inputs.npy'));
    const header = inputs.subarray(10, 10 + inputs.readUInt16LE(8)).toString('latin1');
    const shape = /'shape': \((\d+), (\d+), (\d+)\)/.exec(header);
    expect(shape, `test/inputs.npy has no rank-3 shape: ${header}`);
    expect(Number(shape[3]) === figure.window_length && figure.input === `(${shape[2]}, ${shape[3]})`,
      `figure window ${figure.window_length} ${figure.input}, test/inputs.npy [${shape.slice(1).join(', ')}]`);
    expectQuoted(harness.siteDir, url, [`window_length is ${figure.window_length}`, figure.input]);
  },
}, {
  name: 'chapter 10: the test-example figure counts as epibook predict and the labels do',
  async run(harness) {
    const url = `${CHAPTER}03-same-predictions-in-pytorch.html`;
    const figure = figureNumbers(harness.siteDir, url, 'kipoi-test-example');
    const exported = JSON.parse(fs.readFileSync(path.join(harness.siteDir, 'assets/kipoi/export/manifest.json'), 'utf8'));
    const dir = workspace(harness);
    let lines;
    try {
      await cli(harness, dir, ['predict', '--checkpoint', 'assets/kipoi/run/best.ckpt', '--data-root', '.', '-o', 'p.tsv']);
      lines = fs.readFileSync(path.join(dir, 'p.tsv'), 'utf8').trim().split('\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const labels = new Map(fs.readFileSync(path.join(harness.siteDir, 'assets/first-model/sim-windows.bed'), 'utf8')
      .trim().split('\n').map((l) => l.split('\t')).map((f) => [`${f[0]}\t${f[1]}\t${f[2]}`, Number(f[4])]));
    let peaks = 0;
    let right = 0;
    for (const row of exported.example_rows) {
      const f = lines[row].split('\t');
      const label = labels.get(f.slice(0, 3).join('\t'));
      expect(label !== undefined, `row ${row} (${f.slice(0, 3).join(' ')}) is not a window of first-model/sim-windows.bed`);
      peaks += label;
      if ((Number(f[3]) > 0.5) === (label === 1)) right += 1;
    }
    expect(figure.windows === exported.example_rows.length, `figure ${figure.windows} windows, export ${exported.example_rows.length}`);
    expect(figure.peaks === peaks && figure.right_side_of_half === right,
      `figure ${figure.peaks} peaks, ${figure.right_side_of_half} right; epibook predict and the labels ${peaks}, ${right}`);
    expectQuoted(harness.siteDir, url, [`Of the ${figure.windows} windows, ${figure.peaks} hold`, `${figure.right_side_of_half} of the ${figure.windows} fall`]);
  },
}, {
  name: 'page 02: model.yaml of a model trained in the page declares the shapes it really takes and returns',
  async run(harness) {
    await withLab(harness, 'kipoi-export', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      const seen = [];
      for (const { window, bin } of SETTINGS) {
        await set('window', window);
        await set('bin', bin);
        const ready = await state();
        expect(ready.stage === 'ready', `window ${window}, bin ${bin}: the data are ${ready.stage}: ${ready.message}`);
        await set('train_steps', STEPS);
        const s = await state();
        const e = s.export;
        expect(e && e.steps === STEPS, `no description after ${STEPS} steps: ${s.message}`);
        console.log(`      window ${window}, bin ${bin}: declared ${e.declared_input} -> ${e.declared_output},`
          + ` measured ${e.measured_input} -> ${e.measured_output}, ${e.parameters} parameters, window_length ${e.window_length}`);
        // The formula: one-hot (4, L) in, one track of L / bin means out.
        expect(e.declared_input === `(4, ${window})` && e.declared_output === `(1, ${window / bin})`,
          `window ${window}, bin ${bin}: model.yaml says ${e.declared_input} -> ${e.declared_output}`);
        expect(e.shapes_agree && e.measured_input === e.declared_input && e.measured_output === e.declared_output,
          `the model took ${e.measured_input} and returned ${e.measured_output}`);
        expect(e.parameters === LAB_PARAMETERS, `${e.parameters} parameters, by hand ${LAB_PARAMETERS}`);
        expect(e.window_length === window, `dataloader.yaml window_length ${e.window_length}`);
        // The YAML text itself carries the shapes, in the model's schema and the dataloader's output_schema.
        expect(e.model_yaml.includes(`shape: "${e.declared_input}"`) || e.model_yaml.includes(`shape: ${e.declared_input}`), 'model.yaml text has no input shape');
        expect(e.dataloader_yaml.includes(`default: ${window}`), `dataloader.yaml text has no window_length ${window}`);
        expect(e.files.includes('model.npz') && e.files.includes('test/expected.npy'), `files ${e.files.join(', ')}`);
        expect(e.output_transform === 'none', `mse outputs: transform ${e.output_transform}`);
        expect(e.targets_doc.includes(`in each ${bin} bp bin`), `the targets' doc does not say the bin: ${e.targets_doc}`);
        // The page's command line trains this run: its config is run A's at the first setting,
        // naming the windows cut to 256 bp as the lab trains on them (the page's awk line
        // writes that file; its second run overrides the windows, the bin and the epochs).
        if (seen.length === 0) {
          const page = pageToml(CHAPTER, '02-describing-a-model.md', 'kipoi-export.toml');
          expect(s.cli_config === page, `run A's CLI config is not the page's kipoi-export.toml:\n${s.cli_config}`);
        }
        seen.push(e);
      }
      // The Poisson loss: the same shapes, outputs that are log-rates.
      await set('loss', 'poisson');
      await set('train_steps', 1);
      const poisson = (await state()).export;
      expect(poisson.output_transform === 'exp' && poisson.targets_doc.includes('log-rate'), `poisson: ${poisson.targets_doc}`);
      expect(poisson.declared_output === seen[1].declared_output, `poisson: ${poisson.declared_output}`);
      expectStated(line, url, [seen[0].declared_input, seen[0].declared_output, seen[1].declared_input,
        seen[1].declared_output, `${LAB_PARAMETERS.toLocaleString('en-US')} parameters`]);
    });
  },
}, {
  name: 'page 03: each wrongly prepared input is caught by the part of the description that can catch it',
  async run(harness) {
    await withLab(harness, 'kipoi-contract', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      const ready = await state();
      expect(ready.stage === 'ready', `the data are ${ready.stage}: ${ready.message}`);
      await set('train_steps', CONTRACT_STEPS);
      const s = await state();
      // The page's command line trains this run: its config names the windows cut to 128 bp,
      // as the lab trains on them (the page's awk line writes that file).
      const page = pageToml(CHAPTER, '03-same-predictions-in-pytorch.md', 'kipoi-contract.toml');
      expect(s.cli_config === page, `run A's CLI config is not the page's kipoi-contract.toml:\n${s.cli_config}`);
      const m = s.mistakes;
      for (const [name, r] of Object.entries(m)) {
        console.log(`      ${name}: ${r.batch_shape}, runs ${r.runs}, r ${r.pearson === null ? '-' : text3(r.pearson)},`
          + ` test off by ${r.test_difference === null ? "-" : r.test_difference.toExponential(2)}, caught by ${r.caught}${r.refusal ? ` (${r.refusal})` : ""}`);
      }
      expect(m.none.caught === 'passes' && m.none.test_difference === 0, `as described: ${JSON.stringify(m.none)}`);
      expect(m.channel_order.runs && m.channel_order.shape_fits && m.channel_order.one_hot, 'channel order: not silent');
      expect(m.channel_order.caught === 'test example' && m.channel_order.test_difference > 1.5e-4, `channel order: ${JSON.stringify(m.channel_order)}`);
      // T G C A is the complement: GC content, which a young model leans on, survives it, so r hardly moves.
      near(m.channel_order.pearson, m.none.pearson, 0.05, 'channel order: r against r as described');
      expect(m.reshaped.runs && m.reshaped.shape_fits && !m.reshaped.one_hot && m.reshaped.caught === 'DNASeq one-hot', `reshaped: ${JSON.stringify(m.reshaped)}`);
      expect(!m.channels_last.runs && !m.channels_last.shape_fits && m.channels_last.caught === 'schema shape', `channels last: ${JSON.stringify(m.channels_last)}`);
      near(Number(text3(m.none.pearson)), CONTRACT.none, 1e-9, 'r as described');
      near(Number(text3(m.channel_order.pearson)), CONTRACT.channel_order, 1e-9, 'r, channels T G C A');
      near(Number(text3(m.reshaped.pearson)), CONTRACT.reshaped, 1e-9, 'r, reshaped');
      expectStated(line, url, [CONTRACT.none, CONTRACT.channel_order, CONTRACT.reshaped].map(text3));
    });
  },
}, {
  name: 'every number chapter 10\'s figures computed is quoted by the page that draws them',
  async run(harness) {
    const pages = ['index.html', '02-describing-a-model.html', '03-same-predictions-in-pytorch.html'].map((p) => CHAPTER + p);
    const problems = unquotedFigureNumbers(harness.siteDir, pages);
    expect(problems.length === 0, problems.join('\n'));
  },
}];
