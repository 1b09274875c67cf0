// Training runs for figures, from a chapter page's own config blocks: the ```toml block
// that names a file ("# seeds-a.toml: ...") is read from the page's Markdown, so a figure
// and the page cannot drift apart, and trained natively by `epibook train` with extra
// flags (a seed, a learning rate, ...). Each run's metrics.jsonl comes back as one object
// per epoch, trained once per build. Chapters 7 and 11 draw their figures from these.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The config block named `file` of `page` in `chapterDir`, its data paths made relative
// to the assets folder (the page's are relative to the book's folder).
export function pageConfig(chapterDir, page, file) {
  const text = fs.readFileSync(path.join(chapterDir, page), 'utf8');
  const match = new RegExp(`^\`\`\`toml\\n#\\s*${file.replace('.', '\\.')}\\b.*\\n([\\s\\S]*?)^\`\`\``, 'm').exec(text);
  if (!match) throw new Error(`${page} has no toml block for ${file}`);
  return match[1].replace(/"assets\//g, '"');
}

const runCache = new Map();
// One run of a page's config with `flags` (e.g. ['--seed', '2']): metrics.jsonl's lines,
// and manifest.json when `withManifest`.
export function trainPageRun(data, chapterDir, page, file, flags = []) {
  const key = [data.assets, chapterDir, page, file, ...flags].join('\0');
  if (!runCache.has(key)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epibook-figure-run-'));
    try {
      fs.writeFileSync(path.join(dir, file), pageConfig(chapterDir, page, file));
      data.cli(['train', '--config', path.join(dir, file), '--data-root', data.assets, ...flags, '-o', path.join(dir, 'run'), '--quiet']);
      runCache.set(key, {
        metrics: fs.readFileSync(path.join(dir, 'run/metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)),
        manifest: JSON.parse(fs.readFileSync(path.join(dir, 'run/manifest.json'), 'utf8')),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return runCache.get(key);
}
