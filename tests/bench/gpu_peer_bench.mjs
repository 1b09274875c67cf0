// Benchmark: training in the page on a GPU, epibook against TensorFlow.js, in one
// headless Chromium run with WebGPU (`make bench`). The same CNN (4 x Conv1d k9 'same' +
// ReLU + MaxPool1d(2), global average, Dense(1); sigmoid cross-entropy; Adam 1e-3) on
// one fixed batch, trained with epibook's WebGPU and wasm CPU backends
// (build/wasm/web/epibook-gpu-checks.js) and with tfjs-webgpu and tfjs-cpu. Each step
// reads its loss back (as a lab does); prints steps/s, the ratios, the share of an
// epibook WebGPU step spent waiting for that read back, and the load average. Printed,
// never asserted. On SwiftShader (no real GPU) the size is reduced unless asked.
// Usage: node tests/bench/gpu_peer_bench.mjs WASM_BUILD [--full | CHANNELS BATCH LENGTH] [STEPS]
// (EPIBOOK_NODE_MODULES: where @tensorflow/* are installed; the repo's node_modules by default)
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const nodeModules = process.env.EPIBOOK_NODE_MODULES ?? path.join(repo, 'node_modules');
const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist'];
const FULL = { channels: 64, batch: 64, length: 1024 };       // tests/bench/train_bench.cpp's CNN
const REDUCED = { channels: 16, batch: 16, length: 256 };     // what SwiftShader runs in seconds
const WARMUP = 2;

