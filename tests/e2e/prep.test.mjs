// The Tutorial 1 lab against the native CLI: for several settings a reader can choose,
// the lab's counts per split (windows, peaks, background, no data) must equal those
// in the manifest that `epibook prep` writes for the same track, region and options.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, expectNoProblems, newContext, runProgram, siteLabs, watchedPage } from './harness.mjs';
import { callLab, canvasColours, labState, openLab } from './labs.mjs';

// Settings a reader reaches with the lab's controls, applied in order from the defaults.
const READER_SETTINGS = [
  [],
  [['arcsinh', false], ['threshold', 2]],
  [['arcsinh', true], ['input_bin', 1], ['bin', 25], ['threshold', 0.5]],
  [['input_bin', 25], ['bin', 128], ['seed', 7]],
  [['bin', 32], ['hash_block', 0]],
];

// The CLI's options for what the lab's state() says it computed.
function prepArguments(state, siteDir, outDir) {
  return [
    'prep', '--bigwig', path.join(siteDir, state.track), '--regions', state.region, '--preset', 'tutorial1',
    '--window', String(state.window), '--stride', String(state.stride), '--bin', String(state.bin),
    '--input-bin', String(state.input_bin), '--transform', state.transform, '--threshold', String(state.threshold),
    '--label-rule', state.label_rule, '--split', state.split_method, '--seed', String(state.seed),
    '--hash-block', String(state.hash_block), '-o', outDir, '--quiet',
  ];
}

async function runPrep(harness, state) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-e2e-prep-'));
  const outDir = path.join(scratch, 'dataset');
  const args = prepArguments(state, harness.siteDir, outDir);
  const result = await runProgram(harness.cliPath, args);
  expect(result.status === 0, `epibook ${args.join(' ')} failed: ${result.stderr}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
  fs.rmSync(scratch, { recursive: true, force: true });
  return { manifest, command: `epibook ${args.slice(0, -4).join(' ')}` };
}

function compareCounts(labSplits, cliSplits, where) {
  const differences = [];
  for (const split of ['train', 'validation', 'test']) {
    for (const field of ['windows', 'peaks', 'background', 'missing']) {
      const fromLab = labSplits?.[split]?.[field];
      const fromCli = cliSplits[split][field];
      if (fromLab !== fromCli) differences.push(`${split}.${field}: lab ${fromLab}, CLI ${fromCli}`);
    }
  }
  expect(differences.length === 0, `${where}: ${differences.join('; ')}`);
}

export const tests = [{
  name: 'the Tutorial 1 lab gives the same counts per split as epibook prep',
  async run(harness) {
    const lab = siteLabs(harness.siteDir).find((l) => l.name === 'tutorial1-prep');
    expect(lab, 'no page embeds the tutorial1-prep lab');
    const context = await newContext(harness);
    const page = await watchedPage(context);
    await openLab(page, harness.baseUrl, lab);
    for (const [index, settings] of READER_SETTINGS.entries()) {
      for (const [key, value] of settings) await callLab(page, lab.number, 'set', key, value);
      const state = await labState(page, lab.number);
      expect(!state.message, `settings ${JSON.stringify(settings)}: the lab reports "${state.message}"`);
      const { manifest, command } = await runPrep(harness, state);
      compareCounts(state.per_split, manifest.splits, `settings ${index + 1} (${command})`);
      const total = Object.values(manifest.splits).reduce((n, s) => n + s.windows, 0);
      console.log(`      settings ${index + 1}: bin ${state.bin}, input ${state.input_bin} bp, ${state.transform}, threshold ${Number(state.threshold).toFixed(3)}:`
        + ` ${total} windows, train ${manifest.splits.train.peaks} peaks: lab = CLI`);
      await canvasColours(page, lab.number, `lab-tutorial1-prep-settings-${index + 1}`);
    }
    expectNoProblems(page, 'tutorial1-prep');
    await context.close();
  },
}];
