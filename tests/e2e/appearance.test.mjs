// How the labs look in the page: they draw with the shipped font (DejaVu Sans, cut to
// the labs' characters) at the device pixel ratio, and follow the page's light / dark
// theme live. (Every lab turning dark with the page, and its screenshots in both themes,
// are checked where labs.test.mjs mounts every lab.)
import { expect, expectNoProblems, newContext, siteLabs, watchedPage } from './harness.mjs';
import { callLab, canvasLook, openLab, pageTheme, switchTheme } from './labs.mjs';

const LAPTOP = { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
// The subset font: printable ASCII and a few signs, a few KB.
const MIN_GLYPHS = 95;
const MAX_FONT_BYTES = 32 * 1024;

export const tests = [{
  name: 'a mounted lab turns dark with the page and light again, on its next frame',
  async run(harness) {
    const lab = siteLabs(harness.siteDir)[0];
    const context = await newContext(harness, { colorScheme: 'light' });
    const page = await watchedPage(context);
    await openLab(page, harness.baseUrl, lab);
    const where = `${lab.page}#lab-${lab.number} (${lab.name})`;
    expect((await callLab(page, lab.number, 'appearance')).theme === 'light', `${where}: a light page mounted a lab that is not light`);
    const light = await canvasLook(page, lab.number, `appearance-${lab.name}-light-before`);
    await switchTheme(page, 'dark');
    const dark = await canvasLook(page, lab.number, `appearance-${lab.name}-dark`);
    expect((await callLab(page, lab.number, 'appearance')).theme === 'dark', `${where}: the lab did not take the dark theme`);
    expect(light.mean > 0.75, `${where}: light theme, mean canvas luminance ${light.mean.toFixed(2)} (want a light lab)`);
    expect(dark.mean < 0.3 && dark.darkShare > 0.7,
      `${where}: dark theme, mean canvas luminance ${dark.mean.toFixed(2)}, ${(100 * dark.darkShare).toFixed(0)}% dark pixels (want a dark lab)`);
    await switchTheme(page, 'light');
    const again = await canvasLook(page, lab.number, `appearance-${lab.name}-light-after`);
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
    const dark = await canvasLook(page, lab.number, `appearance-${lab.name}-dark-from-start`);
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
}];
