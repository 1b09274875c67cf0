// The book's promise that every number comes from a command shown: each shell line in
// the book's Markdown that runs on shipped data is run (with the native CLI as
// `epibook`, from a folder whose assets/ is the site's), and every number in its
// trailing comment must appear in its output. Lines on data the book does not ship
// are checked for a real subcommand with real options. Every ```python block runs too, with
// Debian's Python (/usr/bin/python3: numpy, pyBigWig, PyTorch) in the same folder and
// after the blocks above it, so it may read assets/ and what an earlier block wrote;
// the numbers of its `# -> ...` comments must appear in what it prints.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, repo, runProgram } from './harness.mjs';

// Lines the suite does not run. A line that starts a program the suite does not have
// (MACS2), a download, or the book's own build:
const NOT_RUN_PROGRAMS = /^(make|curl|macs2|scripts\/\S+|build\/native\/\S+)(\s|$)/;
// A line on the 200 Mb genome200 simulation (minutes to simulate, too big to ship):
const TOO_BIG = /\bgenome200\b/;
// A line that reads a reader's own file: one of the book's example names (signal.bw,
// peaks.bed, ...) as an argument of its own, not after an output option, and not in
// the page's folder, which holds only assets/ and what the page's earlier lines wrote.
// A shipped file is named by its path under assets/ (assets/chipseq-sim/truth_peaks.bed,
// assets/regions/peaks-windows.bed), so it never matches, nor does a typo in one: such
// a line runs and fails. A line that writes peaks.bed runs, and so do the lines after
// it that read it.
const READERS_FILES = /^(signal\.bw|reads\.fastq\.gz|peaks\.bed|chroms\.bed|treatment\.bed|genome\.fa|ENCFF\w+\.fastq\.gz)$/;
const OUTPUT_OPTION = /^(-o|--out|--output|>)$/;

function readersFile(command, cwd) {
  const words = command.split(/[\s=]+/);
  return words.find((word, i) => READERS_FILES.test(word) && !OUTPUT_OPTION.test(words[i - 1] ?? '')
    && !fs.existsSync(path.join(cwd, word)));
}

function notRunnable(command, cwd) {
  return NOT_RUN_PROGRAMS.test(command) || TOO_BIG.test(command) || readersFile(command, cwd) !== undefined;
}

function markdownFiles() {
  const chapters = fs.readdirSync(path.join(repo, 'tutorials'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => fs.readdirSync(path.join(repo, 'tutorials', e.name)).filter((n) => n.endsWith('.md'))
      .map((n) => path.join(repo, 'tutorials', e.name, n)));
  const pages = fs.readdirSync(path.join(repo, 'web/pages')).filter((n) => n.endsWith('.md'))
    .map((n) => path.join(repo, 'web/pages', n));
  return [...chapters, ...pages];
}

// Shell blocks as { file, commands: [{ line, command, expected: [numbers] }] }; a
// comment on a line of its own states the output of the command above it.
const PYTHON = process.env.EPIBOOK_PYTHON ?? '/usr/bin/python3';

const numbersIn = (text) => (text.match(/\d[\d,.]*\d|\d/g) ?? []).map((n) => n.replace(/,/g, ''));

// A python block as one command: the whole snippet, and the numbers of its `# ->` lines.
function pythonBlock(file, body, firstLine) {
  const expected = [...body.matchAll(/#\s*->\s*(.*)$/gm)].flatMap((m) => numbersIn(m[1]));
  return { file: path.relative(repo, file), commands: [{ line: firstLine, python: body, expected }] };
}

function shellBlocks(file) {
  const text = fs.readFileSync(file, 'utf8');
  const blocks = [];
  for (const match of text.matchAll(/^```(sh|python)\n([\s\S]*?)^```/gm)) {
    const firstLine = text.slice(0, match.index).split('\n').length + 1;
    if (match[1] === 'python') { blocks.push(pythonBlock(file, match[2], firstLine)); continue; }
    const commands = [];
    match[2].split('\n').forEach((raw, i) => {
      const comment = /(?:^|\s)#\s(.*)$/.exec(raw);
      const command = (comment ? raw.slice(0, comment.index) : raw).trim();
      const numbers = comment ? numbersIn(comment[1]) : [];
      if (command) commands.push({ line: firstLine + i, command, expected: numbers });
      else if (commands.length) commands[commands.length - 1].expected.push(...numbers);
    });
    blocks.push({ file: path.relative(repo, file), commands });
  }
  return blocks;
}

// A ```toml block whose first line names its file (`# first-model.toml ...`) is a config
// the page's commands read: it is written into the page's folder before they run.
function writeConfigBlocks(file, cwd) {
  const text = fs.readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^```toml\n#\s*([\w.-]+\.toml)\b.*\n([\s\S]*?)^```/gm)) {
    fs.writeFileSync(path.join(cwd, match[1]), match[2]);
  }
}

function workspace(harness) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-book-commands-'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.symlinkSync(harness.cliPath, path.join(dir, 'bin/epibook'));
  fs.symlinkSync(path.join(harness.siteDir, 'assets'), path.join(dir, 'assets'));
  return dir;
}

