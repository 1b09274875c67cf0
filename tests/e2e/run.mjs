// Runs the book's end-to-end tests (tests/e2e/*.test.mjs) against a built site.
// Usage: node tests/e2e/run.mjs SITE_DIR EPIBOOK_CLI [name-filter]
// Each test file exports `tests`: [{ name, run(harness) }]. Exit code 1 if any fails.
// E2E_JOBS tests run at once (default 2), each in its own browser contexts: much of a
// test is waiting on a page, a frame or the CLI, so two keep two cores busier than one.
// Tests share nothing but the browser and the server; each makes its own scratch folder.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { openHarness, repo } from './harness.mjs';

async function main() {
  const [siteDir, cliPath, filter = ''] = process.argv.slice(2);
  if (!siteDir || !cliPath) throw new Error('usage: run.mjs SITE_DIR EPIBOOK_CLI [name-filter]');
  if (!fs.existsSync(path.join(siteDir, 'index.html'))) throw new Error(`${siteDir} has no index.html: run make site first`);
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} does not exist: run make native first`);

  const testDir = path.join(repo, 'tests/e2e');
  const files = fs.readdirSync(testDir).filter((f) => f.endsWith('.test.mjs')).sort();
  const tests = [];
  for (const file of files) {
    const module = await import(pathToFileURL(path.join(testDir, file)).href);
    for (const test of module.tests) tests.push({ ...test, name: `${file.replace('.test.mjs', '')}: ${test.name}` });
  }
  const selected = tests.filter((t) => t.name.includes(filter));

  const harness = await openHarness(siteDir, cliPath);
  const failures = [];
  const started = Date.now();
  const jobs = Math.max(1, Number.parseInt(process.env.E2E_JOBS ?? '2', 10) || 1);
  const queue = [...selected];
  async function worker() {
    for (let test = queue.shift(); test; test = queue.shift()) {
      const t0 = Date.now();
      try {
        await test.run(harness);
        console.log(`ok    ${test.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (error) {
        failures.push(test.name);
        console.log(`FAIL  ${test.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n      ${String(error.message).split('\n').join('\n      ')}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, selected.length) }, worker));
  await harness.close();
  console.log(`\n${selected.length - failures.length} of ${selected.length} end-to-end tests passed in ${((Date.now() - started) / 1000).toFixed(0)} s`
    + ` (screenshots in tests/e2e/screenshots/)`);
  if (failures.length) {
    console.log(`failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`e2e: ${error.message}`);
  process.exitCode = 1;
});
