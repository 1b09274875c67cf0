// Reaching a lab from a test: open its page scrolled to it, wait until the page
// script has mounted it, and call its handle (web/labs/README.md: state, set, whenIdle,
// openBytes) inside the page. book.js keeps each handle on its canvas as .epibookLab.
import fs from 'node:fs';
import path from 'node:path';

import { decodePng, countColours } from './png.mjs';
import { expect, expectNoProblems, newContext, screenshotPath, siteLabs, watchedPage } from './harness.mjs';

// A lab is 'mounted' after book.js's whenIdle(), which may replay a run link and waits
// up to lab-host.js's IDLE_TIMEOUT_MS (120 s): the wait here must be longer than that,
// or a loaded machine fails a mount that is only slow.
const MOUNT_TIMEOUT_MS = 180000;

export async function waitForLab(page, number) {
  const figure = page.locator(`#lab-${number}`);
  await figure.scrollIntoViewIfNeeded();
  await page.waitForFunction((n) => {
    const f = document.getElementById(`lab-${n}`);
    return f && (f.classList.contains('mounted') || f.classList.contains('failed'));
  }, number, { timeout: MOUNT_TIMEOUT_MS });
  const failed = await figure.evaluate((f) => f.classList.contains('failed') && f.querySelector('.lab-status').textContent);
  expect(!failed, `lab ${number} did not mount: ${failed}`);
}

export async function openLab(page, baseUrl, lab) {
  await page.goto(`${baseUrl}${lab.page}#lab-${lab.number}`);
  await waitForLab(page, lab.number);
}

// Runs `method` of lab `number`'s handle with JSON arguments, then waits for it to settle.
export function callLab(page, number, method, ...args) {
  return page.evaluate(async ({ n, m, a }) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    const result = await handle[m](...a);
    await handle.whenIdle();
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  }, { n: number, m: method, a: args });
}

export function labState(page, number) {
  return callLab(page, number, 'state');
}

// Sets `key` and waits until the lab has no work left: whole training runs can outlast
// one whenIdle() on a loaded machine, so it is asked again until the lab says idle.
export function setAndSettle(page, number, key, value) {
  return page.evaluate(async ({ n, k, v }) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    await handle.set(k, v);
    const deadline = performance.now() + 15 * 60000;
    const working = (st) => st.phase === 'running' || st.phase === 'training' || st.b?.phase === 'training';
    do { await handle.whenIdle(); } while (working(handle.state()) && performance.now() < deadline);
  }, { n: number, k: key, v: value });
}

// The lab `name` on the pages under `chapterDir` ("07-reproducibility/") opened in a
// fresh context (and, when given, once `readySelector` is on the page), then
// body({ lab, page, context, set, state, url, line }) with set(key, value) settling whole
// runs (setAndSettle), state() bound to it, the page's URL and its Expect line (read
// when asked for); the page must log no problem.
export async function withOpenLab(harness, chapterDir, name, body, readySelector) {
  const lab = siteLabs(harness.siteDir).find((l) => l.name === name && l.page.startsWith(chapterDir));
  expect(lab, `no page under ${chapterDir} embeds the ${name} lab`);
  const context = await newContext(harness);
  const page = await watchedPage(context);
  await openLab(page, harness.baseUrl, lab);
  if (readySelector) await page.waitForSelector(readySelector, { timeout: 20000 });
  await body({
    lab, page, context, url: lab.page, get line() { return expectLine(harness.siteDir, lab.page); },
    set: (key, value) => setAndSettle(page, lab.number, key, value), state: () => labState(page, lab.number),
  });
  expectNoProblems(page, name);
  await context.close();
}

// A chapter's experiment with one of its labs, as withOpenLab opens it: body(set, state,
// pageUrl) with set(key, value) one call of the lab's set (and whenIdle) and state().
export function withChapterLab(harness, chapterDir, name, body) {
  return withOpenLab(harness, chapterDir, name, ({ lab, page }) => body(
    (key, value) => callLab(page, lab.number, 'set', key, value), () => labState(page, lab.number), lab.page));
}

