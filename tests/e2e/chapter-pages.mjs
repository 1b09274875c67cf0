// What a chapter's e2e file reads from its built figures: a figure's data-numbers, and the
// check that a page's text quotes every number its figures computed (labs.mjs has the
// Expect line and opening a chapter's lab).
import fs from 'node:fs';
import path from 'node:path';

import { expect } from './harness.mjs';

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

