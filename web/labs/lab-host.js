// Mounts an epibook lab (Dear ImGui in WebAssembly, wasm/) in a canvas of a book page
// and gives the page and the tests a handle on it (web/labs/README.md). Each canvas gets its
// own instance of the labs module; files the lab asks for are fetched here, shipped
// assets by HTTP range, the reader's own files by Blob.slice, and never leave the page.
//
// Sections: module loading | files and byte ranges | canvas size, input and theme | mountLab

import { storeRun } from '../run-store.js';

// A cross-origin isolated page (the book's service worker adds COOP/COEP to what it
// serves) may use wasm threads: it loads the labs built with -pthread, whose training
// runs on 2 threads with the same bits as on one. Any other page, or a site built
// without that module (its pages then lack <meta name="epibook-labs-threads">), loads
// the single-thread module.
const THREADED = self.crossOriginIsolated === true && document.querySelector('meta[name="epibook-labs-threads"]') !== null;
const MODULE_URLS = {
  single: { js: new URL('../wasm/epibook-labs.js', import.meta.url), wasm: new URL('../wasm/epibook-labs.wasm', import.meta.url), threaded: false },
  threaded: { js: new URL('../wasm/epibook-labs-mt.js', import.meta.url), wasm: new URL('../wasm/epibook-labs-mt.wasm', import.meta.url), threaded: true },
};
// A reader's non-bigWig file is read whole, up to this many bytes (a FASTQ's first
// records are enough for a quality plot; a larger file's tail is left unread).
const MAX_WHOLE_FILE_BYTES = 64 * 1024 * 1024;
const IDLE_TIMEOUT_MS = 120000;

// When the page's one compile started and ended (performance.now() ms), copied into
// every handle's timing for the measure tests.
const moduleTiming = { compileStartMs: null, compiledMs: null };

// The module's JavaScript and its WebAssembly are fetched in parallel, and the
// WebAssembly is compiled once per page (while it downloads, where the browser can):
// every canvas then only instantiates the compiled module, which takes milliseconds.
async function compileFrom(url) {
  moduleTiming.compileStartMs = performance.now();
  const fetchBytes = async () => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the labs' WebAssembly could not be read (HTTP ${response.status})`);
    return response;
  };
  let compiled;
  try {
    compiled = await WebAssembly.compileStreaming(fetchBytes());
  } catch (error) {
    // A server that sends the wasm with another MIME type defeats streaming: compile the bytes.
    if (!(error instanceof TypeError)) throw error;
    compiled = await WebAssembly.compile(await (await fetchBytes()).arrayBuffer());
  }
  moduleTiming.compiledMs = performance.now();
  return compiled;
}

function loadPair(urls) {
  return Promise.all([import(urls.js.href).then((module) => module.default), compileFrom(urls.wasm), urls.threaded]);
}

// [createModule, compiled WebAssembly.Module] of the module this page runs: the
// threaded one where the page is isolated and the site ships it, else the single-thread one.
let loadedModule = null;
function loadModule() {
  loadedModule ??= (async () => {
    if (!THREADED) return loadPair(MODULE_URLS.single);
    try {
      return await loadPair(MODULE_URLS.threaded);
    } catch (error) {
      console.warn(`epibook labs: the threaded module could not be loaded (${error.message}); using one thread`);
      return loadPair(MODULE_URLS.single);
    }
  })();
  loadedModule.catch(() => { loadedModule = null; });  // a failed download may be retried by the next mount
  return loadedModule;
}

// Starts fetching and compiling the module before any lab mounts (the page's head
// calls this while the page still parses); mountLab then finds it compiled or compiling.
export function prepareLabs() {
  loadModule().catch(() => {});  // a failure is reported by the mount that needs the module
}

