// Chapter 4's labs as the experiments its pages frame: the settings each page says to
// change are set through the lab's set(), runs A and B train side by side in the page,
// and the numbers the page's "Expect" line states are read from state(); they must equal
// the constants here and differ the way the page says (a cosine schedule, batches of 256
// and the linear scaling rule, early stopping, reverse complement). Each run is short:
// 10 to 30 epochs of a 993-weight model, at most 400 steps of 32 windows.
import { figureNumbers, unquotedFigureNumbers } from './chapter-pages.mjs';
import { expect } from './harness.mjs';
import { expectLine, expectStated, near, withChapterLab } from './labs.mjs';

const CHAPTER = '04-training-tricks/';
const text3 = (v) => v.toFixed(3);
const exactly = (a, b, what) => near(Number(text3(a)), b, 1e-9, what);
const last = (run) => run.validation[run.validation.length - 1];
const describe = (label, run) => `${label}: ${run.steps} steps, auroc ${text3(last(run).auroc)}, loss ${text3(last(run).loss)}`
  + `, ${run.ms_per_step.toFixed(1)} ms/step`;

// The numbers the pages state (three decimals), read from the labs' state().
const PINNED = {
  schedules: { rate: 0.03, constant: { auroc: 0.766, loss: 0.482 }, cosine: { auroc: 0.796, loss: 0.382 } },
  batches: { a32: 0.849, b256: 0.705, b256_scaled: 0.844 },
  stopping: { stop: 11, best: 8, best_loss: 0.407, best_auroc: 0.734, a_loss: 0.540, a_auroc: 0.727 },
  augmentation: { seed1: { a: 0.728, b: 0.750 }, seed5: { a: 0.567, b: 0.796 } },
};

async function trainBoth(set, state) {
  await set('start', true);
  const s = await state();
  expect(s.phase === 'finished' && s.b.phase === 'finished', `runs ${s.phase} / ${s.b.phase}: ${s.message} ${s.b.message}`);
  return s;
}

