// Benchmark: the engine in the reader's browser against the native build, in one run
// (`make bench`). Prints, each with the load average beside it:
//   1. training steps/s of the benchmark CNN (train_bench.cpp) natively and in headless
//      Chromium, both on one thread, and their ratio;
//   2. frame times (requestAnimationFrame deltas in the page) while the first-model lab
//      trains: median and 95th percentile (aim: p95 under 33 ms);
//   3. time from navigation to the first lab being interactive, cold (fresh browser
//      profile) and warm (service worker cache), median of 3 (aim: under 1 s cold).
// Figures are printed, never asserted. Usage:
//   node tests/bench/browser_bench.mjs NATIVE_BUILD WASM_BUILD SITE_DIR [STEPS]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { startSiteServer } from '../../web/build/serve.mjs';
import { siteLabs } from '../e2e/harness.mjs';
import { describeFirstLab, firstLabColdAndWarm, waitForLab } from '../e2e/labs.mjs';

// The e2e suite's Chromium flags: SwiftShader gives headless Chromium WebGL2 without a GPU.
const CHROMIUM_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
const LAB_TRAIN_STEPS = 60;
const TIMEOUT_MS = 180000;

function load() {
  return `load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// Serves `files` (URL path -> file on disk, or { body, type }) with the headers given.
function serveFiles(files, headers = {}) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = http.createServer((request, response) => {
    const entry = files[new URL(request.url, 'http://localhost').pathname];
    if (!entry) {
      response.writeHead(404);
      response.end();
      return;
    }
    const body = typeof entry === 'string' ? fs.readFileSync(entry) : entry.body;
    const type = typeof entry === 'string' ? types[path.extname(entry)] : entry.type;
    response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
    response.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port })));
}

// 1. Steps/s natively and in the page, one thread each.
async function trainingSteps(browser, nativeBuild, wasmBuild, steps) {
  const program = path.join(nativeBuild, 'tests/train_bench');
  const native = spawnSync(program, [String(steps), '--epibook-one-thread'], { encoding: 'utf8' });
  const nativeMatch = /epibook native, 1 thread: ([\d.]+) steps\/s/.exec(native.stdout ?? '');
  if (!nativeMatch) throw new Error(`${program} printed no figure: ${native.stdout}${native.stderr}`);
  const nativeRate = Number(nativeMatch[1]);
  console.log(`  native, 1 thread:           ${nativeRate.toFixed(2)} steps/s [${load()}]`);

  const script = path.join(wasmBuild, 'tests/train_bench_web.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: build the wasm preset (make wasm)`);
  const html = `<!doctype html><meta charset="utf-8"><title>train_bench</title>
<script>var Module = { arguments: ['${steps}'], print: (t) => console.log(t), printErr: (t) => console.warn(t) };</script>
<script src="train_bench_web.js"></script>`;
  const { server, port } = await serveFiles({
    '/': { body: html, type: 'text/html' },
    '/train_bench_web.js': script,
    '/train_bench_web.wasm': script.replace(/\.js$/, '.wasm'),
  });
  const page = await browser.newPage();
  const line = new Promise((resolve, reject) => {
    page.on('console', (message) => {
      const match = /epibook wasm, 1 thread: ([\d.]+) steps\/s/.exec(message.text());
      if (match) resolve(Number(match[1]));
    });
    page.on('pageerror', (error) => reject(error));
    setTimeout(() => reject(new Error('the page printed no figure in time')), TIMEOUT_MS);
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  const browserRate = await line;
  await page.close();
  server.close();
  console.log(`  headless Chromium, 1 thread: ${browserRate.toFixed(2)} steps/s [${load()}]`);
  console.log(`  native / browser = ${(nativeRate / browserRate).toFixed(2)}x (aim: within 2x)`);
}

// 2. Frame times while the first-model lab trains.
async function framesWhileTraining(browser, baseUrl, lab) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}${lab.page}#lab-${lab.number}`);
  await waitForLab(page, lab.number);
  const result = await page.evaluate(async ({ n, steps }) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    await handle.whenIdle();
    handle.frameTiming(true);  // the frame parts of the training only
    const deltas = [];
    let last = null;
    let recording = true;
    const frame = (now) => {
      if (last !== null) deltas.push(now - last);
      last = now;
      if (recording) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    const started = performance.now();
    await handle.set('train_steps', steps);
    await handle.whenIdle();
    recording = false;
    const state = handle.state();
    return { deltas, ms: performance.now() - started, steps: state.steps, msPerStep: state.ms_per_step, parts: handle.frameTiming() };
  }, { n: lab.number, steps: LAB_TRAIN_STEPS });
  await context.close();
  const d = result.deltas;
  console.log(`  first-model lab, ${result.steps} steps in ${(result.ms / 1000).toFixed(1)} s`
    + ` (${result.msPerStep?.toFixed?.(1) ?? '?'} ms a step): ${d.length} frames, median ${median(d).toFixed(1)} ms,`
    + ` p95 ${percentile(d, 95).toFixed(1)} ms, worst ${Math.max(...d).toFixed(1)} ms (aim: p95 under 33 ms) [${load()}]`);
  // The frame's own parts, measured in the module (the last 240 frames): the training
  // slice, building the UI, handing it to WebGL; the rest of a rAF gap is the browser's
  // (compositing, SwiftShader rasterising the canvas on the CPU).
  const r = result.parts?.recent;
  if (r) {
    const show = (s) => (s ? `median ${s.median.toFixed(1)}, p95 ${s.p95.toFixed(1)} ms` : '-');
    console.log(`    parts of the last ${r.frames} frames (${r.drawn} drawn; the UI is redrawn every`
      + ` ${result.parts.training_redraw_ms} ms while training): training slice ${show(r.step_ms)};`
      + ` UI built ${show(r.build_ms)}; GL draw ${show(r.draw_ms)}`);
  }
}