// The page's WebGPU device for the training labs' WebGPU backend (wasm/gpu/), opened once
// when the browser offers an adapter. Each module instance gets its own object (the
// backend keeps its buffers on it); the device fills in when ready, so a lab never
// waits for it, and until then the labs train on the CPU.
let gpuDevice = null;
function openGpuDevice() {
  gpuDevice ??= (async () => {
    if (!navigator.gpu) return null;
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return null;
    const device = await adapter.requestDevice();
    const info = adapter.info || {};
    return { device, adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU' };
  })().catch(() => null);
  return gpuDevice;
}
function gpuFor() {
  const gpu = {};
  openGpuDevice().then((opened) => { if (opened) Object.assign(gpu, opened); });
  return gpu;
}

// An asset path of a lab block ("assets/x.bw") as a URL of the site.
function assetUrl(path) {
  return new URL('../' + path.replace(/^\/+/, ''), import.meta.url);
}

// The labs read the site's files and the reader's own, nothing from another site: the
// pages' Content-Security-Policy (connect-src 'self', web/build/layout.mjs) would block
// it, and a reader's data must have nowhere to go. A file named by an address of
// another site (an ENCODE or UCSC download link) is refused with a message that says
// what to do instead, not fetched as a path of this site.
const REMOTE_ADDRESS = /^([a-z][a-z0-9+.-]*:)?\/\//i;
const REMOTE_REFUSAL = 'is an address on another site: the labs read only the book\'s files and files you open '
  + '(the page may connect to no other site); download it, then open it with the lab\'s Open button';

function nextFrame() {
  return new Promise((resolve) => {
    // requestAnimationFrame pauses in hidden tabs; the timeout keeps whenIdle moving.
    let done = false;
    const finish = () => { if (!done) { done = true; resolve(); } };
    requestAnimationFrame(finish);
    setTimeout(finish, 50);
  });
}

// ---------------------------------------------------------------------------------
// Files and byte ranges: the lab queues what it needs (lab_take_requests), this
// answers each request once.
class FileFetcher {
  constructor(module) {
    this.module = module;
    this.userFiles = new Map();  // name -> Blob the reader opened
    this.inFlight = 0;
  }

  addUserFile(name, blob) {
    this.userFiles.set(name, blob);
  }

  pump() {
    const requests = JSON.parse(this.module.lab_take_requests());
    for (const request of requests) {
      this.inFlight += 1;
      this.answer(request)
        .catch((error) => this.module.lab_fail_file(request.file, String(error.message || error)))
        .finally(() => { this.inFlight -= 1; });
    }
    return requests.length;
  }

  async answer({ file, start, end }) {
    const blob = this.userFiles.get(file);
    if (blob) {
      if (end < 0) {
        const bytes = new Uint8Array(await blob.slice(0, MAX_WHOLE_FILE_BYTES).arrayBuffer());
        this.module.lab_provide_whole(file, bytes);
      } else {
        const bytes = new Uint8Array(await blob.slice(start, Math.min(end, blob.size)).arrayBuffer());
        this.module.lab_provide_range(file, start, bytes, blob.size);
      }
      return;
    }
    if (REMOTE_ADDRESS.test(file)) throw new Error(REMOTE_REFUSAL);
    const url = assetUrl(file);
    if (end < 0) {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`could not be read (HTTP ${response.status})`);
      this.module.lab_provide_whole(file, new Uint8Array(await response.arrayBuffer()));
      return;
    }
    const response = await fetch(url, { headers: { Range: `bytes=${start}-${end - 1}` } });
    if (response.status === 206) {
      const total = Number((response.headers.get('Content-Range') || '').split('/')[1]);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (!Number.isFinite(total)) throw new Error('the server sent a byte range without the file size');
      this.module.lab_provide_range(file, start, bytes, total);
    } else if (response.ok) {
      // A server (or cache) that ignores ranges sends the whole file: keep all of it.
      const bytes = new Uint8Array(await response.arrayBuffer());
      this.module.lab_provide_range(file, 0, bytes, bytes.length);
    } else if (response.status === 416) {
      this.module.lab_provide_range(file, start, new Uint8Array(0), start);
    } else {
      throw new Error(`could not be read (HTTP ${response.status})`);
    }
  }
}

// ---------------------------------------------------------------------------------
// Canvas size, input and theme. The module draws in device pixels; CSS decides the size.
function canvasPixels(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 800;
  const height = canvas.clientHeight || 500;
  return { width: Math.round(width * ratio), height: Math.round(height * ratio), ratio };
}

