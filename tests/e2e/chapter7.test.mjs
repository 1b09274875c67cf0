// Chapter 7's labs as the experiments its pages frame. Page 02: the seed-variance lab
// trains runs A and B with seeds 1 to 5; its means and standard deviations must equal a
// recomputation from its own per-seed values, its per-seed scores must match the figure
// the native CLI drew from the same runs, its configs must be the page's toml blocks, and
// the numbers must be the ones the page's "Expect" line states. Page 03: runs A and B with
// one seed are the same run to the last bit, another seed differs from the first step, and
// the run link replays both runs bit for bit in a fresh page.
import { figureNumbers, pageToml } from './chapter-pages.mjs';
import { expect, expectNoProblems, watchedPage } from './harness.mjs';
import { expectStated, labState, near, setRefusal, signed3, text3, waitForLab, withOpenLab } from './labs.mjs';

const CHAPTER = '07-reproducibility/';

function meanAndSd(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, sd: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) };
}

function maxDifference(a, b) {
  expect(a.length === b.length, `runs of ${a.length} and ${b.length} steps`);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
}

const withLab = (harness, name, body) => withOpenLab(harness, CHAPTER, name, body);

// Page 02: the last validation AUROC of runs A and B for seeds 1 to 5 (the lab's Train 5 seeds).
const SEEDS = {
  a: [0.849, 0.843, 0.815, 0.853, 0.854],
  b: [0.856, 0.842, 0.822, 0.841, 0.858],
};

