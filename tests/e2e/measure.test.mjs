// Figures for the report, printed on every run: time from navigation to the first lab
// being interactive (fresh browser context, local server, headless Chromium), and the
// size of the site's WebAssembly and JavaScript, raw and gzipped. Only the size budget
// is asserted; a timing is printed, never asserted.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { listFiles } from '../../web/build/site-files.mjs';
import { expect, expectNoProblems, newContext, siteLabs, watchedPage } from './harness.mjs';
import { describeFirstLab, firstLabColdAndWarm, waitForLab } from './labs.mjs';

const WASM_GZIP_BUDGET = 2 * 1024 * 1024;

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export const tests = [{
  name: 'sizes of the wasm and JavaScript the book ships (wasm under 2 MB gzip)',
  async run(harness) {
    const files = listFiles(harness.siteDir).filter((f) => /\.(wasm|m?js)$/.test(f) && f !== 'sw.js')
      .map((f) => path.join(harness.siteDir, f));
    const totals = { wasm: { raw: 0, gzip: 0 }, js: { raw: 0, gzip: 0 } };
    for (const file of files.sort()) {
      const bytes = fs.readFileSync(file);
      const gzip = zlib.gzipSync(bytes, { level: 9 }).length;
      const kind = file.endsWith('.wasm') ? 'wasm' : 'js';
      totals[kind].raw += bytes.length;
      totals[kind].gzip += gzip;
      console.log(`      ${path.relative(harness.siteDir, file).padEnd(32)} ${kib(bytes.length).padStart(11)} raw ${kib(gzip).padStart(11)} gzip`);
    }
    for (const kind of ['wasm', 'js']) {
      console.log(`      total ${kind.padEnd(26)} ${kib(totals[kind].raw).padStart(11)} raw ${kib(totals[kind].gzip).padStart(11)} gzip`);
    }
    expect(totals.wasm.raw > 0, 'the site ships no WebAssembly');
    expect(totals.wasm.gzip < WASM_GZIP_BUDGET, `the wasm is ${kib(totals.wasm.gzip)} gzipped, over the 2 MB budget`);
  },
}, {
  name: 'labs on one page share one download and one compile of the wasm',
  async run(harness) {
    const labs = siteLabs(harness.siteDir);
    const first = labs[0];
    const context = await newContext(harness);
    const page = await watchedPage(context);
    const wasmRequests = [];
    page.on('request', (request) => { if (request.url().endsWith('.wasm')) wasmRequests.push(request.url()); });
    await page.goto(`${harness.baseUrl}${first.page}#lab-${first.number}`);
    await waitForLab(page, first.number);
    // Two more labs in canvases of their own, mounted as a page with several labs would.
    const others = labs.slice(1, 3).map((lab) => ({ name: lab.name, params: lab.params }));
    const timings = await page.evaluate(async (more) => {
      // The same module URL book.js imported (the page preloads it), so the same module instance.
      const { mountLab } = await import(document.querySelector('link[rel="modulepreload"][href$="labs/lab-host.js"]').href);
      const handles = [document.querySelector('canvas.lab-canvas').epibookLab];
      for (const lab of more) {
        const canvas = document.createElement('canvas');
        canvas.style.cssText = 'display:block;width:640px;height:400px';
        document.querySelector('article').appendChild(canvas);
        const handle = await mountLab(canvas, lab.name, lab.params);
        await handle.whenIdle();
        handles.push(handle);
      }
      return handles.map((h) => h.timing);
    }, others);
    expect(timings.length === 3, `mounted ${timings.length} labs, wanted 3`);
    expect(timings.every((t) => t.compileStartMs === timings[0].compileStartMs && t.compiledMs === timings[0].compiledMs),
      `the labs did not share one compile: ${JSON.stringify(timings.map((t) => [t.compileStartMs, t.compiledMs]))}`);
    expect(wasmRequests.length === 1, `the page fetched the wasm ${wasmRequests.length} times: ${wasmRequests.join(', ')}`);
    const spans = timings.map((t) => `${(t.instantiatedMs - t.readyMs).toFixed(0)} ms`).join(', ');
    console.log(`      3 labs, 1 wasm download, 1 compile (${(timings[0].compiledMs - timings[0].compileStartMs).toFixed(0)} ms); instantiating each took ${spans}`);
    expectNoProblems(page, 'three labs on one page');
    await context.close();
  },
}, {
  name: 'time from navigation to the first lab being interactive, cold and warm (service worker)',
  async run(harness) {
    const first = siteLabs(harness.siteDir)[0];
    expect(first, 'the book has no lab');
    const url = `${harness.baseUrl}${first.page}#lab-${first.number}`;
    const { cold, warm } = await firstLabColdAndWarm({
      newContext: () => newContext(harness, { serviceWorkers: 'allow' }), openPage: watchedPage, url, lab: first,
      onRun: (kind, run, timing) => console.log(`      ${kind} run ${run + 1}: ${describeFirstLab(first, timing)}`),
    });
    const median = (runs) => [...runs].map((t) => t.ms).sort((a, b) => a - b)[1].toFixed(0);
    console.log(`      median: ${median(cold)} ms cold, ${median(warm)} ms warm (aim: under 1,000 ms cold;`
      + ` this machine's load average: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
  },
}];
