// Threads in the page (web/labs/README.md, "Threads in the page"): once the book's
// service worker controls a page, its responses carry COOP/COEP, the page is
// cross-origin isolated and lab-host.js loads the labs built with -pthread; there the
// first-model lab trains on 2 threads, and the same run's loss is the same, bit for
// bit, on 2 threads, on 1 thread of that module and in the single-thread module.
import { expect, expectNoProblems, newContext, watchedPage } from './harness.mjs';
import { firstModelLab } from './training.test.mjs';
import { openLab, waitForServiceWorker } from './labs.mjs';

const STEPS = 12;

// Trains STEPS steps of a fresh run on `threads` threads (null: the page's default)
// and returns what the lab reports.
function trainFresh(page, number, threads) {
  return page.evaluate(async ({ n, t, steps }) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    if (t !== null) await handle.set('threads', t);
    await handle.set('reset', true);
    await handle.set('train_steps', steps);
    await handle.whenIdle();
    const state = handle.state();
    return { threaded: handle.threaded, isolated: self.crossOriginIsolated, threads: state.threads,
      available: state.threads_available, steps: state.steps, loss: state.train_loss, message: state.message,
      msPerStep: state.ms_per_step };
  }, { n: number, t: threads, steps: STEPS });
}

export const tests = [{
  name: 'an isolated page trains on 2 threads with the same loss, bit for bit, as on 1 thread and without threads',
  async run(harness) {
    const lab = firstModelLab(harness);
    const context = await newContext(harness, { serviceWorkers: 'allow' });
    const page = await watchedPage(context);
    // First visit: not yet controlled by the service worker, so not isolated: one thread.
    await openLab(page, harness.baseUrl, lab);
    const single = await trainFresh(page, lab.number, null);
    expect(!single.isolated && !single.threaded && single.available === 1 && single.threads === 1,
      `first visit: isolated ${single.isolated}, threaded module ${single.threaded}, threads ${single.threads} of ${single.available}`);
    expect(single.steps === STEPS && single.loss.length === STEPS, `first visit: ${single.steps} steps, ${single.message}`);
    await waitForServiceWorker(page);

    // Second load (a new document: the same URL again would only scroll), answered by
    // the service worker with COOP/COEP: isolated, threaded module.
    await page.goto('about:blank');
    await openLab(page, harness.baseUrl, lab);
    const two = await trainFresh(page, lab.number, null);
    expect(two.isolated && two.threaded, `second visit: isolated ${two.isolated}, threaded module ${two.threaded}`);
    expect(two.available === 2 && two.threads === 2, `second visit: threads ${two.threads} of ${two.available}`);
    const workers = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.name.endsWith('epibook-labs-mt.worker.js')).length);
    expect(workers > 0, 'the threaded module started no worker');
    const one = await trainFresh(page, lab.number, 1);
    expect(one.threads === 1, `set('threads', 1) left ${one.threads} threads`);
    for (const [name, run] of [['2 threads', two], ['1 thread of the threaded module', one]]) {
      expect(run.steps === STEPS, `${name}: ${run.steps} steps, ${run.message}`);
      const differs = run.loss.findIndex((v, i) => !Object.is(v, single.loss[i]));
      expect(differs < 0, `${name}: step ${differs + 1}'s loss ${run.loss[differs]} differs from the single-thread module's ${single.loss[differs]}`);
    }
    console.log(`      ms a step (printed, not asserted): ${single.msPerStep.toFixed(1)} single-thread module,`
      + ` ${one.msPerStep.toFixed(1)} threaded module on 1 thread, ${two.msPerStep.toFixed(1)} on 2 threads`);
    const refused = await page.evaluate(async (n) => {
      try {
        await document.querySelector(`#lab-${n} canvas`).epibookLab.set('threads', 3);
        return null;
      } catch (error) {
        return error.message;
      }
    }, lab.number);
    expect(refused && /threads/.test(refused), `set('threads', 3) in a 2-thread page was not refused: ${refused}`);

    // Runs A and B side by side: two trainers of 2 threads each start, train, stop and
    // start again (a helper thread beyond the worker pool would hang the page here).
    const compared = await page.evaluate(async ({ n }) => {
      const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
      await handle.set('threads', 2);
      await handle.set('compare', true);
      for (let round = 0; round < 2; round += 1) {
        await handle.set('reset', true);
        await handle.set('train_steps', 3);
        await handle.whenIdle();
      }
      const state = handle.state();
      return { a: state.train_loss, b: state.b.train_loss, threadsB: state.b.threads };
    }, { n: lab.number });
    expect(compared.threadsB === 2 && compared.a.length === 3 && compared.b.length === 3,
      `A and B on 2 threads: ${compared.a.length} and ${compared.b.length} steps, B on ${compared.threadsB} threads`);
    expect(compared.a.every((v, i) => Object.is(v, single.loss[i])), 'run A beside B lost the single-thread bits');
    expectNoProblems(page, 'first-model on threads');
    await context.close();
  },
}];