async function run(command, cwd) {
  const result = await runProgram('bash', ['-o', 'pipefail', '-c', command], {
    cwd, timeout: 120000,
    env: { ...process.env, PATH: `${path.join(cwd, 'bin')}:${process.env.PATH}` },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function runPython(snippet, cwd) {
  const result = await runProgram(PYTHON, ['-'], {
    cwd, input: snippet, timeout: 120000,
    // The reader's `epibook` is on PATH for a snippet that runs it, as for the shell lines.
    env: { ...process.env, PATH: `${path.join(cwd, 'bin')}:${process.env.PATH}`, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// `epibook bw values FILE ... --bin 32` -> ['bw', 'values'] and ['--bin'].
function subcommandAndOptions(command) {
  const words = command.split(/\s+/).slice(1);
  const sub = [];
  for (const word of words) {
    if (!/^[a-z]+$/.test(word) || sub.length === 2) break;
    sub.push(word);
  }
  return { sub, options: words.filter((w) => /^--?[a-z]/.test(w)).map((w) => w.split('=')[0]) };
}

async function checkShape(entry, cwd, problems, where) {
  const { sub, options } = subcommandAndOptions(entry.command);
  let help = await run(`epibook ${sub.join(' ')} --help`, cwd);
  if (help.status !== 0 && sub.length === 2) help = await run(`epibook ${sub[0]} --help`, cwd);
  if (help.status !== 0) { problems.push(`${where}: "epibook ${sub.join(' ')}" is not a command of the CLI`); return; }
  for (const option of options) {
    if (!help.output.includes(option)) problems.push(`${where}: epibook ${sub.join(' ')} has no option ${option}`);
  }
}

export const tests = [{
  name: 'the commands skipped as reading a reader\'s own file are those that do, never one on a shipped file',
  async run(harness) {
    const cwd = workspace(harness);
    try {
      const skipped = (command) => readersFile(command, cwd) !== undefined;
      expect(skipped('epibook bw values signal.bw peaks.bed --bin 32 --format npy -o values.npy'), 'signal.bw and peaks.bed: not skipped');
      expect(skipped('epibook load --fasta=genome.fa --window 1024'), '--fasta=genome.fa: not skipped');
      for (const command of ['epibook regions --peaks assets/chipseq-sim/truth_peaks.bed -o windows.bed',
        'epibook bw values assets/output-bins/sim/celltypeA.rep1.bw sim-peaks.bed', 'epibook regions --peaks x/peaks.bed',
        'epibook bw bed assets/dm3-slice-rnaseq.bw -o peaks.bed', 'awk \'$5 == 1\' assets/regions/peaks-windows.bed > peaks.bed']) {
        expect(!skipped(command), `${command}: skipped`);
      }
      // A file an earlier line wrote is the page's own: the line that reads it runs.
      fs.writeFileSync(path.join(cwd, 'peaks.bed'), 'chr1\t0\t10\n');
      expect(!skipped('epibook bw values assets/dm3-slice-rnaseq.bw peaks.bed'), 'peaks.bed written by the page: skipped');
      // No shipped file, named as the book names it, is taken for a reader's own.
      const shipped = [];
      const walk = (dir) => fs.readdirSync(path.join(cwd, dir), { withFileTypes: true }).forEach((e) => (e.isDirectory()
        ? walk(`${dir}/${e.name}`) : shipped.push(`${dir}/${e.name}`)));
      walk('assets');
      expect(shipped.length > 0, 'the site ships no assets');
      const taken = shipped.filter((file) => notRunnable(`epibook bw info ${file}`, cwd));
      expect(taken.length === 0, `shipped files taken for unshipped ones: ${taken.join(', ')}`);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  },
}, {
  name: 'every command and python block the book shows runs on shipped data and prints the numbers the text quotes',
  async run(harness) {
    expect(fs.existsSync(path.join(harness.siteDir, 'assets')), 'the site has no assets/: run scripts/make-assets');
    const problems = [];
    let ran = 0;
    let checked = 0;
    let snippets = 0;
    for (const file of markdownFiles()) {
      // One folder per page: a later block may read what an earlier one wrote.
      const cwd = workspace(harness);
      writeConfigBlocks(file, cwd);
      for (const block of shellBlocks(file)) {
        for (const entry of block.commands) {
          const where = `${block.file}:${entry.line}`;
          if (entry.python !== undefined) {
            const result = await runPython(entry.python, cwd);
            snippets += 1;
            if (result.status !== 0) {
              problems.push(`${where}: the python block exited ${result.status}: ${result.output.trim().split('\n').slice(-3).join(' / ')}`);
              continue;
            }
            const missing = entry.expected.filter((n) => !result.output.replace(/(\d),(\d)/g, '$1$2').includes(n));
            if (missing.length) problems.push(`${where}: the python block does not print ${missing.join(', ')}`);
            continue;
          }
          if (notRunnable(entry.command, cwd)) {
            if (entry.command.startsWith('epibook ')) { await checkShape(entry, cwd, problems, where); checked += 1; }
            continue;
          }
          const result = await run(entry.command, cwd);
          ran += 1;
          if (result.status !== 0) {
            problems.push(`${where}: \`${entry.command}\` exited ${result.status}: ${result.output.trim().split('\n').slice(-2).join(' / ')}`);
            continue;
          }
          const flat = result.output.replace(/(\d),(\d)/g, '$1$2');
          const missing = entry.expected.filter((n) => !flat.includes(n));
          if (missing.length) problems.push(`${where}: \`${entry.command}\` does not print ${missing.join(', ')}`);
        }
      }
      fs.rmSync(cwd, { recursive: true, force: true });
    }
    console.log(`      ran ${ran} commands and ${snippets} python blocks on shipped data, checked ${checked} more against the CLI's --help`);
    expect(problems.length === 0, problems.join('\n'));
  },
}];
