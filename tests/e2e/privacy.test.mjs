// The page keeps the reader's files: every page carries a Content-Security-Policy that
// lets scripts and connections reach only the site's own origin (no inline script, no
// eval: the labs' embind is built without it), and while a reader's own files are opened in the labs that read them, no
// request of the page or its service worker carries their bytes anywhere. The labs read
// no file from another site (web/labs/README.md, "Remote files"): one named by such an
// address is refused with a message, and nothing is fetched from there.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { expect, expectNoProblems, newContext, repo, sitePages, siteLabs, watchedPage } from './harness.mjs';
import { callLab, labState, openBytes, openLab } from './labs.mjs';

// The labs that open a reader's file, and a file of each kind with a marker no shipped
// file has: a FASTQ whose read names carry it, and the committed test bigWig.
const MARKER = `EPIBOOKPRIVATE${Date.now().toString(36)}`;
function readerFiles() {
  const reads = Array.from({ length: 40 }, (_, i) => `@${MARKER}_read${i}\nACGTTGCAAC\n+\nIIIIIHHHGG\n`).join('');
  return {
    'fastq-quality': { name: 'my-reads.fastq', bytes: Buffer.from(reads) },
    'track-explorer': { name: 'my-track.bw', bytes: fs.readFileSync(path.join(repo, 'tests/data/bigwig/small.bw')) },
  };
}

// Windows of the file's bytes (32 bytes every 16): a request body holding any part of
// the file, however it was cut or offset, holds one of them.
function fileWindows(bytes) {
  const windows = [];
  for (let at = 0; at + 32 <= bytes.length; at += 16) windows.push(bytes.subarray(at, at + 32));
  return windows;
}

function carriesFile(buffer, windows) {
  return windows.some((w) => buffer.includes(w));
}

async function recordRequests(context) {
  const requests = [];
  context.on('request', (request) => {
    requests.push({
      url: request.url(), method: request.method(), headers: request.headers(),
      body: request.postDataBuffer() ?? Buffer.alloc(0),
    });
  });
  return requests;
}

function checkRequests(requests, origin, file, where) {
  const windows = fileWindows(file.bytes);
  for (const r of requests) {
    const url = new URL(r.url);
    expect(url.origin === origin || url.protocol === 'blob:' || url.protocol === 'data:',
      `${where}: a request left the site's origin: ${r.method} ${r.url}`);
    expect(!r.url.includes(MARKER) && !r.url.includes(file.name),
      `${where}: a request's address names the reader's file: ${r.method} ${r.url}`);
    expect(!carriesFile(r.body, windows) && !r.body.includes(MARKER),
      `${where}: ${r.method} ${r.url} carries bytes of the reader's ${file.name} (${r.body.length}-byte body)`);
    const headerText = Object.values(r.headers).join('\n');
    expect(!headerText.includes(MARKER), `${where}: a request header carries the reader's data: ${r.url}`);
  }
}

