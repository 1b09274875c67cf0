// The training labs on WebGPU (wasm/train/backend_choice.h), in headless Chromium with
// WebGPU on its software adapter (SwiftShader): the first-model lab trains on the WebGPU
// backend along a CPU-only run's curve, goes on on the CPU when its device is destroyed
// (no step lost), and "auto" follows its own probe. No adapter is a failure, never a skip.
import { chromium } from 'playwright-core';

import { expect, expectNoProblems, watchedPage } from './harness.mjs';
import { callLab, labState, openLab } from './labs.mjs';
import { firstModelLab } from './training.test.mjs';

const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist'];
// float32 on the GPU against the CPU's summation order and double-precision loss: the
// tolerance of tests/e2e/gpu.test.mjs's training curve.
const CURVE_TOLERANCE = 1e-4;
// Small enough for SwiftShader (a CPU emulation of a GPU) to run in seconds.
const SETTINGS = [['layers', 2], ['channels', 8], ['batch_size', 16], ['epochs', 2]];

async function withWebGpuLab(harness, run) {
  const browser = await chromium.launch({ executablePath: process.env.EPIBOOK_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context);
    const lab = firstModelLab(harness);
    await openLab(page, harness.baseUrl, lab);
    // The page opens its device without holding up the lab: wait for it.
    const adapter = await page.waitForFunction((n) => {
      const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
      return handle.state().webgpu_adapter || null;
    }, lab.number, { timeout: 20000 }).then((h) => h.jsonValue()).catch(() => '');
    expect(adapter, 'the page opened no WebGPU device: navigator.gpu or its adapter is missing in this Chromium');
    for (const [key, value] of SETTINGS) await callLab(page, lab.number, 'set', key, value);
    await run(page, lab.number, adapter);
    expectNoProblems(page, 'first-model on WebGPU');
  } finally {
    await browser.close();
  }
}

function worstRelative(a, b) {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.abs(b[i])));
}

export const tests = [{
  name: 'first-model on WebGPU: auto follows its probe, the curve follows the CPU\'s, a lost device leaves the run going on the CPU',
  async run(harness) {
    await withWebGpuLab(harness, async (page, n, adapter) => {
      await callLab(page, n, 'set', 'backend', 'auto');
      await callLab(page, n, 'set', 'train_steps', 1);
      const auto = await labState(page, n);
      expect(auto.probe && auto.probe.cpu_ms > 0 && auto.probe.webgpu_ms > 0, `no probe figures: ${JSON.stringify(auto.probe)} (${auto.backend_note})`);
      const faster = auto.probe.webgpu_ms < auto.probe.cpu_ms ? 'webgpu' : 'cpu';
      expect(auto.backend === faster, `the probe found ${faster} faster (${auto.backend_note}) but the run is on ${auto.backend}`);
      expect(auto.steps === 1, `auto trained ${auto.steps} steps, not 1`);

      await callLab(page, n, 'set', 'backend', 'cpu');
      await callLab(page, n, 'set', 'reset', true);
      await callLab(page, n, 'set', 'train_steps', 8);
      const cpu = await labState(page, n);
      expect(cpu.backend === 'cpu' && cpu.steps === 8, `CPU run: backend ${cpu.backend}, ${cpu.steps} steps`);

      await callLab(page, n, 'set', 'reset', true);
      await callLab(page, n, 'set', 'backend', 'webgpu');
      await callLab(page, n, 'set', 'train_steps', 2);
      const gpu = await labState(page, n);
      expect(gpu.backend === 'webgpu', `asked for webgpu, runs on ${gpu.backend}: ${gpu.backend_note}`);
      expect(gpu.steps === 2 && gpu.train_loss.length === 2, `WebGPU run: ${gpu.steps} steps (${gpu.message})`);

      // Destroyed between steps 2 and 3: the run's last copy of the weights is from
      // step 0 (copies every 16 steps), so steps 1-2 are recomputed on the CPU.
      await callLab(page, n, 'loseGpuDevice');
      await callLab(page, n, 'set', 'train_steps', 6);
      const after = await labState(page, n);
      expect(after.backend === 'cpu' && after.backend_fallbacks === 1,
        `after the device was destroyed: backend ${after.backend}, ${after.backend_fallbacks} fallbacks (${after.backend_note})`);
      expect(after.steps === 8 && after.phase !== 'failed', `the run did not go on: ${after.steps} steps, ${after.phase} ${after.message}`);
      expect(JSON.stringify(after.train_loss.slice(0, 2)) === JSON.stringify(gpu.train_loss),
        'the losses seen before the device was lost changed');
      const worst = worstRelative(after.train_loss, cpu.train_loss);
      console.log(`      ${adapter}; ${auto.backend_note} -> ${auto.backend}\n`
        + `      2 steps on WebGPU (${gpu.ms_per_step.toFixed(0)} ms a step), device destroyed, 6 more on the CPU (${after.backend_note}); `
        + `largest relative difference from a CPU-only run ${worst.toExponential(2)}`);
      expect(worst <= CURVE_TOLERANCE, `the curve left the CPU-only run's: ${worst} relative\n`
        + after.train_loss.map((l, i) => `${i}: ${l} (cpu ${cpu.train_loss[i]})`).join('\n'));
    });
  },
}];
