// The WebGPU backend against the CPU backend, in headless Chromium's software adapter
// (SwiftShader): every op on random shapes, then a 50-step training curve of the
// benchmark CNN's layers, Trainers with two steps in flight (BatchNorm and Dropout
// models too), and the share of a step spent waiting for read backs. The checks run in the wasm module build/wasm/web/
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
// two in flight, validation on the device, its outputs read back once) against a
// Trainer on the CPU. `model`: "conv", or "batch_norm_dropout" (BatchNorm1d's statistics
// and running averages and Dropout's masks on the device; the masks the same bits).
async function checkTrainerRun(page, model) {
  const run = await page.evaluate(async (name) => {
    const started = window.checks.startTrainerRun(name);
    if (started) return { error: started };
    for (let calls = 0; calls < 100; ++calls) {
      const next = window.checks.advanceTrainerRun();
      if (next === 'done') return JSON.parse(window.checks.trainerRunResults());
      if (next !== 'wait') return { error: next };
      const lost = await window.checks.epibookGpu.idle();
      if (lost) return { error: lost };
    }
    return { error: 'the epoch did not finish in 100 calls' };
  }, model);
  expect(!run.error, `trainer run (${model}) failed: ${run.error}`);
  const relative = (a, b) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
  const stepWorst = Math.max(...run.gpu.losses.map((l, i) => relative(l, run.cpu.losses[i])));
  const outputWorst = Math.max(...run.gpu.outputs.map((o, i) => Math.abs(o - run.cpu.outputs[i])));
  const largest = Math.max(...run.cpu.outputs.map(Math.abs));
  const bufferLargest = Math.max(0, ...run.cpu.buffers.map(Math.abs));
  const bufferWorst = Math.max(0, ...run.gpu.buffers.map((b, i) => Math.abs(b - run.cpu.buffers[i])));
  console.log(`      ${model}: ${run.gpu.losses.length} steps (${run.most_in_flight} in flight), ${run.gpu.outputs.length} validation outputs read back once: `
    + `steps within ${stepWorst.toExponential(2)} relative, outputs within ${outputWorst.toExponential(2)} (largest ${largest.toFixed(3)}), `
    + `${run.cpu.buffers.length} running statistics within ${bufferWorst.toExponential(2)}, `
    + `validation loss ${run.gpu.validation_loss} (cpu ${run.cpu.validation_loss}), auroc ${run.gpu.auroc} (cpu ${run.cpu.auroc})`);
  expect(run.gpu.losses.length === run.cpu.losses.length && run.gpu.outputs.length === run.cpu.outputs.length && run.cpu.outputs.length === 16,
    `sizes differ: ${run.gpu.losses.length}/${run.cpu.losses.length} steps, ${run.gpu.outputs.length}/${run.cpu.outputs.length} outputs`);
  expect(run.most_in_flight === 2, `the trainer kept ${run.most_in_flight} steps in flight, not 2`);
  expect(stepWorst <= 1e-4, `step losses differ by ${stepWorst} relative`);
  expect(outputWorst <= 1e-4 * largest, `validation outputs differ by ${outputWorst}`);
  expect(relative(run.gpu.validation_loss, run.cpu.validation_loss) <= 1e-4, 'validation losses differ');
  expect(run.gpu.buffers.length === run.cpu.buffers.length && (model === 'conv') === (run.cpu.buffers.length === 0),
    `running statistics: ${run.gpu.buffers.length} on WebGPU, ${run.cpu.buffers.length} on the CPU`);
  expect(bufferWorst <= 1e-4 * bufferLargest, `running statistics differ by ${bufferWorst} (largest ${bufferLargest})`);
  for (const metric of ['auroc', 'auprc']) {
    expect(Math.abs(run.gpu[metric] - run.cpu[metric]) <= 1e-4, `${metric}: ${run.gpu[metric]} against ${run.cpu[metric]}`);
  }
}

