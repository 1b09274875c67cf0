// Reaching a lab from a test: open its page scrolled to it, wait until the page
// script has mounted it, and call its handle (contracts.md: state, set, whenIdle,
// openBytes) inside the page. book.js keeps each handle on its canvas as .epibookLab.
import { decodePng, countColours } from './png.mjs';
import { expect, screenshotPath } from './harness.mjs';

const MOUNT_TIMEOUT_MS = 60000;

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

export function openBytes(page, number, fileName, bytes) {
  return page.evaluate(async ({ n, name, data }) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    await handle.openBytes(name, new Uint8Array(data));
    await handle.whenIdle();
  }, { n: number, name: fileName, data: [...bytes] });
}

// Waits two frames so the lab has drawn what its state says, then counts the colours
// of the canvas on screen; a canvas nothing was drawn on has one or two.
export async function canvasColours(page, number, screenshotName) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const canvas = page.locator(`#lab-${number} canvas`);
  const png = await canvas.screenshot({ path: screenshotPath(screenshotName) });
  return countColours(decodePng(png));
}

// Every string in a state object, however deep, for finding the lab's message.
export function stringsIn(value) {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
