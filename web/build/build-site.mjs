// The book builder: tutorials/NN-slug/*.md and web/pages/*.md become static pages;
// the theme, page script, labs, wasm module, KaTeX styles and data assets are copied
// beside them; a search index and a versioned service worker are written last.
// Usage: node web/build/build-site.mjs OUT_DIR [--assets DIR] [--wasm DIR] [--wasm-threads DIR] [--cli EPIBOOK]
// (the CLI draws the figures that need computed data; default build/native/cli/epibook)
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { createMarkdown } from './markdown.mjs';
import { renderPage } from './layout.mjs';
import { figureData } from './figure-block.mjs';
import { sectionsOf, buildSearchIndex } from './search-index.mjs';
import { copyTree, listFiles } from './site-files.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BOOK_TITLE = 'Machine Learning in Genomics';

function parseArguments(argv) {
  const options = { out: null, assets: path.join(repo, 'build/assets'), wasm: path.join(repo, 'build/wasm/web'), wasmThreads: path.join(repo, 'build/wasm-threads/web'), cli: path.join(repo, 'build/native/cli/epibook') };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--assets') options.assets = path.resolve(argv[++i]);
    else if (argv[i] === '--wasm') options.wasm = path.resolve(argv[++i]);
    else if (argv[i] === '--wasm-threads') options.wasmThreads = path.resolve(argv[++i]);
    else if (argv[i] === '--cli') options.cli = path.resolve(argv[++i]);
    else if (!options.out) options.out = path.resolve(argv[i]);
    else throw new Error(`unexpected argument "${argv[i]}"`);
  }
  if (!options.out) throw new Error('usage: build-site.mjs OUT_DIR [--assets DIR] [--wasm DIR] [--wasm-threads DIR] [--cli EPIBOOK]');
  return options;
}

