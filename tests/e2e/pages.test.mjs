// The book as pages: each loads cleanly on a laptop and a phone, links resolve,
// the sidebar lists only written chapters, search finds text, the theme switches.
import fs from 'node:fs';
import path from 'node:path';

import { expect, expectNoProblems, newContext, screenshotPath, sitePages, watchedPage } from './harness.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

async function loadEveryPage(harness, contextOptions, suffix) {
  const context = await newContext(harness, contextOptions);
  for (const url of sitePages(harness.siteDir)) {
    const page = await watchedPage(context);
    await page.goto(harness.baseUrl + url, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);
    expect(await page.locator('article.content h1').count() === 1, `${url}: no single h1 in the article`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow <= 1, `${url}${suffix}: the page is ${overflow} px wider than the screen`);
    await page.screenshot({ path: screenshotPath(`page-${url}${suffix}`), fullPage: false });
    expectNoProblems(page, url + suffix);
    await page.close();
  }
  await context.close();
}

export const tests = [
  {
    name: 'every page loads with no console error on a laptop',
    run: (harness) => loadEveryPage(harness, {}, ''),
  },
  {
    name: 'every page loads with no console error and no sideways scroll on a phone',
    run: (harness) => loadEveryPage(harness, PHONE, '-phone'),
  },
  {
    name: 'every link between pages resolves to a page of the site',
    async run(harness) {
      for (const url of sitePages(harness.siteDir)) {
        const html = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
        for (const [, href] of html.matchAll(/href="([^"#:]+)(?:#[^"]*)?"/g)) {
          const target = path.join(harness.siteDir, path.dirname(url), href);
          expect(fs.existsSync(target), `${url}: link to ${href} points at nothing`);
        }
      }
    },
  },
  {
    name: 'the sidebar lists only chapters that have text',
    async run(harness) {
      const context = await newContext(harness);
      const page = await watchedPage(context);
      await page.goto(harness.baseUrl + 'index.html');
      const links = await page.locator('.sidebar .chapters a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(links.length > 0, 'the sidebar lists no chapter');
      for (const href of links) {
        const file = path.join(harness.siteDir, href);
        const text = fs.readFileSync(file, 'utf8').replace(/<[^>]+>/g, ' ');
        const words = text.split(/\s+/).filter(Boolean).length;
        expect(words > 400, `${href} is listed in the sidebar but holds only ${words} words`);
      }
      await context.close();
    },
  },
  {
    name: 'search finds a word of chapter 1 and its link opens the section',
    async run(harness) {
      const context = await newContext(harness);
      const page = await watchedPage(context);
      await page.goto(harness.baseUrl + 'index.html');
      await page.fill('#search', 'pseudoreplicates');
      const first = page.locator('#search-results a').first();
      await first.waitFor({ timeout: 5000 });
      const href = await first.getAttribute('href');
      expect(href.includes('01-epigenetic-data/'), `first result for "pseudoreplicates" is ${href}`);
      await page.screenshot({ path: screenshotPath('search-chapter1') });
      await first.click();
      await page.waitForURL(/01-epigenetic-data/);
      await page.fill('#search', 'zzzqqq');
      await page.locator('.search-empty').waitFor({ timeout: 5000 });
      expectNoProblems(page, 'search');
      await context.close();
    },
  },
  {
    name: 'the theme button switches light and dark and the choice survives a reload',
    async run(harness) {
      const context = await newContext(harness, { colorScheme: 'light' });
      const page = await watchedPage(context);
      await page.goto(harness.baseUrl + 'index.html');
      const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(await theme() === 'light', 'a light-scheme reader does not start light');
      const light = await background();
      await page.click('.theme-button');
      expect(await theme() === 'dark', 'the button did not switch to dark');
      expect(await background() !== light, 'the background did not change with the theme');
      await page.reload();
      expect(await theme() === 'dark', 'the dark theme was forgotten on reload');
      const chapter = sitePages(harness.siteDir).find((u) => u.startsWith('01-'));
      await page.goto(harness.baseUrl + chapter);
      await page.screenshot({ path: screenshotPath('chapter1-dark') });
      expectNoProblems(page, 'theme');
      await context.close();
    },
  },
  {
    name: 'on a phone the menu button opens and closes the chapter list',
    async run(harness) {
      const context = await newContext(harness, PHONE);
      const page = await watchedPage(context);
      await page.goto(harness.baseUrl + 'index.html');
      const sidebarLeft = () => page.locator('#sidebar').evaluate((e) => e.getBoundingClientRect().right);
      expect(await sidebarLeft() <= 0, 'the sidebar covers the text on a phone before the menu is opened');
      await page.click('.menu-button');
      await page.waitForTimeout(400);
      expect(await sidebarLeft() > 100, 'the menu button did not open the sidebar');
      await page.screenshot({ path: screenshotPath('phone-menu-open') });
      await page.click('.menu-button');
      await page.waitForTimeout(400);
      expect(await sidebarLeft() <= 0, 'the menu button did not close the sidebar');
      await context.close();
    },
  },
];