export const tests = [{
  name: 'page 02: a constant rate against a cosine schedule from the same base rate, run A beside run B',
  async run(harness) {
    await withChapterLab(harness, CHAPTER, 'lr-schedules', async (set, state, url) => {
      const s0 = await state();
      expect(s0.compare && s0.b.settings.schedule.name === 'cosine', 'run B does not start as the cosine run');
      await set('learning_rate', PINNED.schedules.rate);
      await set('b.learning_rate', PINNED.schedules.rate);
      const s = await trainBoth(set, state);
      console.log(`      ${describe('constant', s)}; ${describe('cosine', s.b)}`);
      expect(s.steps === s.b.steps && s.steps === s.steps_in_run, 'the two runs took different steps');
      // Same weights and the same first batch: the first step's loss is the same bits.
      expect(s.train_loss[0] === s.b.train_loss[0], 'A and B did not start from the same model and batch');
      expect(last(s).learning_rate === PINNED.schedules.rate, `A's last rate ${last(s).learning_rate}`);
      expect(last(s.b).learning_rate < PINNED.schedules.rate / 100, `B's last rate ${last(s.b).learning_rate}`);
      const { constant, cosine } = PINNED.schedules;
      exactly(last(s).auroc, constant.auroc, 'constant: validation AUROC');
      exactly(last(s).loss, constant.loss, 'constant: validation loss');
      exactly(last(s.b).auroc, cosine.auroc, 'cosine: validation AUROC');
      exactly(last(s.b).loss, cosine.loss, 'cosine: validation loss');
      expectStated(expectLine(harness.siteDir, url), url, [constant.auroc, constant.loss, cosine.auroc, cosine.loss].map(text3));
    });
  },
}, {
  name: 'page 03: batches of 256 take 8 times fewer steps than 32; the linear scaling rule wins part back',
  async run(harness) {
    await withChapterLab(harness, CHAPTER, 'batch-size', async (set, state, url) => {
      const s = await trainBoth(set, state);
      expect(s.b.settings.train.batch_size === 256 && s.settings.train.batch_size === 32, 'the runs are not batch 32 and 256');
      expect(Math.abs(s.steps / s.b.steps - 8) < 0.5, `steps ${s.steps} and ${s.b.steps}`);
      await set('b.learning_rate', 0.024);
      const scaled = await trainBoth(set, state);
      console.log(`      ${describe('batch 32', s)}; ${describe('batch 256', s.b)}; ${describe('batch 256 at 0.024', scaled.b)}`);
      expect(scaled.steps === s.steps && last(scaled).auroc === last(s).auroc, 'run A changed when only B was reset');
      const { a32, b256, b256_scaled } = PINNED.batches;
      exactly(last(s).auroc, a32, 'batch 32');
      exactly(last(s.b).auroc, b256, 'batch 256');
      exactly(last(scaled.b).auroc, b256_scaled, 'batch 256, rate x 8');
      expect(b256 < a32 && b256_scaled > b256, 'the batch experiment did not go the way the page says');
      expectStated(expectLine(harness.siteDir, url), url, [...[a32, b256, b256_scaled].map(text3), String(s.steps), String(s.b.steps)]);
    });
  },
}, {
  name: 'page 04: early stopping ends the overfitting run patience epochs after its best',
  async run(harness) {
    await withChapterLab(harness, CHAPTER, 'early-stopping', async (set, state, url) => {
      const s = await trainBoth(set, state);
      const stop = s.b.early_stopping;
      console.log(`      A: ${s.validation.length} epochs, loss ${text3(last(s).loss)}, auroc ${text3(last(s).auroc)};`
        + ` B: stopped ${stop.stopped_early} after epoch ${stop.last_epoch + 1}, best epoch ${stop.best_epoch + 1} loss ${text3(stop.best)}`);
      expect(s.validation.length === 30 && !s.early_stopping.stopped_early, 'run A (no patience) did not train 30 epochs');
      expect(stop.stopped_early && stop.last_epoch === stop.best_epoch + 3, `B stopped after ${stop.last_epoch}, best ${stop.best_epoch}`);
      // Same weights and batches: A's validation curve is B's up to where B stopped.
      s.b.validation.forEach((e, i) => expect(e.loss === s.validation[i].loss, `epoch ${i + 1}: A and B differ`));
      const best = s.b.validation[stop.best_epoch];
      expect(best.loss === stop.best && best.improved, 'the best epoch is not the one marked improved');
      const p = PINNED.stopping;
      expect(stop.last_epoch + 1 === p.stop && stop.best_epoch + 1 === p.best, `stopped after ${stop.last_epoch + 1}, best ${stop.best_epoch + 1}`);
      exactly(stop.best, p.best_loss, 'best validation loss');
      exactly(best.auroc, p.best_auroc, 'best epoch AUROC');
      exactly(last(s).loss, p.a_loss, 'A: last validation loss');
      exactly(last(s).auroc, p.a_auroc, 'A: last AUROC');
      expect(p.a_loss > p.best_loss, 'run A does not end worse than B\'s best epoch');
      expect(s.parameters === 993, `the model has ${s.parameters} weights`);
      expectStated(expectLine(harness.siteDir, url), url, [String(p.stop), String(p.best), ...[p.best_loss, p.best_auroc, p.a_loss, p.a_auroc].map(text3)]);
    });
  },
}, {
  name: 'page 05: reverse complement on the small training set, seeds 1 and 5, scored on the windows as they are',
  async run(harness) {
    await withChapterLab(harness, CHAPTER, 'augmentation', async (set, state, url) => {
      const s0 = await state();
      expect(s0.b.settings.augment.reverse_complement && s0.b.settings.augment.max_shift === 0, 'run B does not reverse-complement (only)');
      expect(!s0.settings.augment.reverse_complement && s0.settings.augment.max_shift === 0, 'run A augments');
      // The lab trains and scores on the windows the index page's figure counts.
      const windows = figureNumbers(harness.siteDir, `${CHAPTER}index.html`, 'training-windows');
      expect(s0.rows_per_split.train === windows.small_train && s0.rows_per_split.validation === windows.validation,
        `the lab has ${JSON.stringify(s0.rows_per_split)}, the figure ${JSON.stringify(windows)}`);
      const seed1 = await trainBoth(set, state);
      await set('seed', 5);
      await set('b.seed', 5);
      const seed5 = await trainBoth(set, state);
      console.log(`      ${seed1.rows_per_split.train} training windows; seed 1: ${describe('plain', seed1)}; ${describe('rc', seed1.b)}`
        + `; seed 5: ${describe('plain', seed5)}; ${describe('rc', seed5.b)}`);
      expect(seed1.steps === 150 && seed5.b.steps === 150, `steps ${seed1.steps}, ${seed5.b.steps}`);
      const stated = [];
      for (const [name, s] of [['seed1', seed1], ['seed5', seed5]]) {
        const { a, b } = PINNED.augmentation[name];
        exactly(last(s).auroc, a, `${name}: plain AUROC`);
        exactly(last(s.b).auroc, b, `${name}: reverse-complement AUROC`);
        expect(b > a, `${name}: reverse complement did not help`);
        stated.push(a, b, b - a);
      }
      expectStated(expectLine(harness.siteDir, url), url, stated.map(text3));
    });
  },
}, {
  name: 'chapter 4: every number its figures computed is quoted by its page, and the early-stopping figure trains what the lab does',
  run(harness) {
    const pages = ['index.html', '02-schedules.html', '03-batch-size.html', '04-early-stopping.html', '05-augmentation.html'];
    const problems = unquotedFigureNumbers(harness.siteDir, pages.map((p) => CHAPTER + p));
    expect(problems.length === 0, problems.join('\n'));
    // The early-stopping lab's run is the figure's (the CLI's) to three decimals.
    const overfit = figureNumbers(harness.siteDir, `${CHAPTER}04-early-stopping.html`, 'overfit-run');
    const p = PINNED.stopping;
    expect(overfit.best_epoch === p.best && overfit.stop_epoch === p.stop && overfit.best_validation_loss === p.best_loss
      && overfit.last_validation_loss === p.a_loss, `the figure's run ${JSON.stringify(overfit)} is not the lab's`);
  },
}];
