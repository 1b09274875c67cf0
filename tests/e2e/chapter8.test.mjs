// Chapter 8's labs as the experiments its pages frame. Page 02: the test-bench lab runs
// six tests on the pipeline with each planted bug; every bug must be caught by exactly the
// tests the page names and passed by the rest, with the numbers the Expect line states
// (the gradient check's relative error per layer, the golden test's differing windows, the
// audit's count of windows outside train, the rerun's first differing step). Page 03: the
// bug-curves lab trains the clean and the bugged pipeline side by side (8 epochs of 18
// batches); the clean run must not move when only the bug changes, both must learn, and
// the scores must equal the page's. The figures' numbers must be quoted by their pages,
// and the off-by-one figure must count the windows the page's pyBigWig snippet counts.
import { figureNumbers, unquotedFigureNumbers } from './chapter-pages.mjs';
import { expect } from './harness.mjs';
import { expectLine, expectStated, near, withChapterLab } from './labs.mjs';

const CHAPTER = '08-testing/';
const withLab = (harness, name, body) => withChapterLab(harness, CHAPTER, name, body);
const fixed = (v, digits) => Number(v.toFixed(digits));
const sameSplits = (counts) => ['train', 'validation', 'test'].every((split) => counts[split] === BENCH.per_split[split]);

const TESTS = ['data', 'shapes', 'gradient', 'golden', 'leakage', 'determinism'];
// Which tests fail for each bug: the page's table of catches.
const CAUGHT_BY = {
  none: [],
  gradient: ['gradient'],
  shift: ['golden'],
  'inclusive-end': ['shapes', 'golden'],
  normalisation: ['leakage'],
  unseeded: ['determinism'],
};
// Page 02's numbers.
const BENCH = {
  windows: 958,
  per_split: { train: 576, validation: 191, test: 191 },
  silu_relative_error: 11.519,   // 3 decimals
  conv_relative_error: 0.0060,   // 4 decimals
  shift_differing: 957,
  inclusive_wrong_length: 958,
  inclusive_differing: 958,
  outside_train: 382,
  unseeded_first_step: 1,
};
// Page 03's numbers after 8 epochs.
const CURVES = {
  epochs: 8,
  steps_per_epoch: 18,
  clean: { train_loss: 0.0124, validation_loss: 0.0110, test_pearson: 0.954 },
  gradient: { train_loss: 0.0145, validation_loss: 0.0125, test_pearson: 0.949 },
  shift: { test_pearson: 0.954 },
  normalisation: { test_pearson: 0.954 },
};