export const tests = [{
  name: 'page 02: five seeds of A and B: error bars from the seeds, a win on seed 1 that the spread swallows',
  async run(harness) {
    await withLab(harness, 'seed-variance', async ({ set, state, lab, page, url, line }) => {
      const ready = await state();
      expect(ready.stage === 'ready' && ready.seeds === 5, `the lab is ${ready.stage} with ${ready.seeds} seeds: ${ready.message}`);
      // The configs it trains are the page's, so the page's commands run the lab's runs.
      expect(ready.cli_config === pageToml(CHAPTER, '02-seed-variance.md', 'seeds-a.toml'), `run A's CLI config is not the page's seeds-a.toml:\n${ready.cli_config}`);
      expect(ready.b_cli_config === pageToml(CHAPTER, '02-seed-variance.md', 'seeds-b.toml'), `run B's CLI config is not the page's seeds-b.toml:\n${ready.b_cli_config}`);
      // The seed is the lab's to set: a reader's seed is refused with a message naming it.
      const refusal = await setRefusal(page, lab.number, 'seed', 3);
      expect(refusal && refusal.includes('seed'), `set('seed', 3) was not refused: ${refusal}`);
      await set('sweep', 1);
      const s = await state();
      expect(s.phase === 'done' && s.runs_done === 10, `after the sweep: ${s.phase}, ${s.runs_done} runs: ${s.message}`);
      const a = s.a.values;
      const b = s.b.values;
      console.log(`      A ${a.map(text3).join(' ')}  B ${b.map(text3).join(' ')}; A ${text3(s.a.spread.mean)} ± ${text3(s.a.spread.sd)},`
        + ` B ${text3(s.b.spread.mean)} ± ${text3(s.b.spread.sd)}, paired ${text3(s.difference.paired_spread.mean)} ± ${text3(s.difference.paired_spread.sd)}, B better on ${s.difference.b_better}`);
      // The lab's summaries against a recomputation from its own values.
      for (const [name, values, spread] of [['A', a, s.a.spread], ['B', b, s.b.spread]]) {
        const m = meanAndSd(values);
        near(spread.mean, m.mean, 1e-12, `${name}'s mean`);
        near(spread.sd, m.sd, 1e-12, `${name}'s standard deviation`);
      }
      const paired = b.map((v, i) => v - a[i]);
      paired.forEach((d, i) => near(s.difference.paired[i], d, 1e-12, `B − A on seed ${i + 1}`));
      expect(s.difference.b_better === paired.filter((d) => d > 0).length, 'B better: miscounted');
      // Different seeds, different runs: five distinct scores per setting.
      expect(new Set(a).size === 5 && new Set(b).size === 5, 'two seeds gave the same score');
      // The native CLI trained the same ten runs for the figure: the same scores to 0.002
      // (the page and the native build add some numbers in different orders).
      const figure = figureNumbers(harness.siteDir, url, 'seed-error-bars');
      figure.a.forEach((v, i) => near(v, a[i], 0.002, `figure (CLI) against lab: A, seed ${i + 1}`));
      figure.b.forEach((v, i) => near(v, b[i], 0.002, `figure (CLI) against lab: B, seed ${i + 1}`));
      // The page's numbers.
      SEEDS.a.forEach((v, i) => near(Number(text3(a[i])), v, 1e-9, `A, seed ${i + 1}`));
      SEEDS.b.forEach((v, i) => near(Number(text3(b[i])), v, 1e-9, `B, seed ${i + 1}`));
      // The finding: seed 1 shows B ahead, and the difference of the means is smaller
      // than the seed spread of either setting.
      expect(paired[0] > 0, `seed 1: B − A is ${paired[0]}, the page says B wins it`);
      const diff = s.difference.of_means;
      expect(Math.abs(diff) < Math.min(s.a.spread.sd, s.b.spread.sd), `B − A of the means ${diff} is not inside the seed spread`);
      expectStated(line, url, [text3(s.a.spread.mean), text3(s.a.spread.sd), text3(s.b.spread.mean), text3(s.b.spread.sd),
        signed3(paired[0]), `${s.difference.b_better} of 5`]);
    });
  },
}, {
  name: 'page 03: one seed twice is one run to the last bit, another seed differs from step 1, a link replays both',
  async run(harness) {
    await withLab(harness, 'first-model', async ({ set, state, lab, context, url, line }) => {
      const opened = await state();
      expect(opened.compare && opened.b && opened.seed === opened.b.seed, `Lab 2 opens with compare ${opened.compare}, seeds ${opened.seed} and ${opened.b?.seed}`);
      await set('start', 1);
      const same = await state();
      expect(same.phase === 'finished' && same.b.phase === 'finished', `runs ${same.phase} and ${same.b.phase}: ${same.message}`);
      const steps = same.train_loss.length;
      const sameMax = maxDifference(same.train_loss, same.b.train_loss);
      expect(sameMax === 0, `one seed twice: the losses differ by up to ${sameMax}`);
      expect(JSON.stringify(same.validation) === JSON.stringify(same.b.validation), 'one seed twice: the validation scores differ');
      expect(same.difference.auroc === 0, `one seed twice: B − A is ${same.difference.auroc}`);
      const aurocA = same.validation.at(-1).auroc;

      await set('b.seed', 2);
      await set('start', 1);
      const other = await state();
      expect(other.b.phase === 'finished' && other.b.train_loss.length === steps, `seed 2: ${other.b.phase} after ${other.b.train_loss.length} steps`);
      expect(JSON.stringify(other.train_loss) === JSON.stringify(same.train_loss), 'training B moved run A');
      expect(other.train_loss[0] !== other.b.train_loss[0], 'seed 2: the first step has the same loss as seed 1');
      const otherMax = maxDifference(other.train_loss, other.b.train_loss);
      const aurocB = other.b.validation.at(-1).auroc;
      console.log(`      ${steps} steps; seed 1 twice: largest loss difference ${sameMax}; seed 2: ${otherMax.toFixed(4)}, AUROC ${text3(aurocA)} against ${text3(aurocB)}`);

      // The run link replays both runs in a fresh page, to the bit.
      const replay = await watchedPage(context);
      await replay.goto(`${harness.baseUrl}${url}${other.run_link}`);
      await waitForLab(replay, lab.number);
      const replayed = await labState(replay, lab.number);
      expect(replayed.steps === steps && replayed.b.steps === steps, `the link replayed ${replayed.steps} and ${replayed.b.steps} steps (${replayed.message})`);
      expect(replayed.b.seed === 2, `the link lost B's seed: ${replayed.b.seed}`);
      expect(maxDifference(replayed.train_loss, other.train_loss) === 0, 'the replayed run A differs');
      expect(maxDifference(replayed.b.train_loss, other.b.train_loss) === 0, 'the replayed run B differs');
      expect(JSON.stringify(replayed.b.validation) === JSON.stringify(other.b.validation), 'the replayed validation differs');
      expectNoProblems(replay, 'Lab 2 replayed');
      expectStated(line, url, [String(steps), text3(aurocA), text3(aurocB)]);
    });
  },
}];