// The message with which lab `number` refuses set(key, value), or null when it takes it.
export function setRefusal(page, number, key, value) {
  return page.evaluate(async ({ n, k, v }) => {
    try { await document.querySelector(`#lab-${n} canvas`).epibookLab.set(k, v); return null; } catch (e) { return String(e.message ?? e); }
  }, { n: number, k: key, v: value });
}

// The text of a page's one "Expect:" line (what its lab should show), tags removed and
// thousands separators kept.
export function expectLine(siteDir, url) {
  const html = fs.readFileSync(path.join(siteDir, url), 'utf8');
  const items = [...html.matchAll(/<li><strong>Expect:<\/strong>([\s\S]*?)<\/li>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  expect(items.length === 1, `${url}: expected one "Expect:" line, found ${items.length}`);
  return items[0];
}

// Fails unless the Expect line says each of `values` (the texts of the numbers checked).
export function expectStated(line, url, values) {
  for (const value of values) expect(line.includes(value), `${url}: the Expect line does not say ${value}: "${line.trim()}"`);
}

export const near = (a, b, tolerance, what) => expect(Math.abs(a - b) <= tolerance, `${what}: ${a}, expected ${b}`);

// A number as a page prints it: three decimals, and with its sign for a difference.
export const text3 = (v) => v.toFixed(3);
export const signed3 = (v) => `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(3)}`;

// Fails unless every number pinned in `want` equals the one at the same place in `got`
// (a lab's state, `want` nested as it is) to the three decimals a page prints.
export function expectPinned(got, want, what) {
  for (const [key, value] of Object.entries(want)) {
    expect(got && key in got, `${what}: no ${key} in ${JSON.stringify(got)}`);
    if (typeof value === 'object') {
      expectPinned(got[key], value, `${what} ${key}`);
    } else {
      expect(typeof got[key] === 'number', `${what} ${key}: ${got[key]}, expected ${value}`);
      near(Number(got[key].toFixed(3)), value, 1e-9, `${what} ${key}`);
    }
  }
}

export function openBytes(page, number, fileName, bytes) {
  return page.evaluate(async ({ n, name, data }) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    await handle.openBytes(name, new Uint8Array(data));
    await handle.whenIdle();
  }, { n: number, name: fileName, data: [...bytes] });
}

// Waits until lab `number`, in view, has drawn what its state says: a lab draws its next
// few frames after a set(), a file, a theme switch, a resize or coming into view
// (web/labs/README.md, "When a lab draws"), and frameTiming() counts those still owed.
// Two frames first, so a change the page makes now (an IntersectionObserver's or a
// MutationObserver's callback) has reached the lab.
export async function labDrawn(page, number) {
  await page.locator(`#lab-${number}`).scrollIntoViewIfNeeded();
  await page.evaluate(async (n) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    await nextFrame();
    await nextFrame();
    for (let t = handle.frameTiming(); !t.visible || t.draws_pending > 0; t = handle.frameTiming()) await nextFrame();
  }, number);
}

// Waits until the lab has drawn what its state says, then reads the canvas on screen:
// how many colours it shows (a canvas nothing was drawn on has one or two), its mean
// luminance (0 dark .. 1 light) and the share of its pixels that are dark.
export async function canvasLook(page, number, screenshotName) {
  await labDrawn(page, number);
  const canvas = page.locator(`#lab-${number} canvas`);
  const image = decodePng(await canvas.screenshot({ path: screenshotPath(screenshotName) }));
  let sum = 0;
  let dark = 0;
  const count = image.width * image.height;
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    const luma = (0.2126 * image.pixels[i] + 0.7152 * image.pixels[i + 1] + 0.0722 * image.pixels[i + 2]) / 255;
    sum += luma;
    if (luma < 0.3) dark += 1;
  }
  return { colours: countColours(image), mean: sum / count, darkShare: dark / count };
}

