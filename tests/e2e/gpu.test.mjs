// The WebGPU backend against the CPU backend, in headless Chromium's software adapter
// (SwiftShader): every op on random shapes, then a 50-step training curve of the
// benchmark CNN's layers. The checks run in the wasm module build/wasm/web/
// epibook-gpu-checks.js (wasm/gpu/gpu_checks.cpp states the tolerances). No adapter is
// a failure that says so, never a skip.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { expect, repo } from './harness.mjs';

const MODULE = path.join(repo, 'build/wasm/web/epibook-gpu-checks.js');
const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

const PAGE = `<!doctype html><meta charset="utf-8"><title>epibook WebGPU checks</title>
<script src="/epibook-gpu-checks.js"></script>
<script>
window.openChecks = async () => {
  if (!navigator.gpu) return { error: 'navigator.gpu is missing: Chromium was not started with --enable-unsafe-webgpu, or the page is not a secure context' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { error: 'navigator.gpu.requestAdapter() returned no adapter (no WebGPU implementation, not even SwiftShader)' };
  const device = await adapter.requestDevice();
  const info = adapter.info || {};
  window.checks = await createEpibookGpuChecks({ epibookGpu: { device } });
  return { adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter' };
};
</script>`;

// Serves the page and the module on http://127.0.0.1 (WebGPU needs a secure context).
async function serve() {
  const server = http.createServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(PAGE);
    } else if (request.url === '/epibook-gpu-checks.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(fs.readFileSync(MODULE));
    } else if (request.url === '/favicon.ico') {
      response.writeHead(204);
      response.end();
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function withChecksPage(run) {
  expect(fs.existsSync(MODULE), `${MODULE} is missing: build the wasm preset (make wasm)`);
  const server = await serve();
  const browser = await chromium.launch({ executablePath: process.env.EPIBOOK_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const opened = await page.evaluate(() => window.openChecks());
    expect(!opened.error, `no WebGPU adapter: ${opened.error}`);
    await run(page, opened.adapter);
    expect(problems.length === 0, `page problems:\n${problems.join('\n')}`);
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

// One epoch of a small model by a Trainer on WebGPU (steps split at their read back,
// validation on the device, its outputs read back once) against a Trainer on the CPU.
async function checkTrainerRun(page) {
  const run = await page.evaluate(async () => {
    const started = window.checks.startTrainerRun();
    if (started) return { error: started };
    for (let calls = 0; calls < 100; ++calls) {
      const next = window.checks.advanceTrainerRun();
      if (next === 'done') return JSON.parse(window.checks.trainerRunResults());
      if (next !== 'wait') return { error: next };
      const lost = await window.checks.epibookGpu.idle();
      if (lost) return { error: lost };
    }
    return { error: 'the epoch did not finish in 100 calls' };
  });
  expect(!run.error, `trainer run failed: ${run.error}`);
  const relative = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
  const stepWorst = Math.max(...run.gpu.losses.map((l, i) => relative(l, run.cpu.losses[i])));
  const outputWorst = Math.max(...run.gpu.outputs.map((o, i) => Math.abs(o - run.cpu.outputs[i])));
  const largest = Math.max(...run.cpu.outputs.map(Math.abs));
  console.log(`      ${run.gpu.losses.length} steps, ${run.gpu.outputs.length} validation outputs read back once: `
    + `steps within ${stepWorst.toExponential(2)} relative, outputs within ${outputWorst.toExponential(2)} (largest ${largest.toFixed(3)}), `
    + `validation loss ${run.gpu.validation_loss} (cpu ${run.cpu.validation_loss}), auroc ${run.gpu.auroc} (cpu ${run.cpu.auroc})`);
  expect(run.gpu.losses.length === run.cpu.losses.length && run.gpu.outputs.length === run.cpu.outputs.length && run.cpu.outputs.length === 16,
    `sizes differ: ${run.gpu.losses.length}/${run.cpu.losses.length} steps, ${run.gpu.outputs.length}/${run.cpu.outputs.length} outputs`);
  expect(stepWorst <= 1e-4, `step losses differ by ${stepWorst} relative`);
  expect(outputWorst <= 1e-4 * largest, `validation outputs differ by ${outputWorst}`);
  expect(relative(run.gpu.validation_loss, run.cpu.validation_loss) <= 1e-4, 'validation losses differ');
  for (const metric of ['auroc', 'auprc']) {
    expect(Math.abs(run.gpu[metric] - run.cpu[metric]) <= 1e-4, `${metric}: ${run.gpu[metric]} against ${run.cpu[metric]}`);
  }
}

export const tests = [
  {
    name: 'every op of the WebGPU backend matches the CPU backend on random shapes',
    async run() {
      await withChecksPage(async (page, adapter) => {
        const results = await page.evaluate(async () => {
          const started = window.checks.startOpChecks(20261201, 6);
          if (started) return { error: started };
          const lost = await window.checks.epibookGpu.idle();
          if (lost) return { error: lost };
          return JSON.parse(window.checks.finishOpChecks().replace(/\b(-?nan|-?inf)\b/g, 'null'));
        });
        expect(!results.error, `op checks could not run: ${results.error}`);
        const failed = results.filter((r) => !(r.ratio <= 1));
        for (const r of results) if (r.ratio === null) r.ratio = Infinity;
        const worst = results.filter((r) => r.ratio <= 1).sort((a, b) => b.ratio - a.ratio).slice(0, 3)
          .map((r) => `${r.op} ${r.shape}: ${r.ratio.toFixed(3)} of tolerance (|diff| ${r.difference.toExponential(2)})`);
        console.log(`      ${results.length} op checks on ${adapter}; closest to tolerance:\n        ${worst.join('\n        ')}`);
        const gelu = results.filter((r) => r.op.startsWith('gelu_tanh'));
        console.log(`      GELU-tanh (floor 1e-6 x max): ${gelu.map((r) => `${r.op} ${r.ratio.toFixed(3)} (|diff| ${r.difference.toExponential(2)})`).join(', ')}`);
        expect(results.length >= 80, `only ${results.length} op checks ran`);
        expect(failed.length === 0, `ops beyond tolerance:\n${failed.map((r) => `${r.op} ${r.shape}: |gpu - cpu| = ${r.difference} is ${r.ratio} x the tolerance (largest |cpu| ${r.largest})`).join('\n')}`);
      });
    },
  },
  {
    name: 'the benchmark CNN trains 50 steps on WebGPU along the CPU backend\'s curve (1e-4 relative); a Trainer on WebGPU matches one on the CPU',
    async run() {
      await withChecksPage(async (page) => {
        await checkTrainerRun(page);
        // The benchmark CNN's layers at 16 channels, batch 16, 256 bp: the software
        // adapter runs the full-size model (64 channels, batch 64, 1 kb) at seconds per step.
        const curve = await page.evaluate(async () => {
          const started = window.checks.startCurve(16, 16, 256);
          if (started) return { error: started };
          const steps = [];
          let recording = 0;
          let waiting = 0;
          let cpu = 0;
          for (let i = 0; i < 50; ++i) {
            const t0 = performance.now();
            const failedCpu = window.checks.curveStepCpu();
            if (failedCpu) return { error: `step ${i} (cpu): ${failedCpu}` };
            const t1 = performance.now();
            const failed = window.checks.curveStepGpu();
            if (failed) return { error: `step ${i}: ${failed}` };
            const t2 = performance.now();
            const lost = await window.checks.epibookGpu.idle();
            if (lost) return { error: `step ${i}: ${lost}` };
            const t3 = performance.now();
            if (i > 0) { cpu += t1 - t0; recording += t2 - t1; waiting += t3 - t2; }
            steps.push(JSON.parse(window.checks.curveLosses()));
          }
          return { steps, cpu: cpu / 49, recording: recording / 49, waiting: waiting / 49 };
        });
        expect(!curve.error, `curve could not run: ${curve.error}`);
        const relative = curve.steps.map((s) => Math.abs(s.gpu - s.cpu) / Math.abs(s.cpu));
        const worst = Math.max(...relative);
        const first = curve.steps[0];
        const last = curve.steps[curve.steps.length - 1];
        console.log(`      50 steps: loss ${first.cpu.toFixed(5)} -> ${last.cpu.toFixed(5)} (cpu), ${first.gpu.toFixed(5)} -> ${last.gpu.toFixed(5)} (webgpu); `
          + `largest relative difference ${worst.toExponential(2)}; ${last.submits} command buffers in all\n`
          + `      per step: wasm CPU ${curve.cpu.toFixed(1)} ms; WebGPU ${curve.recording.toFixed(1)} ms recording + `
          + `${curve.waiting.toFixed(1)} ms until the loss is read back (SwiftShader: a CPU emulation, not a GPU's speed)`);
        expect(last.cpu < first.cpu, `the CPU curve did not fall (${first.cpu} -> ${last.cpu}): the check would prove nothing`);
        expect(worst <= 1e-4, `the curves part: step ${relative.indexOf(worst)} differs by ${worst} relative\n`
          + curve.steps.map((s, i) => `${i}: cpu ${s.cpu} gpu ${s.gpu}`).join('\n'));
      });
    },
  },
];
