// What a chapter's e2e file reads from its built figures and pages: a figure's
// data-numbers, the check that a page's text quotes every number its figures computed,
// and a page's TOML config (labs.mjs has the Expect line and opening a chapter's lab).
import fs from 'node:fs';
import path from 'node:path';

import { expect, repo } from './harness.mjs';

export function figureNumbers(siteDir, url, name) {
  const html = fs.readFileSync(path.join(siteDir, url), 'utf8');
  const match = new RegExp(`data-figure="${name}" data-numbers='([^']*)'`).exec(html);
  expect(match, `${url} has no ${name} figure`);
  return JSON.parse(match[1].replace(/&quot;/g, '"'));
}

// Problems, one per figure number (other than the keys in `skip`) that the page's text,
// figures left out, does not quote as printed, to three decimals or with thousands
// separators (1,266).
export function unquotedFigureNumbers(siteDir, urls, skip = []) {
  const problems = [];
  for (const url of urls) {
    const html = fs.readFileSync(path.join(siteDir, url), 'utf8');
    const text = html.replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ');
    for (const match of html.matchAll(/data-figure="([^"]+)" data-numbers='([^']*)'/g)) {
      const numbers = JSON.parse(match[2].replace(/&quot;/g, '"'));
      for (const [key, value] of Object.entries(numbers)) {
        if (skip.includes(key)) continue;
        const forms = typeof value === 'number' ? [String(value), value.toFixed(3), value.toLocaleString('en-US')] : [String(value)];
        const quoted = forms.some((form) => text.includes(form));
        if (!quoted) problems.push(`${url}: figure ${match[1]} computed ${key} = ${value}, which the text does not quote`);
      }
    }
  }
  return problems;
}


// A page's ```toml block for `file` (its first line names it, as commands.test.mjs writes
// it into the page's folder), without that naming line.
export function pageToml(chapter, page, file) {
  const text = fs.readFileSync(path.join(repo, 'tutorials', chapter, page), 'utf8');
  const match = new RegExp(`^\`\`\`toml\\n#\\s*${file.replace(/\./g, '\\.')}\\b.*\\n([\\s\\S]*?)^\`\`\``, 'm').exec(text);
  expect(match, `${chapter}${page} has no toml block for ${file}`);
  return match[1];
}
