// The HTML around every page of the book: top bar (search, theme), sidebar of
// written chapters, previous / next. Pure functions of the book's page list, so
// build-site.mjs only decides what goes where.

// Safe inside element text and inside attributes quoted with " or ' (lab params use ').
export function escapeHtml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// A link from the page at `fromUrl` to `toUrl`, both relative to the site root.
export function relativeLink(fromUrl, toUrl) {
  const depth = fromUrl.split('/').length - 1;
  return '../'.repeat(depth) + toUrl;
}

function sidebar(book, page) {
  const link = (target, text, extra = '') => {
    const current = target.url === page.url ? ' aria-current="page"' : '';
    return `<a href="${relativeLink(page.url, target.url)}"${current}${extra}>${escapeHtml(text)}</a>`;
  };
  const chapterItems = book.chapters.map((chapter) => {
    const pages = chapter.pages.map((p) => {
      const sections = p.url === page.url
        ? `<ol class="toc">${p.headings.filter((h) => h.level === 2)
          .map((h) => `<li><a href="#${h.id}">${escapeHtml(h.text)}</a></li>`).join('')}</ol>`
        : '';
      return `<li>${link(p, p.title)}${sections}</li>`;
    }).join('');
    return `<li class="chapter"><span class="chapter-number">${chapter.number}</span><ol>${pages}</ol></li>`;
  }).join('\n');
  const extras = book.extras.map((p) => `<li>${link(p, p.title)}</li>`).join('');
  return `<nav class="sidebar" id="sidebar" aria-label="Chapters">
<p class="sidebar-home">${link(book.home, 'Contents')}</p>
<ol class="chapters">${chapterItems}</ol>
<ul class="extras">${extras}</ul>
</nav>`;
}

function pager(page) {
  const side = (target, rel, label) => (target
    ? `<a class="pager-${rel}" rel="${rel}" href="${relativeLink(page.url, target.url)}"><span>${label}</span>${escapeHtml(target.title)}</a>`
    : '<span></span>');
  return `<nav class="pager" aria-label="Previous and next">${side(page.previous, 'prev', 'Previous')}${side(page.next, 'next', 'Next')}</nav>`;
}

// What a page may load and talk to: scripts and connections only from the site's own
// origin, no inline script and no eval (the labs' WebAssembly compiles under
// 'wasm-unsafe-eval', which allows wasm and nothing else). A reader's own file, opened
// in a lab, therefore has nowhere to go. Styles may be inline: KaTeX sets the
// positions of formula parts in style attributes.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "connect-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

// A page with labs fetches the lab host while it parses and, as soon as the host is
// there (before DOMContentLoaded), starts downloading and compiling the labs' wasm, so
// the first lab in view only has to instantiate it (labs/prepare-labs.js). The host's
// one import (run-store.js) is fetched beside it, not after it: the wasm download starts
// a round trip sooner.
// A site built with the threaded labs says so (lab-host.js loads them in isolated pages).
function labHostBoot(root, threaded) {
  return `${threaded ? '<meta name="epibook-labs-threads" content="2">\n' : ''}<link rel="modulepreload" href="${root}labs/lab-host.js">
<link rel="modulepreload" href="${root}run-store.js">
<script type="module" async src="${root}labs/prepare-labs.js"></script>`;
}

export function renderPage(book, page) {
  const root = relativeLink(page.url, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="description" content="${escapeHtml(page.description)}">
<title>${escapeHtml(page.title === book.title ? book.title : `${page.title} · ${book.title}`)}</title>
<link rel="icon" href="data:,">
<script src="${root}theme-boot.js"></script>
<link rel="stylesheet" href="${root}katex/katex.min.css">
<link rel="stylesheet" href="${root}book.css">
${page.labs.length && book.hasLabHost ? labHostBoot(root, book.hasThreadedLabs) : ''}
</head>
<body>
<header class="topbar">
<button class="menu-button" type="button" aria-controls="sidebar" aria-expanded="false" title="Chapters">☰</button>
<a class="book-title" href="${root}index.html">${escapeHtml(book.title)}</a>
<div class="search" role="search">
<input type="search" id="search" placeholder="Search the book" aria-label="Search the book" autocomplete="off">
<ol class="search-results" id="search-results" hidden></ol>
</div>
<button class="theme-button" type="button" title="Switch light / dark theme" aria-label="Switch light or dark theme">◐</button>
</header>
<div class="layout">
${sidebar(book, page)}
<main class="page">
<article class="content">
${page.html}
</article>
${pager(page)}
</main>
</div>
<script type="module" src="${root}book.js"></script>
</body>
</html>
`;
}
