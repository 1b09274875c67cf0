// Every lab in the book, in its page: it mounts and draws, turns dark with the page (a
// screenshot in each theme), a parameter set through its handle changes what it
// computes, and a broken file gives a message in its state while the lab keeps working.
// Lab parameters: web/labs/README.md.
import { expect, expectNoProblems, newContext, siteLabs, watchedPage } from './harness.mjs';
import { callLab, canvasColours, canvasLook, labDrawn, labState, openBytes, openLab, stringsIn, switchTheme } from './labs.mjs';

// For each lab: a parameter to change as a reader would, and a file it can open.
const READER_ACTIONS = {
  'fastq-quality': { set: ['records', 5], badFile: 'broken.fastq', badBytes: '@r1\nACGT\n+\nII\n' },
  'peak-calling': { set: ['threshold', 8], badFile: 'broken.bed', badBytes: 'chr2R\t100\t50\tread\n' },
  'track-explorer': { set: ['region', 'chr2R:7,010,000-7,020,000'], badFile: 'broken.bw', badBytes: 'not a bigWig file at all' },
  'tutorial1-prep': { set: ['bin', 25], badFile: 'broken.bw', badBytes: 'not a bigWig file at all' },
  'class-imbalance': { set: ['method', 'undersample'], badFile: 'broken.bed', badBytes: 'chr2R\tx\t5\n' },
  'first-model': { set: ['seed', 7], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'loss-metrics': { set: ['peaks_kept', 4], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'bin-averaging': { set: ['bin', 32], badFile: 'broken.bw', badBytes: 'not a bigWig file at all' },
  'output-bins': { set: ['bin', 8], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'seed-variance': { set: ['seeds', 6], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'depth-compare': { set: ['normalization', 'cpm'], badFile: 'broken.bw', badBytes: 'not a bigWig file at all' },
  'depth-transfer': { set: ['normalization', 'cpm'], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'gc-shortcut': { set: ['gc_bins', 20], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'region-choice': { set: ['regions', 'tiling'], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'lr-sweep': { set: ['rates', '0.002,0.02'], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'test-bench': { set: ['bug', 'shift'], badFile: 'broken.bed', badBytes: 'not a BED file\n' },
  'bug-curves': { set: ['bug', 'shift'], badFile: 'broken.bed', badBytes: 'not a BED file\n' },
  'lr-schedules': { set: ['seed', 7], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'batch-size': { set: ['seed', 7], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'early-stopping': { set: ['seed', 7], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'augmentation': { set: ['seed', 7], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'grelu-workflow': { set: ['seed', 7], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'grelu-export': { set: ['seed', 7], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'kipoi-export': { set: ['window', 512], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'kipoi-contract': { set: ['mistake', 'reshaped'], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
  'pitfalls': { set: ['fix', true], badFile: 'broken.fa', badBytes: 'this is not a FASTA file\n' },
};
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
// ImGui's anti-aliased text and plots give hundreds of colours; an empty canvas gives one.
const MIN_COLOURS = 16;

function labName(lab) {
  return `${lab.page}#lab-${lab.number} (${lab.name})`;
}

// Frames an idle lab is watched for: 1.6 s at 60 frames a second, more where frames are slow.
const IDLE_FRAMES = 96;

// A lab in view that has nothing to do and gets no input draws on few of its frames (it
// would keep a core busy redrawing the same picture), and a set() makes it draw its next
// frames. Counts of frames, not durations: an idle lab draws on at most one frame in
// `idle_redraw_frames`, however slow the frames are.
async function checkIdleDrawing(page, lab, where) {
  await labDrawn(page, lab.number);
  const idle = await page.evaluate(async ({ n, frames }) => {
    const handle = document.querySelector(`#lab-${n} canvas`).epibookLab;
    handle.frameTiming(true);  // the window of recent frames starts now
    while (handle.frameTiming().recent.frames < frames) await new Promise((resolve) => requestAnimationFrame(resolve));
    return handle.frameTiming();
  }, { n: lab.number, frames: IDLE_FRAMES });
  const { drawn, frames } = idle.recent;
  console.log(`      ${lab.name} idle: drew ${drawn} of ${frames} frames`);
  expect(drawn * 10 <= frames, `${where}: idle and without input, the lab drew ${drawn} of its last ${frames} frames`);
  // The reader's action (here the parameter set to the value it has) makes the lab draw.
  const [key] = READER_ACTIONS[lab.name].set;
  await callLab(page, lab.number, 'set', key, (await labState(page, lab.number))[key]);
  await labDrawn(page, lab.number);
  const after = await callLab(page, lab.number, 'frameTiming');
  expect(after.frames_drawn - idle.frames_drawn >= after.settle_frames,
    `${where}: after set(${key}) the lab drew ${after.frames_drawn - idle.frames_drawn} frames, expected ${after.settle_frames} at least`);
}

async function checkLab(harness, lab, { idle = false } = {}) {
  const actions = READER_ACTIONS[lab.name];
  expect(actions, `${labName(lab)}: the tests know no reader action for this lab`);
  const context = await newContext(harness, { colorScheme: 'light' });
  const page = await watchedPage(context);
  await openLab(page, harness.baseUrl, lab);
  const where = labName(lab);

  const light = await canvasLook(page, lab.number, `lab-${lab.name}`);
  expect(light.colours >= MIN_COLOURS, `${where}: the canvas shows ${light.colours} colour(s) after mounting: nothing drawn`);
  if (idle) await checkIdleDrawing(page, lab, where);
  // The page's theme button turns the lab dark on its next frames, and light again.
  await switchTheme(page, 'dark');
  const dark = await canvasLook(page, lab.number, `lab-${lab.name}-dark`);
  expect(dark.mean < light.mean - 0.4, `${where}: mean luminance dark ${dark.mean.toFixed(2)} against light ${light.mean.toFixed(2)}`);
  await switchTheme(page, 'light');

  const [key, value] = actions.set;
  const before = await labState(page, lab.number);
  await callLab(page, lab.number, 'set', key, value);
  const after = await labState(page, lab.number);
  expect(JSON.stringify(after) !== JSON.stringify(before), `${where}: set(${key}, ${JSON.stringify(value)}) left state() unchanged`);
  expect(String(after[key]) === String(value), `${where}: after set(${key}, ${JSON.stringify(value)}) state().${key} is ${JSON.stringify(after[key])}`);
  await canvasColours(page, lab.number, `lab-${lab.name}-after-set`);

  await openBytes(page, lab.number, actions.badFile, Buffer.from(actions.badBytes));
  const broken = await labState(page, lab.number);
  const messages = stringsIn(broken).filter((s) => s.includes(actions.badFile) && s !== actions.badFile);
  expect(messages.length > 0, `${where}: after opening a broken ${actions.badFile}, no message in state() names it: ${JSON.stringify(broken).slice(0, 400)}`);
  const shown = await canvasColours(page, lab.number, `lab-${lab.name}-bad-file`);
  expect(shown >= MIN_COLOURS, `${where}: the canvas went blank after a broken file`);

  // Still working: the reader changes the parameter back and the lab computes again.
  await callLab(page, lab.number, 'set', key, before[key]);
  const again = await labState(page, lab.number);
  expect(String(again[key]) === String(before[key]), `${where}: after the broken file, set(${key}) no longer takes effect`);
  expectNoProblems(page, where);
  await context.close();
}

function labTests() {
  return [{
    name: 'the book has the six labs of chapter 1',
    async run(harness) {
      const names = new Set(siteLabs(harness.siteDir).map((l) => l.name));
      for (const name of Object.keys(READER_ACTIONS)) expect(names.has(name), `no page embeds the ${name} lab`);
    },
  }, {
    name: 'every lab mounts, draws light and dark, follows set() and survives a broken file; idle, the first draws on few frames',
    async run(harness) {
      const failures = [];
      const labs = siteLabs(harness.siteDir);
      for (const lab of labs) {
        try {
          await checkLab(harness, lab, { idle: lab === labs[0] });
          console.log(`      lab ${labName(lab)}: ok`);
        } catch (error) {
          failures.push(error.message);
        }
      }
      expect(failures.length === 0, failures.join('\n'));
    },
  }, {
    name: 'the labs without a training panel fit a phone: no row is wider than the lab at 390 px',
    async run(harness) {
      const seen = new Set();
      const problems = [];
      for (const lab of siteLabs(harness.siteDir)) {
        // first-model and loss-metrics check their own layout (training.test.mjs, losses.test.mjs).
        if (seen.has(lab.name) || lab.name === 'first-model' || lab.name === 'loss-metrics') continue;
        seen.add(lab.name);
        const context = await newContext(harness, PHONE);
        const page = await watchedPage(context);
        await openLab(page, harness.baseUrl, lab);
        await labDrawn(page, lab.number);
        const look = await callLab(page, lab.number, 'appearance');
        console.log(`      ${lab.name}: widest row ${look.content_width} px in ${look.view_width} px`);
        if (!(look.view_width > 0 && look.content_width <= look.view_width + 0.5)) {
          problems.push(`${labName(lab)}: the widest row is ${look.content_width} px in a lab ${look.view_width} px wide`);
        }
        await canvasColours(page, lab.number, `lab-${lab.name}-phone`);
        expectNoProblems(page, `${labName(lab)} on a phone`);
        await context.close();
      }
      expect(problems.length === 0, problems.join('\n'));
    },
  }];
}

export const tests = labTests();
