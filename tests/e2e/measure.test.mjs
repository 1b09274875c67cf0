// Figures for the report, printed on every run: time from navigation to the first lab
// being interactive (fresh browser context, local server, headless Chromium), and the
// size of the site's WebAssembly and JavaScript, raw and gzipped. Only the size budget
// is asserted; a timing is printed, never asserted.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

import { listFiles } from '../../web/build/site-files.mjs';
import { expect, newContext, siteLabs, watchedPage } from './harness.mjs';
import { waitForLab } from './labs.mjs';

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
  name: 'time from navigation to the first lab being interactive',
  async run(harness) {
    const first = siteLabs(harness.siteDir)[0];
    expect(first, 'the book has no lab');
    const runs = [];
    for (let run = 0; run < 3; run += 1) {
      const context = await newContext(harness);
      const page = await watchedPage(context);
      await page.goto(`${harness.baseUrl}${first.page}#lab-${first.number}`);
      await waitForLab(page, first.number);
      const timing = await page.evaluate(() => ({
        lab: window.epibookTiming.labsInteractive[0],
        domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      }));
      runs.push(timing.lab.ms);
      const t = timing.lab;
      console.log(`      run ${run + 1}: ${first.name} interactive at ${t.ms.toFixed(0)} ms after navigation, cold cache`
        + ` (DOMContentLoaded ${timing.domContentLoaded.toFixed(0)}, mount starts ${t.startMs.toFixed(0)},`
        + ` lab host loaded ${t.hostMs.toFixed(0)}, wasm instance mounted ${t.mountedMs.toFixed(0)}, data read and drawn ${t.ms.toFixed(0)} ms)`);
      await context.close();
    }
    const sorted = [...runs].sort((a, b) => a - b);
    console.log(`      median: ${sorted[1].toFixed(0)} ms (aim: under 1,500 ms; this machine's load average: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
  },
}];
