// The book's service worker: on first visit it stores every file of the site (pages,
// labs, wasm, data), so the book and its labs work with no network afterwards. Every
// response it gives carries COOP/COEP, so a page it controls is cross-origin isolated
// and its labs may train on several threads (web/labs/README.md, "Threads in the page").
// scripts/build-site fills in the version (a hash of the site's bytes) and the file list.
const VERSION = '__EPIBOOK_VERSION__';
const PRECACHE = ['__EPIBOOK_PRECACHE__'];
const CACHE = `epibook-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Revalidate past the HTTP cache, so a new version never stores an old file.
    await cache.addAll(PRECACHE.map((file) => new Request(file, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('epibook-') && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

// A lab reading a large bigWig asks for byte ranges; the cache holds whole files,
// so the range is cut from the stored copy as the server would have cut it.
async function rangeResponse(cached, rangeHeader) {
  const match = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
  const body = await cached.arrayBuffer();
  const size = body.byteLength;
  let start;
  let end;
  if (match && match[1] !== '') {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  } else if (match && match[2] !== '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  }
  if (start === undefined || start > end || start >= size) {
    return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  }
  const headers = new Headers(cached.headers);
  headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  headers.set('Content-Length', String(end - start + 1));
  return new Response(body.slice(start, end + 1), { status: 206, statusText: 'Partial Content', headers });
}

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  if (url.pathname.endsWith('/')) url.pathname += 'index.html';
  const cached = await cache.match(url.href, { ignoreSearch: true });
  if (!cached) return null;
  const range = request.headers.get('Range');
  return range ? rangeResponse(cached, range) : cached;
}

// The two headers that make a document cross-origin isolated (crossOriginIsolated,
// SharedArrayBuffer, wasm threads). Everything the book loads is same-origin, so
// require-corp blocks nothing of its own.
function isolated(response) {
  if (response.status === 0) return response;  // opaque: nothing to add headers to
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cached = await fromCache(request);
    if (cached) return isolated(cached);
    try {
      return isolated(await fetch(request));
    } catch (error) {
      return new Response(`epibook is offline and ${new URL(request.url).pathname} was not stored`, {
        status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      });
    }
  })());
});
