// The book after one visit, with the network cut: pages come from the service
// worker's cache, and a lab still mounts with its wasm and data.
import { expect, expectNoProblems, newContext, siteLabs, sitePages, watchedPage } from './harness.mjs';
import { waitForLab } from './labs.mjs';

export const tests = [{
  name: 'after a first visit the book and its labs work offline',
  async run(harness) {
    const labs = siteLabs(harness.siteDir);
    const chapter = labs[0]?.page ?? sitePages(harness.siteDir)[1];
    const context = await newContext(harness, { serviceWorkers: 'allow' });
    const page = await watchedPage(context);
    await page.goto(harness.baseUrl + chapter);
    // ready resolves once the worker is active, and it activates only after
    // storing every file of the site.
    const version = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 100));
      const names = await caches.keys();
      return { scope: registration.scope, caches: names };
    });
    expect(version.caches.some((n) => n.startsWith('epibook-')), `no epibook cache after the first visit: ${version.caches}`);

    await context.setOffline(true);
    const online = await page.evaluate(() => fetch('index.html', { cache: 'no-store', mode: 'no-cors' })
      .then(() => 'fetched').catch(() => 'offline'));
    expect(online === 'fetched', 'the service worker does not answer for index.html offline');
    for (const url of sitePages(harness.siteDir)) {
      const offlinePage = await watchedPage(context);
      await offlinePage.goto(harness.baseUrl + url);
      expect(await offlinePage.locator('article.content h1').count() === 1, `${url} did not load offline`);
      // One page's labs stand for all: they share the module, and each lab's own
      // files are stored like every other file of the site.
      if (url === chapter) for (const lab of labs.filter((l) => l.page === url)) await waitForLab(offlinePage, lab.number);
      expectNoProblems(offlinePage, `${url} offline`);
      await offlinePage.close();
    }
    // A direct check that the network really is cut for this context.
    const probe = await page.evaluate(() => fetch('/not-in-the-cache.txt').then((r) => r.status).catch(() => 0));
    expect(probe === 503 || probe === 0, `a file the worker never stored was fetched offline (status ${probe})`);
    await context.close();
  },
}];
