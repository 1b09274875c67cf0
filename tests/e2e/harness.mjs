// The end-to-end harness: serves the built site on a free port, drives Debian's
// Chromium with playwright-core, and gives each test fresh pages that record every
// console error, uncaught exception and failed request.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

import { startSiteServer } from '../../web/build/serve.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshotsDir = path.join(repo, 'tests/e2e/screenshots');

// SwiftShader gives headless Chromium WebGL2 without a GPU.
const CHROMIUM_ARGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];

export async function openHarness(siteDir, cliPath) {
  const { server, port } = await startSiteServer(siteDir, 0);
  const browser = await chromium.launch({
    executablePath: process.env.EPIBOOK_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS,
  });
  fs.mkdirSync(screenshotsDir, { recursive: true });
  return {
    siteDir: path.resolve(siteDir),
    cliPath: path.resolve(cliPath),
    baseUrl: `http://127.0.0.1:${port}/`,
    browser,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// A page whose problems collect in page.problems: console errors, exceptions, and
// responses of 400 or more (a missing file is an error even if nothing logs it).
export async function watchedPage(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) page.problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('requestfailed', (request) => page.problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  return page;
}

// A fresh browser context, as a first visit. The book's service worker is blocked unless
// a test asks for it ({ serviceWorkers: 'allow' }: offline, threads, warm timings,
// privacy): registered, it stores all 27 MB of the site in every fresh context (about
// 2 s of CPU each, in the background of the test), and once it claims the page it
// serves the page's later fetches from a point in the test that depends on the load.
export function newContext(harness, options = {}) {
  return harness.browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block', ...options });
}

export function screenshotPath(name) {
  return path.join(screenshotsDir, `${name.replace(/[^a-z0-9.-]+/gi, '_')}.png`);
}

// Every page of the book, as the build listed them for search.
export function sitePages(siteDir) {
  const index = JSON.parse(fs.readFileSync(path.join(siteDir, 'search-index.json'), 'utf8'));
  return index.pages.map((p) => p.url);
}

// Every lab block in the site: page, lab number on the page (1-based), name, params.
export function siteLabs(siteDir) {
  return sitePages(siteDir).flatMap((url) => {
    const html = fs.readFileSync(path.join(siteDir, url), 'utf8');
    const found = [];
    const pattern = /<figure class="lab" id="lab-(\d+)">\s*<canvas class="lab-canvas" data-lab="([^"]+)" data-params='([^']*)'/g;
    for (const match of html.matchAll(pattern)) {
      const params = JSON.parse(match[3].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
      found.push({ page: url, number: Number(match[1]), name: match[2], params });
    }
    return found;
  });
}

// Runs a program (the CLI, Python, bash, tar) and resolves with its exit status and
// output. Unlike spawnSync it does not block Node: the other test running at once
// (run.mjs, E2E_JOBS) goes on driving its page meanwhile. `input` is written to stdin;
// after `timeout` ms the program is killed and status is null, as with spawnSync.
export function runProgram(file, args, { cwd, env, input, timeout = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    const timer = timeout > 0 ? setTimeout(() => child.kill('SIGTERM'), timeout) : null;
    child.on('error', (error) => { clearTimeout(timer); reject(new Error(`${file}: ${error.message}`)); });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

export function expectNoProblems(page, where) {
  expect(page.problems.length === 0, `${where}: ${page.problems.join('; ')}`);
}