export async function canvasColours(page, number, screenshotName) {
  return (await canvasLook(page, number, screenshotName)).colours;
}

export function pageTheme(page) {
  return page.evaluate(() => document.documentElement.dataset.theme);
}

// Switches the page's theme with its button, as a reader would.
export async function switchTheme(page, wanted) {
  if (await pageTheme(page) !== wanted) await page.click('.theme-button');
  expect(await pageTheme(page) === wanted, `the theme button did not switch the page to ${wanted}`);
}

// Every string in a state object, however deep, for finding the lab's message.
export function stringsIn(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

// Waits until the book's service worker controls the page (it has stored the site):
// the next load of a page is answered from its cache, with COOP/COEP.
export function waitForServiceWorker(page) {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 100));
  });
}

// Navigates to `url` and returns book.js's timing of `lab` becoming interactive, with
// DOMContentLoaded and the lab's frame timing (lab-host.js frameTiming()).
export async function timeFirstLab(page, url, lab) {
  await page.goto(url);
  await waitForLab(page, lab.number);
  return page.evaluate((n) => ({
    ...window.epibookTiming.labsInteractive[0],
    domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
    frames: document.querySelector(`#lab-${n} canvas`)?.epibookLab?.frameTiming?.() ?? null,
  }), lab.number);
}

// The first lab interactive `runs` times cold (each in a fresh context from
// newContext()) and warm (one context, after a first visit let the service worker store
// the site). openPage(context) makes each page; onRun(kind, index, timing) sees each run.
export async function firstLabColdAndWarm({ newContext, openPage, url, lab, runs = 3, onRun = () => {} }) {
  const cold = [];
  for (let run = 0; run < runs; run += 1) {
    const context = await newContext();
    cold.push(await timeFirstLab(await openPage(context), url, lab));
    onRun('cold', run, cold[run]);
    await context.close();
  }
  const context = await newContext();
  const visit = await openPage(context);
  await visit.goto(url);
  await waitForLab(visit, lab.number);
  await waitForServiceWorker(visit);
  await visit.close();
  const warm = [];
  for (let run = 0; run < runs; run += 1) {
    const page = await openPage(context);
    warm.push(await timeFirstLab(page, url, lab));
    onRun('warm', run, warm[run]);
    await page.close();
  }
  await context.close();
  return { cold, warm };
}

// Where the time went, in ms after navigation: the lab host script, the page's one
// compile of the wasm, this canvas's instance, lab_mount's phases, the first frame's
// parts (UI built, handed to WebGL), the lab's data read and drawn.
export function describeFirstLab(lab, t) {
  const at = (ms) => (ms == null ? '?' : ms.toFixed(0));
  const p = t.phases ?? {};
  const span = (from, to) => (from == null || to == null ? '?' : (to - from).toFixed(0));
  const mount = Object.entries(t.frames?.mount_ms ?? {}).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
  const first = t.frames?.first_frame_ms;
  return `${lab.name} interactive at ${at(t.ms)} ms (DOMContentLoaded ${at(t.domContentLoaded)}, mount starts ${at(t.startMs)},`
    + ` lab host loaded ${at(t.hostMs)}, WebGL context ${span(p.startMs, p.contextMs)} ms; wasm compile ${at(p.compileStartMs)}-${at(p.compiledMs)} (${span(p.compileStartMs, p.compiledMs)} ms),`
    + ` instantiate ${span(p.readyMs, p.instantiatedMs)} ms, lab_mount ${span(p.instantiatedMs, p.mountedMs)} ms (${mount}),`
    + ` first frame at ${at(p.firstFrameMs)}${first ? ` (UI ${first.build.toFixed(0)} ms, GL ${first.draw.toFixed(0)} ms)` : ''},`
    + ` data read and drawn ${at(t.ms)})`;
}