function firstHeading(source, file) {
  const match = source.match(/^# (.+)$/m);
  if (!match) throw new Error(`${file}: a page needs a "# Title" line`);
  return match[1].trim();
}

// The first paragraph that is prose, for <meta name="description">.
function firstParagraph(source) {
  const paragraph = source.split(/\n\s*\n/).map((p) => p.trim())
    .find((p) => p && !/^(#|```|\$\$|<|>|-|\*|\||\d+\.)/.test(p));
  return (paragraph ?? '').replace(/\s+/g, ' ').replace(/[*_`$]/g, '').slice(0, 200);
}

function readPage(file, url) {
  const source = fs.readFileSync(file, 'utf8');
  return { file, url, source, title: firstHeading(source, file), description: firstParagraph(source) };
}

// Only chapters with text are listed: a folder with no .md file is not a chapter.
function readChapters(tutorialsDir) {
  if (!fs.existsSync(tutorialsDir)) return [];
  return fs.readdirSync(tutorialsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d\d-[a-z0-9-]+$/.test(entry.name))
    .map((entry) => entry.name).sort()
    .map((slug) => {
      const dir = path.join(tutorialsDir, slug);
      const names = fs.readdirSync(dir).filter((n) => n.endsWith('.md'))
        .sort((a, b) => (a === 'index.md' ? -1 : b === 'index.md' ? 1 : a.localeCompare(b)));
      const pages = names.map((n) => readPage(path.join(dir, n), `${slug}/${n.replace(/\.md$/, '.html')}`));
      return { slug, dir, number: Number(slug.slice(0, 2)), pages };
    })
    .filter((chapter) => chapter.pages.length > 0);
}

function readBook() {
  const pagesDir = path.join(repo, 'web/pages');
  const chapters = readChapters(path.join(repo, 'tutorials'));
  const home = readPage(path.join(pagesDir, 'index.md'), 'index.html');
  const extras = ['native.md', 'scale.md', 'runs.md', 'glossary.md', 'building.md', 'about.md']
    .map((n) => readPage(path.join(pagesDir, n), n.replace(/\.md$/, '.html')));
  const reading = [home, ...chapters.flatMap((c) => c.pages), ...extras];
  reading.forEach((page, i) => {
    page.previous = reading[i - 1] ?? null;
    page.next = reading[i + 1] ?? null;
  });
  return { title: BOOK_TITLE, home, chapters, extras, pages: reading };
}

// The home page ends with the list of written chapters, so it never goes stale.
function contentsMarkdown(book) {
  const lines = book.chapters.map((c) => `${c.number}. [${c.pages[0].title}](${c.pages[0].url})`
    + (c.pages.length > 1 ? ': ' + c.pages.slice(1).map((p) => `[${p.title}](${p.url})`).join(', ') : ''));
  return `\n\n## Contents\n\n${lines.join('\n')}\n`;
}

function renderMarkdown(book, data) {
  const sections = [];
  for (const page of book.pages) {
    const md = createMarkdown();
    const env = { file: path.relative(repo, page.file), headings: [], labs: [], figureData: data };
    const source = page === book.home ? page.source + contentsMarkdown(book) : page.source;
    const tokens = md.parse(source, env);
    page.html = md.renderer.render(tokens, md.options, env);
    page.headings = env.headings;
    page.labs = env.labs;
    page.figures = env.figures ?? [];
    sections.push(...sectionsOf(tokens, page));
  }
  return sections;
}

function copyKatex(out) {
  const dist = path.join(repo, 'node_modules/katex/dist');
  fs.mkdirSync(path.join(out, 'katex/fonts'), { recursive: true });
  // Browsers that run WebAssembly all read woff2: the older font formats are dead weight offline.
  const css = fs.readFileSync(path.join(dist, 'katex.min.css'), 'utf8')
    .replace(/,url\(fonts\/[^)]+\.woff\) format\("woff"\)/g, '')
    .replace(/,url\(fonts\/[^)]+\.ttf\) format\("truetype"\)/g, '');
  fs.writeFileSync(path.join(out, 'katex/katex.min.css'), css);
  for (const font of fs.readdirSync(path.join(dist, 'fonts')).filter((f) => f.endsWith('.woff2'))) {
    fs.copyFileSync(path.join(dist, 'fonts', font), path.join(out, 'katex/fonts', font));
  }
}

// The cache name changes whenever any byte of the site does, so a reader's offline
// copy is replaced as a whole and never mixes two versions of the book.
function writeServiceWorker(out) {
  const files = listFiles(out).filter((f) => f !== 'sw.js');
  const hash = crypto.createHash('sha256');
  for (const file of files) {
    hash.update(file + '\0');
    hash.update(fs.readFileSync(path.join(out, file)));
  }
  const version = hash.digest('hex').slice(0, 16);
  const template = fs.readFileSync(path.join(repo, 'web/sw.js'), 'utf8');
  const precache = ['./', ...files];
  const worker = template
    .replace("'__EPIBOOK_VERSION__'", JSON.stringify(version))
    .replace("['__EPIBOOK_PRECACHE__']", JSON.stringify(precache));
  fs.writeFileSync(path.join(out, 'sw.js'), worker);
  return { version, count: precache.length };
}

function assetReferences(book) {
  return book.pages.flatMap((page) => page.labs.flatMap((lab) => Object.values(lab.params)
    .filter((value) => value.startsWith('assets/')).map((value) => ({ page: page.url, lab: lab.name, value }))));
}

function main() {
  const options = parseArguments(process.argv.slice(2));
  const book = readBook();
  const sections = renderMarkdown(book, figureData({ assets: options.assets, cli: options.cli }));

  // Fetching the lab host while the page parses saves a round trip before the first lab.
  book.hasLabHost = fs.existsSync(path.join(repo, 'web/labs/lab-host.js'));
  // Pages say whether the site ships the threaded labs, so an isolated page never asks for missing files.
  book.hasThreadedLabs = fs.existsSync(path.join(options.wasmThreads, 'epibook-labs-mt.wasm'));
  fs.rmSync(options.out, { recursive: true, force: true });
  fs.mkdirSync(options.out, { recursive: true });
  for (const page of book.pages) {
    const target = path.join(options.out, page.url);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, renderPage(book, page));
  }
  // Figures and other files a chapter keeps beside its text.
  for (const chapter of book.chapters) {
    copyTree(chapter.dir, path.join(options.out, chapter.slug), (source) => !source.endsWith('.md'));
  }
  copyTree(path.join(repo, 'web/static'), options.out);
  // The figures' SVG plotting, also drawn in the page by the run dashboard (runs.js).
  fs.mkdirSync(path.join(options.out, 'plot'), { recursive: true });
  for (const file of ['svg-plot.mjs', 'layout.mjs']) fs.copyFileSync(path.join(repo, 'web/build', file), path.join(options.out, 'plot', file));
  copyKatex(options.out);
  const warnings = [];
  if (!copyTree(path.join(repo, 'web/labs'), path.join(options.out, 'labs'))) warnings.push('no web/labs/: pages will show that the labs are missing');
  if (!copyTree(options.wasm, path.join(options.out, 'wasm'))) warnings.push(`no ${options.wasm}: build the wasm preset first`);
  // The labs built with -pthread (the wasm-threads preset), for cross-origin isolated pages.
  const threaded = (source) => path.basename(source).startsWith('epibook-labs-mt.');
  if (!copyTree(options.wasmThreads, path.join(options.out, 'wasm'), threaded)
      || !fs.existsSync(path.join(options.out, 'wasm/epibook-labs-mt.wasm'))) {
    warnings.push(`no ${options.wasmThreads}/epibook-labs-mt.wasm: build the wasm-threads preset for labs on 2 threads (isolated pages fall back to one)`);
  }
  if (!copyTree(options.assets, path.join(options.out, 'assets'))) warnings.push(`no ${options.assets}: run scripts/make-assets first`);
  for (const ref of assetReferences(book)) {
    if (!fs.existsSync(path.join(options.out, ref.value))) warnings.push(`${ref.page}: lab ${ref.lab} refers to ${ref.value}, which the site lacks`);
  }
  fs.writeFileSync(path.join(options.out, 'search-index.json'), JSON.stringify(buildSearchIndex(book.pages, sections)));
  const worker = writeServiceWorker(options.out);

  for (const warning of warnings) console.error(`build-site: warning: ${warning}`);
  const labCount = book.pages.reduce((n, p) => n + p.labs.length, 0);
  console.error(`build-site: ${book.pages.length} pages, ${book.chapters.length} chapter(s), ${labCount} lab(s), `
    + `${sections.length} search sections, ${worker.count} files precached (version ${worker.version}) -> ${options.out}`);
}

try {
  main();
} catch (error) {
  console.error(`build-site: ${error.message}`);
  process.exit(1);
}
