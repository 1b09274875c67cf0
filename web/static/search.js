// Client side of the book's search: fetches search-index.json (built by
// web/build/search-index.mjs) on first use and ranks sections by the query's words.

// Words as the reader types them: lower case, accents dropped, digits kept
// ("h3k36me3", "grch38", "25"). The index is cut with this same function.
export function words(text) {
  return text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .match(/[a-z0-9]+/g) ?? [];
}

// Sections holding every query word (the last one may be a prefix, as the reader
// is still typing), scored by word counts weighted by rarity.
export function rankSections(index, query, limit = 8) {
  const queryWords = words(query);
  if (queryWords.length === 0) return [];
  const termList = Object.keys(index.terms);
  const sectionCount = index.sections.length;
  let scores = null;
  queryWords.forEach((word, position) => {
    const isLast = position === queryWords.length - 1;
    const matching = isLast ? termList.filter((t) => t.startsWith(word)) : (index.terms[word] ? [word] : []);
    const wordScores = new Map();
    for (const term of matching) {
      const postings = index.terms[term];
      const rarity = Math.log(1 + sectionCount / (postings.length / 2));
      for (let i = 0; i < postings.length; i += 2) {
        wordScores.set(postings[i], (wordScores.get(postings[i]) ?? 0) + postings[i + 1] * rarity);
      }
    }
    if (scores === null) { scores = wordScores; return; }
    const both = new Map();
    for (const [section, score] of scores) {
      if (wordScores.has(section)) both.set(section, score + wordScores.get(section));
    }
    scores = both;
  });
  return [...scores].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([section]) => section);
}

// A piece of the section's text around the first query word, with the words marked.
function snippet(text, queryWords) {
  const lower = text.toLowerCase();
  const at = Math.max(0, Math.min(...queryWords.map((w) => {
    const i = lower.indexOf(w);
    return i < 0 ? Infinity : i;
  }).concat([text.length])) - 60);
  const piece = (at > 0 ? '…' : '') + text.slice(at, at + 180) + (at + 180 < text.length ? '…' : '');
  const fragment = document.createDocumentFragment();
  const pattern = new RegExp(`(${queryWords.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  piece.split(pattern).forEach((part, i) => {
    if (i % 2 === 1) {
      const mark = document.createElement('mark');
      mark.textContent = part;
      fragment.append(mark);
    } else {
      fragment.append(part);
    }
  });
  return fragment;
}

export function attachSearch(input, list, siteRoot) {
  if (!input || !list) return;
  let index = null;
  const loadIndex = async () => {
    index ??= fetch(new URL('search-index.json', siteRoot)).then((r) => r.json());
    return index;
  };
  const show = async () => {
    const query = input.value.trim();
    list.replaceChildren();
    if (!query) { list.hidden = true; return; }
    const loaded = await loadIndex();
    if (input.value.trim() !== query) return;
    const found = rankSections(loaded, query);
    const queryWords = words(query);
    for (const sectionIndex of found) {
      const section = loaded.sections[sectionIndex];
      const page = loaded.pages[section.page];
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = new URL(page.url + (section.id ? `#${section.id}` : ''), siteRoot).href;
      const title = document.createElement('strong');
      title.textContent = section.heading === page.title ? page.title : `${page.title} › ${section.heading}`;
      const text = document.createElement('span');
      text.append(snippet(section.text, queryWords));
      link.append(title, text);
      item.append(link);
      list.append(item);
    }
    if (found.length === 0) {
      const item = document.createElement('li');
      item.className = 'search-empty';
      item.textContent = `Nothing in the book matches “${query}”.`;
      list.append(item);
    }
    list.hidden = false;
  };
  input.addEventListener('focus', loadIndex, { once: true });
  input.addEventListener('input', show);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { input.value = ''; list.hidden = true; }
    if (event.key === 'Enter') list.querySelector('a')?.click();
  });
  document.addEventListener('click', (event) => {
    if (!event.target.closest('.search')) list.hidden = true;
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === '/' && document.activeElement !== input && !event.target.closest('input, textarea, canvas')) {
      event.preventDefault();
      input.focus();
    }
  });
}