// How much of a device step the page spends waiting for read backs: the benchmark
// CNN's layers (16 channels, batch 16, 256 bp) trained by a Trainer driven as a lab
// drives it (begin what may begin, take the losses that landed, else yield to the
// event loop), with 1 and then 2 steps in flight. The time spent in yields while a
// loss is on its way is the wait. Timings are printed, never tested (SwiftShader on a
// loaded machine); the losses must be the same bits either way.
async function measureReadBackWait(page) {
  const runs = await page.evaluate(async () => {
    const out = {};
    for (const depth of [1, 2]) {
      const started = window.checks.startPipeline(depth, 16, 16, 256);
      if (started) return { error: started };
      const warm = 2;
      const steps = 8;
      let waited = 0;
      let begun = 0;
      let first = 0;
      let taken = 0;
      for (;;) {
        taken = window.checks.advancePipeline();
        if (taken < 0) return { error: `depth ${depth}: a step failed` };
        if (taken >= warm && !begun) {
          begun = performance.now();
          first = taken;
        }
        if (taken >= warm + steps) break;
        const t0 = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (begun) waited += performance.now() - t0;
      }
      const total = performance.now() - begun;
      // The step still in flight lands before the trainer that asked for it goes.
      const lost = await window.checks.epibookGpu.idle();
      if (lost) return { error: lost };
      out[depth] = { msPerStep: total / (taken - first), waitShare: waited / total, losses: JSON.parse(window.checks.pipelineLosses()) };
    }
    return out;
  });
  expect(!runs.error, `read-back measurement failed: ${runs.error}`);
  console.log(`      read back wait (benchmark CNN 16 ch, batch 16, 256 bp; SwiftShader, not a GPU's speed): `
    + `1 step in flight ${runs[1].msPerStep.toFixed(1)} ms a step, ${(100 * runs[1].waitShare).toFixed(0)}% waiting; `
    + `2 in flight ${runs[2].msPerStep.toFixed(1)} ms a step, ${(100 * runs[2].waitShare).toFixed(0)}% waiting`);
  expect(JSON.stringify(runs[1].losses) === JSON.stringify(runs[2].losses),
    `the losses differ with 2 steps in flight:\n${runs[1].losses.join(' ')}\n${runs[2].losses.join(' ')}`);
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
        // Per op (the shape left out): its bound and the worst share of it reached.
        const byOp = new Map();
        for (const r of results) {
          const op = r.op.replace(/\[[^\]]*\]|\([^)]*\)/g, '').replace(/\s+/g, ' ').trim();
          const seen = byOp.get(op);
          if (!seen || r.ratio > seen.ratio) byOp.set(op, { ratio: r.ratio, bound: r.bound, difference: r.difference });
        }
        console.log(`      per op, worst share of its bound (|diff|):\n        ${[...byOp].map(([op, r]) =>
          `${op}: ${r.bound}: ${r.bound.startsWith('exact') ? (r.ratio === 0 ? 'bit-equal' : 'DIFFERS') : r.ratio.toFixed(3)} (${r.difference.toExponential(1)})`).join('\n        ')}`);
        expect(results.length >= 80, `only ${results.length} op checks ran`);
        expect(failed.length === 0, `ops beyond tolerance:\n${failed.map((r) => `${r.op} ${r.shape}: |gpu - cpu| = ${r.difference} is ${r.ratio} x the tolerance (largest |cpu| ${r.largest})`).join('\n')}`);
      });
    },
  },
  {
    name: 'the benchmark CNN trains 50 steps on WebGPU along the CPU backend\'s curve (1e-4 relative); Trainers on WebGPU (with BatchNorm and Dropout too, two steps in flight) match the CPU\'s',
    async run() {
      await withChecksPage(async (page) => {
        await checkTrainerRun(page, 'conv');
        await checkTrainerRun(page, 'batch_norm_dropout');
        await measureReadBackWait(page);
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
