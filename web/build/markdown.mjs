// Markdown to HTML for the book's pages: markdown-it with KaTeX maths rendered at
// build time, highlight.js for code, heading anchors, and the `lab` fenced block
// that becomes a canvas the page script mounts (web/labs/README.md),
// and the `figure` block drawn at build time from data (figure-block.mjs).
import MarkdownIt from 'markdown-it';
import deflist from 'markdown-it-deflist';
import katex from 'katex';
import hljs from 'highlight.js';

import { parseLabBlock, labIsTall, labTitle } from './lab-block.mjs';
import { renderFigure } from './figure-block.mjs';
import { escapeHtml } from './layout.mjs';

// Anchor ids from heading text: lower case, letters and digits joined by dashes.
export function slugify(text) {
  return text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'section';
}

function renderTex(tex, displayMode, where) {
  // A typo in a formula must stop the build, not ship a red error into the page.
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: true, strict: 'error' });
  } catch (error) {
    throw new Error(`${where}: maths "${tex}": ${error.message}`);
  }
}

// $...$ inside a paragraph. As in pandoc, the opening $ must not be followed by a
// space and the closing $ neither preceded by a space nor followed by a digit, so
// prices like "$5 and $6" stay text.
function inlineMathRule(state, silent) {
  const src = state.src;
  const start = state.pos;
  if (src[start] !== '$' || src[start + 1] === '$') return false;
  if (src[start + 1] === undefined || /\s/.test(src[start + 1])) return false;
  let end = start + 1;
  while (end < state.posMax) {
    if (src[end] === '\\') { end += 2; continue; }
    if (src[end] === '$') break;
    end += 1;
  }
  if (end >= state.posMax || /\s/.test(src[end - 1]) || /[0-9]/.test(src[end + 1] || '')) return false;
  if (!silent) {
    const token = state.push('math_inline', 'math', 0);
    token.content = src.slice(start + 1, end);
  }
  state.pos = end + 1;
  return true;
}

// $$ on its own line opens a display formula; the line that ends with $$ closes it.
function blockMathRule(state, startLine, endLine, silent) {
  const lineStart = state.bMarks[startLine] + state.tShift[startLine];
  const lineEnd = state.eMarks[startLine];
  const first = state.src.slice(lineStart, lineEnd);
  if (!first.startsWith('$$')) return false;
  if (silent) return true;
  let body = first.slice(2);
  let line = startLine;
  let closed = body.trimEnd().endsWith('$$');
  if (closed) body = body.trimEnd().slice(0, -2);
  while (!closed && ++line < endLine) {
    const text = state.src.slice(state.bMarks[line] + state.tShift[line], state.eMarks[line]);
    if (text.trimEnd().endsWith('$$')) {
      body += '\n' + text.trimEnd().slice(0, -2);
      closed = true;
    } else {
      body += '\n' + text;
    }
  }
  if (!closed) return false;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = body.trim();
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
}

function highlight(code, language) {
  if (language && hljs.getLanguage(language)) {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  }
  return escapeHtml(code);
}

// One renderer per page: `env` carries the page's name for error messages, the
// headings it collects (for the table of contents and search) and its lab count.
export function createMarkdown() {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: true, highlight }).use(deflist);
  md.inline.ruler.after('escape', 'math_inline', inlineMathRule);
  md.block.ruler.before('fence', 'math_block', blockMathRule, { alt: ['paragraph', 'blockquote', 'list'] });
  md.renderer.rules.math_inline = (tokens, i, _options, env) => renderTex(tokens[i].content, false, env.file);
  md.renderer.rules.math_block = (tokens, i, _options, env) =>
    `<div class="math-display">${renderTex(tokens[i].content, true, env.file)}</div>\n`;

  const defaultFence = md.renderer.rules.fence;
  md.renderer.rules.fence = (tokens, i, options, env, self) => {
    const token = tokens[i];
    const info = token.info.trim();
    if (info === 'lab') return renderLab(token, env);
    if (info === 'figure') return renderFigure(token, env);
    return defaultFence(tokens, i, options, env, self);
  };

  md.renderer.rules.heading_open = (tokens, i, options, env, self) => {
    const token = tokens[i];
    const text = tokens[i + 1].children.filter((t) => t.type === 'text' || t.type === 'code_inline')
      .map((t) => t.content).join('');
    const id = uniqueId(slugify(text), env);
    token.attrSet('id', id);
    env.headings.push({ level: Number(token.tag.slice(1)), id, text });
    return self.renderToken(tokens, i, options);
  };
  return md;
}

function uniqueId(base, env) {
  env.ids ??= new Set();
  let id = base;
  for (let n = 2; env.ids.has(id); n += 1) id = `${base}-${n}`;
  env.ids.add(id);
  return id;
}

function renderLab(token, env) {
  const where = `${env.file}: line ${token.map ? token.map[0] + 1 : '?'}`;
  const { name, params, caption } = parseLabBlock(token.content, where);
  env.labs.push({ name, params });
  const number = env.labs.length;
  const json = escapeHtml(JSON.stringify(params));
  const title = `Lab ${number} · ${labTitle(name)}`;
  return `<figure class="lab" id="lab-${number}">\n`
    + `<canvas class="lab-canvas" data-lab="${escapeHtml(name)}" data-params='${json}' tabindex="0" aria-label="${escapeHtml(title)}"${labIsTall(name) ? ' data-tall' : ''}></canvas>\n`
    + `<figcaption><strong>${escapeHtml(title)}.</strong> ${caption ? escapeHtml(caption) : ''}`
    + ` <span class="lab-status" role="status">Scroll here to start the lab.</span></figcaption>\n`
    + `</figure>\n`;
}
