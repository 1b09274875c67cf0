// The script every page of the book runs: theme and menu buttons, the search box,
// the service worker that keeps the book offline, the labs, each mounted from
// labs/lab-host.js when its canvas scrolls into view, and the run dashboard (runs.js).
import { attachSearch } from './search.js';

const siteRoot = new URL('./', import.meta.url);

function attachThemeButton() {
  const button = document.querySelector('.theme-button');
  button?.addEventListener('click', () => {
    const theme = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = theme;
    try { localStorage.setItem('epibook-theme', theme); } catch { /* private mode: theme lasts for this page */ }
  });
}

function attachMenuButton() {
  const button = document.querySelector('.menu-button');
  const sidebar = document.getElementById('sidebar');
  if (!button || !sidebar) return;
  const setOpen = (open) => {
    sidebar.classList.toggle('open', open);
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', () => setOpen(!sidebar.classList.contains('open')));
  sidebar.addEventListener('click', (event) => { if (event.target.closest('a')) setOpen(false); });
}

// Storing the whole book takes bandwidth the first lab needs, so the worker is
// registered once the labs in view have mounted (or after a few seconds).
let firstLabsSettled;
const labsSettled = new Promise((resolve) => { firstLabsSettled = resolve; });

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const register = () => navigator.serviceWorker.register(new URL('sw.js', siteRoot), { scope: siteRoot.pathname })
    .catch((error) => console.warn(`epibook: offline copy unavailable: ${error.message}`));
  Promise.race([labsSettled, new Promise((resolve) => setTimeout(resolve, 4000))]).then(register);
}

// Timings the end-to-end tests read: navigation start to each lab being interactive.
window.epibookTiming = { labsInteractive: [] };

let labHost = null;
function loadLabHost() {
  labHost ??= import(new URL('labs/lab-host.js', siteRoot).href);
  return labHost;
}

async function mountLabCanvas(canvas) {
  const figure = canvas.closest('figure');
  const status = figure?.querySelector('.lab-status');
  const show = (text, isError = false) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle('error', isError);
  };
  show('Loading the lab…');
  try {
    const startMs = performance.now();
    const { mountLab } = await loadLabHost();
    const hostMs = performance.now();
    const params = JSON.parse(canvas.dataset.params || '{}');
    const handle = await mountLab(canvas, canvas.dataset.lab, params);
    const mountedMs = performance.now();
    window.epibookLabs ??= [];
    if (!window.epibookLabs.includes(handle)) window.epibookLabs.push(handle);
    // The end-to-end tests find a figure's lab from its canvas.
    canvas.epibookLab = handle;
    await handle.whenIdle();
    window.epibookTiming.labsInteractive.push({
      lab: canvas.dataset.lab, startMs, hostMs, mountedMs, ms: performance.now(), phases: handle.timing ?? null,
    });
    figure?.classList.add('mounted');
    show('');
  } catch (error) {
    figure?.classList.add('failed');
    show(`The lab could not start: ${error.message}`, true);
    console.error(`epibook: lab ${canvas.dataset.lab}: ${error.message}`);
  }
  firstLabsSettled();
}

function mountLabsWhenVisible() {
  const canvases = [...document.querySelectorAll('canvas.lab-canvas')];
  if (canvases.length === 0) { firstLabsSettled(); return; }
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      mountLabCanvas(entry.target);
    }
  }, { rootMargin: '200px 0px' });
  canvases.forEach((canvas) => observer.observe(canvas));
}

attachThemeButton();
attachMenuButton();
attachSearch(document.getElementById('search'), document.getElementById('search-results'), siteRoot);
// A run link ("page.html#first-model=...") brings its lab into view, which mounts it;
// the lab replays the run (web/labs/README.md, "Training labs").
function showLabOfRunLink() {
  const match = /^#([a-z0-9-]+)=/.exec(location.hash);
  if (!match) return;
  const canvas = document.querySelector(`canvas.lab-canvas[data-lab="${match[1]}"]`);
  canvas?.closest('figure')?.scrollIntoView({ block: 'center' });
}

// The run dashboard page (runs.html) holds [data-run-dashboard]; its script loads only there.
function mountRunDashboardIfAny() {
  const root = document.querySelector('[data-run-dashboard]');
  if (!root) return;
  import('./runs.js').then(({ mountRunDashboard }) => mountRunDashboard(root)).catch((error) => {
    root.textContent = `The run dashboard could not start: ${error.message}`;
    console.error(`epibook: run dashboard: ${error.message}`);
  });
}

showLabOfRunLink();
mountLabsWhenVisible();
mountRunDashboardIfAny();
registerServiceWorker();