// 3. Navigation to the first lab interactive, cold and warm.
async function firstLabInteractive(browser, baseUrl, lab) {
  const url = `${baseUrl}${lab.page}#lab-${lab.number}`;
  const { cold, warm } = await firstLabColdAndWarm({
    newContext: () => browser.newContext({ viewport: { width: 1280, height: 900 } }),
    openPage: (context) => context.newPage(), url, lab,
  });
  const show = (runs) => runs.map((t) => t.ms.toFixed(0)).join(', ');
  console.log(`  ${lab.name} (${lab.page}) interactive: cold ${median(cold.map((t) => t.ms)).toFixed(0)} ms`
    + ` (runs ${show(cold)}), warm ${median(warm.map((t) => t.ms)).toFixed(0)} ms (runs ${show(warm)}) (aim: cold under 1,000 ms) [${load()}]`);
  console.log(`    cold, where the time went: ${describeFirstLab(lab, cold[0])}`);
}

async function main() {
  const [nativeBuild, wasmBuild, siteDir, stepsArg] = process.argv.slice(2);
  if (!nativeBuild || !wasmBuild || !siteDir) throw new Error('usage: browser_bench.mjs NATIVE_BUILD WASM_BUILD SITE_DIR [STEPS]');
  const steps = Number(stepsArg ?? 20);
  const browser = await chromium.launch({ executablePath: process.env.EPIBOOK_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    console.log(`Training steps/s of the benchmark CNN (4 x Conv1d k9 64 ch, batch 64 x 1 kb), ${steps} steps, in one run`);
    await trainingSteps(browser, nativeBuild, wasmBuild, steps);
    const { server, port } = await startSiteServer(siteDir, 0);
    const baseUrl = `http://127.0.0.1:${port}/`;
    const labs = siteLabs(siteDir);
    const trainingLab = labs.find((l) => l.name === 'first-model');
    console.log('Frame times while a lab trains');
    if (trainingLab) await framesWhileTraining(browser, baseUrl, trainingLab);
    else console.log('  no page embeds the first-model lab');
    console.log('First lab interactive after navigation (median of 3)');
    await firstLabInteractive(browser, baseUrl, labs[0]);
    await new Promise((resolve) => server.close(resolve));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(`browser_bench: ${error.message}`);
  process.exit(1);
});