function load() {
  return `load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>epibook GPU peer bench</title>
<script src="/epibook-gpu-checks.js"></script>
<script src="/tf.min.js"></script>
<script src="/tf-backend-webgpu.min.js"></script>
<script>
window.openBench = async () => {
  if (!navigator.gpu) return { error: 'navigator.gpu is missing (start Chromium with --enable-unsafe-webgpu, on http://localhost)' };
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { error: 'no WebGPU adapter' };
  const device = await adapter.requestDevice();
  const info = adapter.info || {};
  window.epibook = await createEpibookGpuChecks({ epibookGpu: { device } });
  return { adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed adapter',
    software: info.architecture === 'swiftshader' };
};
const idle = () => window.epibook.epibookGpu.idle();
window.benchEpibook = async (size, steps) => {
  const started = window.epibook.startBench(size.channels, size.batch, size.length);
  if (started) return { error: started };
  const out = {};
  let t0 = 0;
  for (let i = 0; i < steps + ${WARMUP}; ++i) {
    if (i === ${WARMUP}) t0 = performance.now();
    const failed = window.epibook.benchCpuStep();
    if (failed) return { error: failed };
  }
  out.cpuMs = (performance.now() - t0) / steps;
  let recording = 0, waiting = 0;
  for (let i = 0; i < steps + ${WARMUP}; ++i) {
    const a = performance.now();
    const failed = window.epibook.benchGpuStep();
    if (failed) return { error: failed };
    const b = performance.now();
    const lost = await idle();
    if (lost) return { error: lost };
    if (i >= ${WARMUP}) { recording += b - a; waiting += performance.now() - b; }
  }
  out.gpuMs = (recording + waiting) / steps;
  out.gpuWaitShare = waiting / (recording + waiting);
  out.losses = JSON.parse(window.epibook.benchLosses());
  return out;
};
window.benchTfjs = async (backend, size, steps) => {
  await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential();
  for (let i = 0; i < 4; ++i) {
    model.add(tf.layers.conv1d({ filters: size.channels, kernelSize: 9, padding: 'same', activation: 'relu',
      inputShape: i === 0 ? [size.length, 4] : undefined }));
    model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  }
  model.add(tf.layers.globalAveragePooling1d());
  model.add(tf.layers.dense({ units: 1 }));
  const optimizer = tf.train.adam(1e-3);
  const x = tf.tidy(() => tf.oneHot(tf.randomUniform([size.batch, size.length], 0, 4, 'int32'), 4).toFloat());
  const y = tf.tidy(() => tf.randomUniform([size.batch, 1], 0, 2, 'int32').toFloat());
  let t0 = 0, loss = 0;
  for (let i = 0; i < steps + ${WARMUP}; ++i) {
    if (i === ${WARMUP}) t0 = performance.now();
    const value = optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x)), true);
    loss = (await value.data())[0];
    value.dispose();
  }
  const ms = (performance.now() - t0) / steps;
  x.dispose(); y.dispose(); model.dispose(); optimizer.dispose();
  return { ms, loss, backend: tf.getBackend() };
};
</script>`;

function serve(wasmBuild) {
  const files = {
    '/epibook-gpu-checks.js': path.join(wasmBuild, 'web/epibook-gpu-checks.js'),
    '/tf.min.js': path.join(nodeModules, '@tensorflow/tfjs/dist/tf.min.js'),
    '/tf-backend-webgpu.min.js': path.join(nodeModules, '@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js'),
  };
  for (const file of Object.values(files)) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing (make wasm; npm ci installs @tensorflow/tfjs and -backend-webgpu)`);
  }
  const server = http.createServer((request, response) => {
    const file = files[request.url];
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(PAGE);
    } else if (file) {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(fs.readFileSync(file));
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const args = process.argv.slice(2);
  const wasmBuild = args[0];
  if (!wasmBuild) throw new Error('usage: gpu_peer_bench.mjs WASM_BUILD [--full | CHANNELS BATCH LENGTH] [STEPS]');
  const server = await serve(wasmBuild);
  const browser = await chromium.launch({ executablePath: process.env.EPIBOOK_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.log(`  page error: ${error.message}`));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const opened = await page.evaluate(() => window.openBench());
    if (opened.error) throw new Error(opened.error);
    let size = opened.software ? REDUCED : FULL;
    let steps = opened.software ? 10 : 30;
    if (args[1] === '--full') {
      size = FULL;
      steps = Number(args[2] ?? steps);
    } else if (args.length >= 4) {
      size = { channels: Number(args[1]), batch: Number(args[2]), length: Number(args[3]) };
      steps = Number(args[4] ?? steps);
    }
    const shape = `${size.channels} ch, batch ${size.batch} x ${size.length} bp`;
    console.log(`Training in the page on ${opened.adapter}: 4 x Conv1d k9 ${shape}, Adam, ${steps} steps after ${WARMUP} warm-up, loss read back every step`);
    if (opened.software) {
      console.log('  SwiftShader simulates the GPU on the CPU: these speeds say little about a real GPU'
        + `${size === REDUCED ? `; reduced from ${FULL.channels} ch, batch ${FULL.batch} x ${FULL.length} bp (seconds a step here)` : ''}.`);
    }
    const epibook = await page.evaluate(({ s, n }) => window.benchEpibook(s, n), { s: size, n: steps });
    if (epibook.error) throw new Error(`epibook: ${epibook.error}`);
    console.log(`  epibook WebGPU:   ${(1000 / epibook.gpuMs).toFixed(2)} steps/s (${epibook.gpuMs.toFixed(1)} ms a step, `
      + `${(100 * epibook.gpuWaitShare).toFixed(1)}% of it waiting for the loss read back) [${load()}]`);
    console.log(`  epibook wasm CPU: ${(1000 / epibook.cpuMs).toFixed(2)} steps/s (${epibook.cpuMs.toFixed(1)} ms a step) [${load()}]`);
    const peers = {};
    for (const backend of ['webgpu', 'cpu']) {
      const result = await page.evaluate(({ b, s, n }) => window.benchTfjs(b, s, n), { b: backend, s: size, n: steps });
      peers[backend] = result;
      console.log(`  tfjs-${result.backend}:${' '.repeat(Math.max(1, 12 - result.backend.length))}${(1000 / result.ms).toFixed(2)} steps/s `
        + `(${result.ms.toFixed(1)} ms a step) [${load()}]`);
    }
    const ratio = (a, b) => (b / a).toFixed(2);
    console.log(`  epibook WebGPU / tfjs-webgpu = ${ratio(epibook.gpuMs, peers.webgpu.ms)}x (aim: above 1)`);
    console.log(`  epibook wasm CPU / tfjs-cpu = ${ratio(epibook.cpuMs, peers.cpu.ms)}x;`
      + ` epibook WebGPU / epibook wasm CPU = ${ratio(epibook.gpuMs, epibook.cpuMs)}x`);
    console.log('  (tfjs-wasm is not measured: it would need its own .wasm files served; tfjs-cpu is plain JavaScript)');
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((error) => {
  console.error(`gpu_peer_bench: ${error.message}`);
  process.exit(1);
});
