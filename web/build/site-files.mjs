// Walking and copying the folders a site is assembled from; shared by the builder
// and the end-to-end tests that measure what the site ships.
import fs from 'node:fs';
import path from 'node:path';

// Copies `from` into `to`, skipping what `keep(source, entry)` refuses; false if `from` is absent.
export function copyTree(from, to, keep = () => true) {
  if (!fs.existsSync(from)) return false;
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (!keep(source, entry)) continue;
    if (entry.isDirectory()) copyTree(source, target, keep);
    else { fs.mkdirSync(to, { recursive: true }); fs.copyFileSync(source, target); }
  }
  return true;
}

// Every file under `dir`, as sorted paths relative to it with / separators.
export function listFiles(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix + entry.name;
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), rel + '/') : [rel];
  }).sort();
}
