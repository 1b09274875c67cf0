// How the labs look in the page: they draw with the shipped font (DejaVu Sans, cut to
// the labs' characters) at the device pixel ratio, and follow the page's light / dark
// theme live. Leaves screenshots of every lab in both themes on a laptop.
import { expect, expectNoProblems, newContext, screenshotPath, siteLabs, watchedPage } from './harness.mjs';
import { callLab, openLab } from './labs.mjs';
import { decodePng } from './png.mjs';

const LAPTOP = { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
// The subset font: printable ASCII and a few signs, a few KB.
const MIN_GLYPHS = 95;
const MAX_FONT_BYTES = 32 * 1024;

// Mean luminance (0 dark .. 1 light) of the lab's canvas as shown, and the share of
// its pixels that are dark, after two frames so the lab has drawn the current theme.
async function canvasLuminance(page, number, screenshotName) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const png = await page.locator(`#lab-${number} canvas`).screenshot({ path: screenshotPath(screenshotName) });
  const image = decodePng(png);
  let sum = 0;
  let dark = 0;
  const count = image.width * image.height;
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    const luma = (0.2126 * image.pixels[i] + 0.7152 * image.pixels[i + 1] + 0.0722 * image.pixels[i + 2]) / 255;
    sum += luma;
    if (luma < 0.3) dark += 1;
  }
  return { mean: sum / count, darkShare: dark / count };
}

function pageTheme(page) {
  return page.evaluate(() => document.documentElement.dataset.theme);
}

async function switchTheme(page, wanted) {
  if (await pageTheme(page) !== wanted) await page.click('.theme-button');
  expect(await pageTheme(page) === wanted, `the theme button did not switch the page to ${wanted}`);
}

export const tests = [{
  name: 'a mounted lab turns dark with the page and light again, on its next frame',
  async run(harness) {
    const lab = siteLabs(harness.siteDir)[0];
    const context = await newContext(harness, { colorScheme: 'light' });
    const page = await watchedPage(context);
    await openLab(page, harness.baseUrl, lab);
    const where = `${lab.page}#lab-${lab.number} (${lab.name})`;
    expect((await callLab(page, lab.number, 'appearance')).theme === 'light', `${where}: a light page mounted a lab that is not light`);
    const light = await canvasLuminance(page, lab.number, `appearance-${lab.name}-light-before`);
    await switchTheme(page, 'dark');
    const dark = await canvasLuminance(page, lab.number, `appearance-${lab.name}-dark`);
    expect((await callLab(page, lab.number, 'appearance')).theme === 'dark', `${where}: the lab did not take the dark theme`);
    expect(light.mean > 0.75, `${where}: light theme, mean canvas luminance ${light.mean.toFixed(2)} (want a light lab)`);
    expect(dark.mean < 0.3 && dark.darkShare > 0.7,
      `${where}: dark theme, mean canvas luminance ${dark.mean.toFixed(2)}, ${(100 * dark.darkShare).toFixed(0)}% dark pixels (want a dark lab)`);
    await switchTheme(page, 'light');
    const again = await canvasLuminance(page, lab.number, `appearance-${lab.name}-light-after`);
    expect(Math.abs(again.mean - light.mean) < 0.05, `${where}: back to light, mean luminance ${again.mean.toFixed(2)} against ${light.mean.toFixed(2)} before`);
    console.log(`      ${lab.name}: mean canvas luminance ${light.mean.toFixed(2)} light, ${dark.mean.toFixed(2)} dark, ${again.mean.toFixed(2)} light again`);
    expectNoProblems(page, where);
    await context.close();
  },
}, {
  name: 'a lab opened on a dark page starts dark',
  async run(harness) {
    const lab = siteLabs(harness.siteDir)[0];
    const context = await newContext(harness, { colorScheme: 'dark' });
    const page = await watchedPage(context);
    await openLab(page, harness.baseUrl, lab);
    expect(await pageTheme(page) === 'dark', 'a dark-scheme reader did not get a dark page');
    expect((await callLab(page, lab.number, 'appearance')).theme === 'dark', `${lab.name}: mounted light on a dark page`);
    const dark = await canvasLuminance(page, lab.number, `appearance-${lab.name}-dark-from-start`);
    expect(dark.mean < 0.3, `${lab.name}: on a dark page the canvas' mean luminance is ${dark.mean.toFixed(2)}`);
    expectNoProblems(page, lab.name);
    await context.close();
  },
}, {
  name: 'the labs draw with the shipped font at the device pixel ratio (1x laptop, 2x phone)',
  async run(harness) {
    const lab = siteLabs(harness.siteDir)[0];
    for (const [device, options] of [['laptop', LAPTOP], ['phone', PHONE]]) {
      const context = await newContext(harness, options);
      const page = await watchedPage(context);
      await openLab(page, harness.baseUrl, lab);
      const look = await callLab(page, lab.number, 'appearance');
      const where = `${lab.name} on a ${device}`;
      expect(look.font === 'DejaVu Sans' && look.font_name.startsWith('DejaVu Sans'), `${where}: font ${JSON.stringify(look)}`);
      expect(look.pixel_ratio === options.deviceScaleFactor, `${where}: pixel ratio ${look.pixel_ratio}, want ${options.deviceScaleFactor}`);
      expect(look.font_pixels === Math.round(14 * options.deviceScaleFactor), `${where}: text ${look.font_pixels} device pixels high at ratio ${look.pixel_ratio}`);
      expect(look.glyphs >= MIN_GLYPHS, `${where}: only ${look.glyphs} glyphs rasterised`);
      expect(look.font_bytes < MAX_FONT_BYTES, `${where}: the subset font is ${look.font_bytes} bytes`);
      console.log(`      ${where}: ${look.font_name}, ${look.glyphs} glyphs, font ${(look.font_bytes / 1024).toFixed(1)} KiB`);
      expectNoProblems(page, where);
      await context.close();
    }
  },
}, {
  // On a laptop: the phone's look of every lab is labs.test.mjs's (its phone-fit test
  // saves lab-NAME-phone), and the theme does not depend on the device.
  name: 'screenshots of every lab, light and dark, on a laptop',
  async run(harness) {
    for (const lab of siteLabs(harness.siteDir)) {
      for (const [device, options] of [['laptop', LAPTOP]]) {
        const context = await newContext(harness, { ...options, colorScheme: 'light' });
        const page = await watchedPage(context);
        await openLab(page, harness.baseUrl, lab);
        await callLab(page, lab.number, 'whenIdle');
        const light = await canvasLuminance(page, lab.number, `look-${lab.name}-${device}-light`);
        await switchTheme(page, 'dark');
        const dark = await canvasLuminance(page, lab.number, `look-${lab.name}-${device}-dark`);
        expect(dark.mean < light.mean - 0.4, `${lab.name} on a ${device}: dark ${dark.mean.toFixed(2)} against light ${light.mean.toFixed(2)}`);
        expectNoProblems(page, `${lab.name} on a ${device}`);
        await context.close();
      }
    }
  },
}];