export const tests = [{
  name: 'page 02: each planted bug is caught by its own tests and passed by the rest',
  async run(harness) {
    await withLab(harness, 'test-bench', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      await set('bug', 'none');  // set() waits until the lab is idle: every bug tested
      const s = await state();
      expect(s.phase === 'done' && s.bugs_tested === Object.keys(CAUGHT_BY).length, `the bench tested ${s.bugs_tested} bugs: ${s.message}`);
      const byName = (bug) => Object.fromEntries(s.results[bug].tests.map((t) => [t.name, t]));
      for (const [bug, caught] of Object.entries(CAUGHT_BY)) {
        const tests = s.results[bug].tests;
        expect(JSON.stringify(tests.map((t) => t.name)) === JSON.stringify(TESTS), `${bug}: tests ${tests.map((t) => t.name)}`);
        expect(JSON.stringify(s.results[bug].caught_by) === JSON.stringify(caught), `${bug}: caught by ${s.results[bug].caught_by}, the page says ${caught}`);
        for (const t of tests) expect(t.passed === !caught.includes(t.name), `${bug}: ${t.name} ${t.passed ? 'passed' : 'failed'}: ${t.summary}`);
        const data = byName(bug).data.numbers;
        expect(data.windows === BENCH.windows && sameSplits(data.per_split), `${bug}: windows ${JSON.stringify(data)}`);
      }
      // The gradient check points at the layer: SiLU fails, the core's layers pass in every pipeline.
      const layers = (bug) => Object.fromEntries(byName(bug).gradient.numbers.layers.map((l) => [l.layer, l]));
      const broken = layers('gradient');
      const right = layers('none');
      expect(broken.SiLU.failing > 0 && right.SiLU.failing === 0, `SiLU failing entries: ${broken.SiLU.failing} bugged, ${right.SiLU.failing} right`);
      for (const layer of ['Conv1d', 'GlobalAvgPool1d', 'Linear']) {
        expect(broken[layer] && broken[layer].failing === 0, `${layer} fails the gradient check in the gradient-bug pipeline`);
        near(broken[layer].max_relative_error, right[layer].max_relative_error, 0, `${layer}: relative error moved with SiLU's bug`);
      }
      expect(broken.SiLU.max_relative_error > 100 * broken.Conv1d.max_relative_error, 'the wrong SiLU stands out of the rounding');
      console.log(`      gradient check: SiLU ${broken.SiLU.max_relative_error.toFixed(3)} (right ${right.SiLU.max_relative_error.toExponential(2)}), conv ${broken.Conv1d.max_relative_error.toFixed(4)}`);
      near(fixed(broken.SiLU.max_relative_error, 3), BENCH.silu_relative_error, 1e-9, 'SiLU relative error, gradient bug');
      near(fixed(broken.Conv1d.max_relative_error, 4), BENCH.conv_relative_error, 1e-9, 'Conv1d relative error');
      // Golden, shapes, audit and rerun.
      const shift = byName('shift').golden.numbers;
      const inclusive = byName('inclusive-end');
      const leak = byName('normalisation').leakage.numbers;
      const clean = byName('none');
      expect(clean.golden.numbers.differing === 0 && clean.golden.numbers.largest_difference < 1e-4, `clean golden: ${clean.golden.summary}`);
      expect(shift.differing === BENCH.shift_differing, `shift: ${shift.differing} windows differ`);
      expect(inclusive.shapes.numbers.wrong_length === BENCH.inclusive_wrong_length && inclusive.shapes.numbers.longest_input === 101, `inclusive end: ${inclusive.shapes.summary}`);
      expect(inclusive.golden.numbers.differing === BENCH.inclusive_differing, `inclusive end: ${inclusive.golden.summary}`);
      // The audit: only normalisation fails; the windows outside train are validation's and test's.
      expect(leak.checks.normalisation === 'FAIL' && leak.checks.overlap === 'PASS' && leak.records_fitted_outside_train === 1, `audit: ${JSON.stringify(leak.checks)}`);
      expect(leak.fitted_windows_outside_train === BENCH.per_split.validation + BENCH.per_split.test, `outside train: ${leak.fitted_windows_outside_train}`);
      expect(clean.leakage.numbers.checks.normalisation === 'PASS' && clean.leakage.numbers.fitted_windows === BENCH.per_split.train, 'the clean normaliser');
      expect(BENCH.outside_train === leak.fitted_windows_outside_train, 'the page\'s count of windows outside train');
      const rerun = byName('unseeded').determinism.numbers;
      expect(rerun.first_differing_step === BENCH.unseeded_first_step && clean.determinism.numbers.first_differing_step === null, `rerun: ${JSON.stringify(rerun)}`);
      // The picked bug's rows are the ones the lab shows.
      await set('bug', 'shift');
      const picked = await state();
      expect(JSON.stringify(picked.caught_by) === JSON.stringify(['golden']), `picked shift: ${picked.caught_by}`);
      expectStated(line, url, [BENCH.silu_relative_error.toFixed(3), BENCH.conv_relative_error.toFixed(4), String(BENCH.shift_differing),
        String(BENCH.windows), String(BENCH.outside_train)]);
    });
  },
}, {
  name: 'page 03: the clean and the bugged pipeline trained side by side, and what their curves show',
  async run(harness) {
    await withLab(harness, 'bug-curves', async (set, state, url) => {
      const line = expectLine(harness.siteDir, url);
      const runs = {};
      let clean = null;
      for (const bug of ['gradient', 'shift', 'normalisation']) {
        await set('bug', bug);
        const s = await state();
        expect(s.phase === 'done', `${bug}: the lab is ${s.phase}: ${s.message}`);
        expect(s.steps_per_epoch === CURVES.steps_per_epoch && s.clean.steps === CURVES.epochs * CURVES.steps_per_epoch, `${bug}: ${s.clean.steps} steps`);
        expect(s.bugged.epochs.length === CURVES.epochs, `${bug}: ${s.bugged.epochs.length} epochs`);
        expect(JSON.stringify(s.caught_by) === JSON.stringify(CAUGHT_BY[bug]), `${bug}: caught by ${s.caught_by}`);
        expect(sameSplits(s.windows_per_split), `${bug}: ${JSON.stringify(s.windows_per_split)}`);
        if (clean === null) clean = s.clean;
        expect(JSON.stringify(s.clean) === JSON.stringify(clean), `${bug}: the clean run changed when only the bug did`);
        for (const run of [s.clean, s.bugged]) {
          expect(run.epochs[0].train_loss > 5 * run.last.train_loss, `${bug}: the loss did not fall (${run.epochs[0].train_loss} to ${run.last.train_loss})`);
        }
        runs[bug] = s.bugged.last;
        console.log(`      ${bug}: train ${s.clean.last.train_loss.toFixed(4)} / ${s.bugged.last.train_loss.toFixed(4)},`
          + ` validation ${s.clean.last.validation_loss.toFixed(4)} / ${s.bugged.last.validation_loss.toFixed(4)},`
          + ` test r ${s.clean.last.test_pearson.toFixed(4)} / ${s.bugged.last.test_pearson.toFixed(4)}`);
      }
      // What the curves show: the wrong gradient trains, a little worse; the others as well as clean.
      expect(runs.gradient.train_loss > clean.last.train_loss, 'the wrong gradient trained better than the right one');
      for (const bug of ['shift', 'normalisation']) {
        near(runs[bug].test_pearson, clean.last.test_pearson, 5e-4, `${bug}: test Pearson against clean`);
      }
      near(fixed(clean.last.train_loss, 4), CURVES.clean.train_loss, 1e-9, 'clean training loss');
      near(fixed(clean.last.validation_loss, 4), CURVES.clean.validation_loss, 1e-9, 'clean validation loss');
      near(fixed(clean.last.test_pearson, 3), CURVES.clean.test_pearson, 1e-9, 'clean test Pearson');
      near(fixed(runs.gradient.train_loss, 4), CURVES.gradient.train_loss, 1e-9, 'gradient bug: training loss');
      near(fixed(runs.gradient.validation_loss, 4), CURVES.gradient.validation_loss, 1e-9, 'gradient bug: validation loss');
      near(fixed(runs.gradient.test_pearson, 3), CURVES.gradient.test_pearson, 1e-9, 'gradient bug: test Pearson');
      near(fixed(runs.shift.test_pearson, 3), CURVES.shift.test_pearson, 1e-9, 'shift: test Pearson');
      near(fixed(runs.normalisation.test_pearson, 3), CURVES.normalisation.test_pearson, 1e-9, 'normalisation: test Pearson');
      expectStated(line, url, [CURVES.clean.train_loss.toFixed(4), CURVES.clean.validation_loss.toFixed(4), CURVES.clean.test_pearson.toFixed(3),
        CURVES.gradient.train_loss.toFixed(4), CURVES.gradient.validation_loss.toFixed(4), CURVES.gradient.test_pearson.toFixed(3), String(CURVES.epochs)]);
    });
  },
}, {
  name: 'chapter 8\'s figures: quoted by their pages; the off-by-one figure counts what the pyBigWig snippet counts',
  async run(harness) {
    const pages = ['index.html', '02-planted-bugs.html', '03-what-a-curve-hides.html'].map((p) => CHAPTER + p);
    const problems = unquotedFigureNumbers(harness.siteDir, pages);
    expect(problems.length === 0, problems.join('\n'));
    const shift = figureNumbers(harness.siteDir, `${CHAPTER}02-planted-bugs.html`, 'off-by-one-windows');
    // 716: the count the page's Python golden test prints (commands.test.mjs runs it).
    expect(shift.windows_changed === 716 && shift.windows_within_1_percent < shift.windows_with_data, `figure: ${JSON.stringify(shift)}`);
    const step = figureNumbers(harness.siteDir, `${CHAPTER}index.html`, 'finite-difference-error');
    // SiLU's derivative at 1.3, and the wrong one, by the formula.
    const s = 1 / (1 + Math.exp(-1.3));
    near(step.exact_derivative, s * (1 + 1.3 * (1 - s)), 1e-4, 'figure: exact derivative');
    near(step.wrong_backward_error, Math.abs(s * 1.3 * (1 - s)), 1e-3, 'figure: the wrong backward\'s error');
    expect(step.float32_error_at_step_1e3 < step.wrong_backward_error / 1000, 'the float32 rounding is not far below the wrong backward\'s error');
  },
}];