export const tests = [
  {
    name: 'every page has a Content-Security-Policy: own origin only, no inline script',
    async run(harness) {
      const pages = sitePages(harness.siteDir);
      expect(pages.length > 0, 'the site lists no pages');
      for (const url of pages) {
        const html = fs.readFileSync(path.join(harness.siteDir, url), 'utf8');
        const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
        expect(policy, `${url}: no Content-Security-Policy meta tag`);
        const directives = Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
        expect(JSON.stringify(directives['script-src']) === JSON.stringify(["'self'", "'wasm-unsafe-eval'"]),
          `${url}: script-src is ${directives['script-src']}`);
        expect(JSON.stringify(directives['connect-src']) === JSON.stringify(["'self'"]), `${url}: connect-src is ${directives['connect-src']}`);
        const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !/\bsrc=/.test(m[1]) || m[2].trim());
        expect(inline.length === 0, `${url}: ${inline.length} inline script(s)`);
        expect(!/\son[a-z]+="/i.test(html), `${url}: an inline event handler attribute`);
      }
    },
  },
  {
    name: 'the policy is enforced: no sending to another origin, no inline or data: script',
    async run(harness) {
      // A second server on another port: anything it receives came past the policy.
      let received = 0;
      const other = http.createServer((request, response) => { received += 1; response.end('x'); });
      await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
      const otherUrl = `http://127.0.0.1:${other.address().port}/upload`;
      const context = await newContext(harness, { serviceWorkers: 'allow' });
      const page = await context.newPage();
      const violations = [];
      page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
      await page.goto(`${harness.baseUrl}index.html`);
      const outcome = await page.evaluate(async (target) => {
        const result = {};
        try { await fetch(target, { method: 'POST', body: 'secret' }); result.fetch = 'sent'; } catch (e) { result.fetch = 'blocked'; }
        // (eval itself cannot be tried from here: DevTools' own evaluation is exempt from
        // the policy; the first test reads script-src, which has no 'unsafe-eval'.)
        const inline = document.createElement('script');
        inline.textContent = 'window.inlineRan = true;';
        document.body.appendChild(inline);
        const fromData = document.createElement('script');
        fromData.src = 'data:text/javascript,window.dataRan=true;';
        document.body.appendChild(fromData);
        await new Promise((r) => setTimeout(r, 300));
        result.inline = window.inlineRan ? 'ran' : 'blocked';
        result.data = window.dataRan ? 'ran' : 'blocked';
        result.theme = document.documentElement.dataset.theme;
        return result;
      }, otherUrl);
      await context.close();
      await new Promise((resolve) => other.close(resolve));
      expect(outcome.fetch === 'blocked' && received === 0, `a fetch to another origin was ${outcome.fetch} (${received} received)`);
      expect(outcome.inline === 'blocked', `an inline script ${outcome.inline}`);
      expect(outcome.data === 'blocked', `a data: script ${outcome.data}`);
      expect(outcome.theme === 'light' || outcome.theme === 'dark', `the theme script (theme-boot.js) did not run: ${outcome.theme}`);
      expect(violations.length >= 3, `the console reported ${violations.length} policy violations, expected the fetch and both scripts`);
    },
  },
  {
    name: "opening a reader's own file in a lab sends none of its bytes",
    async run(harness) {
      const files = readerFiles();
      const labs = siteLabs(harness.siteDir).filter((lab) => files[lab.name]);
      expect(labs.length === Object.keys(files).length, `found ${labs.length} labs that open the reader's files`);
      const origin = new URL(harness.baseUrl).origin;
      for (const lab of labs) {
        const where = `${lab.page}#lab-${lab.number} (${lab.name})`;
        const file = files[lab.name];
        const context = await newContext(harness, { serviceWorkers: 'allow' });
        const requests = await recordRequests(context);
        const page = await watchedPage(context);
        await openLab(page, harness.baseUrl, lab);
        const before = requests.length;
        await openBytes(page, lab.number, file.name, file.bytes);
        const state = await labState(page, lab.number);
        expect(!state.message, `${where}: opening ${file.name} gave "${state.message}"`);
        expect(JSON.stringify(state).includes(file.name), `${where}: state() does not show ${file.name} opened`);
        // Give the service worker and any late work time to send, then look at everything.
        await page.waitForTimeout(1500);
        checkRequests(requests, origin, file, where);
        expect(requests.length >= before, 'requests went missing');
        expectNoProblems(page, where);
        await context.close();
      }
    },
  },
  {
    name: 'a lab given a file on another site (an ENCODE download link) refuses it and fetches nothing there',
    async run(harness) {
      const lab = siteLabs(harness.siteDir).find((l) => l.name === 'track-explorer');
      expect(lab, 'no page embeds the track-explorer lab');
      const where = `${lab.page}#lab-${lab.number} (${lab.name})`;
      const origin = new URL(harness.baseUrl).origin;
      const remote = 'https://www.encodeproject.org/files/ENCFF000AAA/@@download/ENCFF000AAA.bigWig';
      const context = await newContext(harness, { serviceWorkers: 'allow' });
      const requests = await recordRequests(context);
      const page = await watchedPage(context);
      await openLab(page, harness.baseUrl, lab);
      await callLab(page, lab.number, 'set', 'track', remote);
      const state = await labState(page, lab.number);
      expect(state.message.startsWith(`${remote}: is an address on another site`),
        `${where}: a remote track gave the message "${state.message}"`);
      expect(!state.tracks.some((t) => t.file === remote && t.open), `${where}: the remote track was opened`);
      for (const r of requests) {
        const url = new URL(r.url);
        expect(url.origin === origin || url.protocol === 'blob:' || url.protocol === 'data:',
          `${where}: a request left the site's origin: ${r.method} ${r.url}`);
        expect(!r.url.includes('ENCFF000AAA'), `${where}: the remote file was asked for as ${r.url}`);
      }
      expectNoProblems(page, where);
      await context.close();
    },
  },
];