// The page's theme as book.js sets it (<html data-theme="dark">); a lab follows it live.
function pageTheme() {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

function openFilePicker(accept, onFile) {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = accept;
  input.style.display = 'none';
  input.addEventListener('change', () => {
    if (input.files && input.files[0]) onFile(input.files[0]);
    input.remove();
  });
  document.body.appendChild(input);
  input.click();
}

// A download of bytes the lab made (a run directory as .tar): nothing leaves the page.
function saveFile(fileName, bytes) {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// A run link ("#first-model=...") in the address bar replays that run in the lab of
// that name: the part after "=" becomes the lab's `run` parameter.
function runFromLocation(name) {
  const prefix = `#${name}=`;
  return location.hash.startsWith(prefix) ? location.hash.slice(prefix.length) : null;
}

// A training lab's run, after each epoch, kept in this browser for the run dashboard
// (run-store.js): one record per run, named by the lab, the mount and the run's serial.
let mountCount = 0;
function runRecorder(name) {
  const mount = `${Date.now().toString(36)}-${mountCount += 1}`;
  return (run, serial, manifest, metrics) => storeRun({
    id: `${name}-${mount}-${run ? 'B' : 'A'}-${serial}`, lab: name, run: run ? 'B' : 'A',
    page: location.pathname, saved: new Date().toISOString(), manifest, metrics,
  });
}

// ---------------------------------------------------------------------------------
export async function mountLab(canvas, name, params = {}) {
  const timing = { startMs: performance.now() };
  // The WebGL context is most of a lab's mount (a software GL takes hundreds of ms to
  // start one): create it now, while the wasm may still compile, with the attributes
  // emscripten's GLFW asks for (lab_app.cpp), so glfwCreateWindow gets this one back.
  canvas.getContext('webgl2', { alpha: true, antialias: false, depth: false, stencil: false });
  timing.contextMs = performance.now();
  const [createModule, compiled, threaded] = await loadModule();
  Object.assign(timing, moduleTiming, { readyMs: performance.now() });
  const inlineStyle = canvas.getAttribute('style');
  let focused = false;
  let fetcher = null;
  let instantiateFailed;
  const instantiateFailure = new Promise((resolve, reject) => { instantiateFailed = reject; });
  const module = await Promise.race([instantiateFailure, createModule({
    canvas,
    instantiateWasm(imports, receiveInstance) {
      WebAssembly.instantiate(compiled, imports)
        .then((instance) => receiveInstance(instance, compiled), instantiateFailed);
      return {};  // the exports arrive through receiveInstance
    },
    print: (text) => console.log(`epibook lab ${name}: ${text}`),
    printErr: (text) => console.warn(`epibook lab ${name}: ${text}`),
    epibookHasFocus: () => focused,
    epibookPickFile: (accept) => openFilePicker(accept, (file) => {
      fetcher.addUserFile(file.name, file);
      module.lab_open_file(file.name);
    }),
    epibookSaveFile: (fileName, bytes) => saveFile(fileName, bytes),
    epibookSetLink: (fragment) => history.replaceState(null, '', fragment),
    epibookRecordRun: runRecorder(name),
    epibookGpu: gpuFor(),
  })]);
  fetcher = new FileFetcher(module);

  // Emscripten's GLFW resizes the canvas and clears its inline size; the page's CSS
  // (or the inline style it had) keeps deciding how big it looks.
  const restoreStyle = () => {
    if (inlineStyle === null) canvas.removeAttribute('style');
    else canvas.setAttribute('style', inlineStyle);
  };
  const size = canvasPixels(canvas);
  const labParams = {};
  for (const [key, value] of Object.entries(params)) {
    if (key !== 'caption') labParams[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  timing.instantiatedMs = performance.now();
  const run = runFromLocation(name);
  if (run && !('run' in labParams)) labParams.run = run;
  const error = module.lab_mount(name, JSON.stringify(labParams), size.width, size.height, size.ratio);
  restoreStyle();
  if (error) throw new Error(error);
  module.lab_set_theme(pageTheme());
  timing.mountedMs = performance.now();
  // The module's main loop draws in the next animation frame, before this callback.
  requestAnimationFrame(() => { timing.firstFrameMs = performance.now(); });

  const onPointerDown = (event) => { focused = event.target === canvas; };
  document.addEventListener('pointerdown', onPointerDown, true);
  const resizeObserver = new ResizeObserver(() => {
    const next = canvasPixels(canvas);
    if (next.width === canvas.width && next.height === canvas.height) return;
    module.lab_resize(next.width, next.height, next.ratio);
    restoreStyle();
  });
  resizeObserver.observe(canvas);
  const visibility = new IntersectionObserver((entries) => {
    for (const entry of entries) module.lab_set_visible(entry.isIntersecting);
  });
  visibility.observe(canvas);
  const themeObserver = new MutationObserver(() => module.lab_set_theme(pageTheme()));
  themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });

  let mounted = true;
  const pumpLoop = () => {
    if (!mounted) return;
    fetcher.pump();
    setTimeout(pumpLoop, 16);
  };
  pumpLoop();

  const handle = {
    name,
    threaded,  // true: the -pthread module (epibook-labs-mt) in a cross-origin isolated page
    timing,
    state: () => JSON.parse(module.lab_state_json()),
    appearance: () => JSON.parse(module.lab_appearance_json()),
    frameTiming: (clear = false) => JSON.parse(module.lab_timing_json(clear)),
    async set(key, value) {
      const message = module.lab_set(key, JSON.stringify(value));
      if (message) throw new Error(message);
    },
    async whenIdle() {
      const deadline = performance.now() + IDLE_TIMEOUT_MS;
      let quietChecks = 0;
      while (mounted && performance.now() < deadline) {
        const queued = fetcher.pump();
        const quiet = queued === 0 && fetcher.inFlight === 0 && !module.lab_busy();
        quietChecks = quiet ? quietChecks + 1 : 0;
        if (quietChecks >= 2) return;
        await nextFrame();
      }
    },
    // Test hook: destroys the lab's WebGPU device, as a lost GPU would.
    loseGpuDevice() {
      module.epibookGpu?.device?.destroy();
    },
    async openBytes(fileName, bytes) {
      fetcher.addUserFile(fileName, new Blob([bytes]));
      module.lab_open_file(fileName);
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      resizeObserver.disconnect();
      visibility.disconnect();
      themeObserver.disconnect();
      document.removeEventListener('pointerdown', onPointerDown, true);
      module.lab_unmount();
      restoreStyle();
      const labs = window.epibookLabs || [];
      const at = labs.indexOf(handle);
      if (at >= 0) labs.splice(at, 1);
    },
  };
  window.epibookLabs ??= [];
  window.epibookLabs.push(handle);
  return handle;
}
