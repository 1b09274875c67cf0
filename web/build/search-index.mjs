// Builds the search index at build time: the book's text cut into sections (one
// per heading) and an inverted index from words to sections, which web/static/search.js
// reads in the browser. No server is ever asked.

import { words } from '../static/search.js';

// Walks markdown-it tokens and cuts the text at every heading of level 1 to 3.
export function sectionsOf(tokens, page) {
  const sections = [];
  let current = { page: page.url, id: '', heading: page.title, text: [] };
  const inlineText = (token) => (token.children ?? []).map((child) => {
    if (child.type === 'text' || child.type === 'code_inline') return child.content;
    // TeX commands mean nothing to a reader searching; keep the symbols' letters.
    if (child.type === 'math_inline') return child.content.replace(/\\[a-zA-Z]+|[{}^_\\]/g, ' ');
    if (child.type === 'softbreak' || child.type === 'hardbreak') return ' ';
    return '';
  }).join('');
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    if (token.type === 'heading_open' && Number(token.tag.slice(1)) <= 3) {
      if (current.text.length) sections.push(current);
      current = { page: page.url, id: token.attrGet('id') ?? '', heading: inlineText(tokens[i + 1]), text: [] };
      i += 1;
    } else if (token.type === 'inline') {
      current.text.push(inlineText(token));
    } else if (token.type === 'fence') {
      current.text.push(token.content);
    }
  }
  if (current.text.length) sections.push(current);
  return sections.map((s) => ({ ...s, text: s.text.join(' ').replace(/\s+/g, ' ').trim() }));
}

// terms: word -> flat list of [section, count, section, count, ...]; a heading's
// words count three times, since a reader searching "arcsinh" wants that section.
export function buildSearchIndex(pages, sections) {
  const terms = new Map();
  sections.forEach((section, index) => {
    const counts = new Map();
    const add = (word, weight) => counts.set(word, (counts.get(word) ?? 0) + weight);
    words(section.heading).forEach((w) => add(w, 3));
    words(section.text).forEach((w) => add(w, 1));
    for (const [word, count] of counts) {
      if (!terms.has(word)) terms.set(word, []);
      terms.get(word).push(index, count);
    }
  });
  return {
    pages: pages.map((p) => ({ url: p.url, title: p.title })),
    sections: sections.map((s) => ({
      page: pages.findIndex((p) => p.url === s.page), id: s.id, heading: s.heading, text: s.text,
    })),
    terms: Object.fromEntries([...terms].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
