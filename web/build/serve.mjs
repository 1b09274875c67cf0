// A small static file server for the built book: correct MIME types (application/wasm
// for streaming compilation), byte ranges (labs read large bigWigs by slices) and no
// caching surprises. Used by `make serve` and by the end-to-end tests.
// Usage: node web/build/serve.mjs SITE_DIR [--port N] [--host H]   (port 0: any free port)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.woff2': 'font/woff2',
  '.md': 'text/markdown; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
};

export function mimeType(file) {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

// "bytes=a-b", "bytes=a-" or "bytes=-n" against a file of `size` bytes; null if unsatisfiable.
export function parseRange(header, size) {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start;
  let end;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : null;
}

function resolveFile(siteDir, urlPath) {
  let decoded;
  try { decoded = decodeURIComponent(urlPath); } catch { return null; }
  const file = path.resolve(siteDir, '.' + path.posix.normalize(decoded));
  if (file !== siteDir && !file.startsWith(siteDir + path.sep)) return null;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) return path.join(file, 'index.html');
  return file;
}

export function createSiteServer(siteDir) {
  const root = path.resolve(siteDir);
  return http.createServer((request, response) => {
    const url = new URL(request.url, 'http://localhost');
    const file = resolveFile(root, url.pathname);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`not found: ${url.pathname}\n`);
      return;
    }
    const size = fs.statSync(file).size;
    const headers = { 'Content-Type': mimeType(file), 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-cache' };
    const rangeHeader = request.headers.range;
    if (rangeHeader) {
      const range = parseRange(rangeHeader, size);
      if (!range) {
        response.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` });
        response.end();
        return;
      }
      response.writeHead(206, { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': range.end - range.start + 1 });
      if (request.method === 'HEAD') { response.end(); return; }
      fs.createReadStream(file, range).pipe(response);
      return;
    }
    response.writeHead(200, { ...headers, 'Content-Length': size });
    if (request.method === 'HEAD') { response.end(); return; }
    fs.createReadStream(file).pipe(response);
  });
}

// Resolves with the server and the port it listens on once it accepts connections.
export function startSiteServer(siteDir, port = 0, host = '127.0.0.1') {
  const server = createSiteServer(siteDir);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, port: server.address().port }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const siteDir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!siteDir || !fs.existsSync(siteDir)) {
    console.error('serve: usage: serve.mjs SITE_DIR [--port N] [--host H] (build the site first: make site)');
    process.exit(1);
  }
  const host = option('--host', '127.0.0.1');
  // In a container node is process 1, which the kernel spares every signal it has no
  // handler for: without these, `docker stop` waits its 10 s and then kills it.
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
  startSiteServer(siteDir, Number(option('--port', '8000')), host).then(({ port }) => {
    console.error(`epibook: serving ${siteDir} on http://${host === '0.0.0.0' ? 'localhost' : host}:${port} (Ctrl-C to stop)`);
  }, (error) => {
    console.error(`serve: ${error.message}`);
    process.exit(1);
  });
}
