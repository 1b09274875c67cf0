// The run dashboard (runs.html): the runs the labs trained in this browser
// (run-store.js) and run directories of `epibook train` the reader opens, as one table
// (the settings that differ, each metric's last value, the best of the monitored one),
// sortable by any column and saved as CSV; their curves overlaid in one plot; and the
// differing settings side by side. Everything is read and drawn in the page: opened
// files are never sent anywhere. book.js mounts it where the page has [data-run-dashboard];
// a chapter page embeds one with data-runs-page="this" under its labs: it lists the lab
// runs trained on that page only, follows them epoch by epoch and has smaller headings.
import { differingSettings, lowerIsBetter, metricNames, metricOf, parseRun, settingText, toCsv } from './run-format.js';
import { STORED_EVENT, forgetStoredRuns, storedRuns } from './run-store.js';
import { colours, niceTicks, plotSvg, svgDocument } from './plot/svg-plot.mjs';

// Colours of the runs in the plot, in order (then again from the start).
const RUN_COLOURS = [colours.train, colours.validation, colours.test, colours.local, colours.peak, colours.other,
  '#0e7490', '#a16207'];

function element(tag, attributes = {}, text = '') {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

// Six significant digits, as `epibook runs` prints (%.6g).
export function formatValue(value) {
  if (value === null || value === undefined) return '-';
  if (typeof value !== 'number') return String(value);
  return String(Number(value.toPrecision(6)));
}

function shortKey(key, keys) {
  const tail = (k) => k.slice(k.lastIndexOf('.') + 1);
  return keys.filter((k) => tail(k) === tail(key)).length > 1 ? key : tail(key);
}

// The table's columns for these runs: each has an id (what sorting and the CSV call
// it), a label, whether it is a metric (sorted best first) and a value per run.
function tableColumns(runs) {
  const settings = differingSettings(runs).filter((k) => k !== 'train.seed');
  const metrics = metricNames(runs);
  const oneMonitored = runs.every((r) => r.monitored === runs[0].monitored);
  const columns = [
    { id: 'name', label: 'run', text: true, value: (r) => r.name },
    { id: 'source', label: 'source', text: true, value: (r) => r.source },
    ...settings.map((key) => ({ id: key, label: shortKey(key, settings), title: key, text: true, setting: true, value: (r) => settingText(r, key) })),
    ...metrics.map((m) => ({ id: m, label: m, metric: m, value: (r) => metricOf(r, m)?.final ?? null })),
    {
      id: 'best_monitored', label: oneMonitored ? `best ${runs[0].monitored}` : 'best monitored',
      metric: oneMonitored ? runs[0].monitored : null, value: (r) => metricOf(r, r.monitored)?.best ?? null,
    },
    { id: 'best_epoch', label: 'at epoch', value: (r) => metricOf(r, r.monitored)?.bestEpoch ?? null },
    { id: 'epochs', label: 'epochs', value: (r) => r.epochs },
    { id: 'stopped', label: 'stopped', text: true, value: (r) => (r.stoppedEarly ? 'early' : 'no') },
    { id: 'seed', label: 'seed', value: (r) => r.seed },
  ];
  return columns;
}

// Sorted copy: metrics best first (lower for losses), other numbers and text ascending;
// `reverse` flips it; runs without a value stay last.
function sortedRuns(runs, column, reverse) {
  if (!column) return runs;
  const ascending = column.metric ? lowerIsBetter(column.metric) : true;
  const sign = (ascending ? 1 : -1) * (reverse ? -1 : 1);
  return runs.map((run, index) => ({ run, index, value: column.value(run) })).sort((a, b) => {
    const missingA = a.value === null || a.value === undefined;
    const missingB = b.value === null || b.value === undefined;
    if (missingA || missingB) return missingA === missingB ? a.index - b.index : missingA ? 1 : -1;
    const order = column.text ? String(a.value).localeCompare(String(b.value)) : a.value - b.value;
    return order !== 0 ? sign * order : a.index - b.index;
  }).map((entry) => entry.run);
}

// Files the reader opened, grouped by folder: every folder holding metrics.jsonl is a
// run (its manifest.json must be beside it); a folder with only manifest.json (a
// dataset of `epibook prep`) is not one.
async function runsFromFiles(files) {
  const folders = new Map();
  for (const file of files) {
    const path = file.webkitRelativePath || file.name;
    const slash = path.lastIndexOf('/');
    const folder = slash >= 0 ? path.slice(0, slash) : '';
    const base = path.slice(slash + 1);
    if (base !== 'manifest.json' && base !== 'metrics.jsonl') continue;
    if (!folders.has(folder)) folders.set(folder, {});
    folders.get(folder)[base === 'manifest.json' ? 'manifest' : 'metrics'] = file;
  }
  const runs = [];
  const problems = [];
  for (const [folder, found] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    if (!found.metrics) continue;
    const name = folder || 'opened run';
    if (!found.manifest) {
      problems.push(`${name}: has metrics.jsonl but no manifest.json beside it`);
      continue;
    }
    try {
      runs.push(parseRun(name, await found.manifest.text(), await found.metrics.text()));
    } catch (error) {
      problems.push(error.message);
    }
  }
  if (runs.length === 0 && problems.length === 0) {
    problems.push('no run directory (a folder with manifest.json and metrics.jsonl) among the opened files');
  }
  return { runs, problems };
}

// The runs the labs kept in this browser; `page` (a path) keeps those trained there only.
function labRuns(problems, page) {
  const runs = [];
  for (const record of storedRuns()) {
    if (page && record.page !== page) continue;
    const time = new Date(record.saved);
    const name = `${record.lab} ${record.run} ${Number.isNaN(time.getTime()) ? '' : time.toLocaleTimeString('en-GB')}`.trim();
    try {
      runs.push(Object.assign(parseRun(name, record.manifest, record.metrics), { source: 'lab', key: record.id }));
    } catch (error) {
      problems.push(`a lab run kept in this browser: ${error.message}`);
    }
  }
  return runs;
}

function saveText(fileName, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = element('a', { href: url, download: fileName });
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

export function mountRunDashboard(root) {
  const state = { opened: [], lab: [], problems: [], sortId: null, reverse: false, metric: null };
  const thisPage = root.dataset.runsPage === 'this' ? location.pathname : null;
  const heading = thisPage ? 'h3' : 'h2';
  let openedCount = 0;

  const controls = element('div', { class: 'runs-controls' });
  const folderLabel = element('label', { class: 'runs-button' }, 'Open run folders…');
  const folderInput = element('input', { type: 'file', multiple: '', webkitdirectory: '', 'data-runs-input': 'folder' });
  folderLabel.appendChild(folderInput);
  const filesLabel = element('label', { class: 'runs-button' }, 'Open run files…');
  const filesInput = element('input', { type: 'file', multiple: '', accept: '.json,.jsonl', 'data-runs-input': 'files' });
  filesLabel.appendChild(filesInput);
  const csvButton = element('button', { type: 'button', class: 'runs-button', 'data-runs-action': 'csv' }, 'Export CSV');
  const forgetButton = element('button', { type: 'button', class: 'runs-button', 'data-runs-action': 'forget' }, 'Forget lab runs');
  controls.append(folderLabel, filesLabel, csvButton, forgetButton);
  const messages = element('ul', { class: 'runs-messages', 'aria-live': 'polite' });
  const summary = element('p', { class: 'runs-summary' });
  const tableHeading = element(heading, { id: 'runs-table-heading' }, 'Runs');
  const tableWrap = element('div', { class: 'runs-scroll' });
  const curveHeading = element(heading, { id: 'runs-curves-heading' }, 'Curves');
  const metricLabel = element('label', { class: 'runs-metric' }, 'Metric ');
  const metricSelect = element('select', { 'data-runs-metric': '' });
  metricLabel.appendChild(metricSelect);
  const curves = element('div', { class: 'runs-curves' });
  const settingsHeading = element(heading, { id: 'runs-settings-heading' }, 'Settings that differ');
  const settingsWrap = element('div', { class: 'runs-scroll' });
  root.replaceChildren(controls, messages, summary, tableHeading, tableWrap, curveHeading, metricLabel, curves,
    settingsHeading, settingsWrap);

  const allRuns = () => [...state.lab, ...state.opened];

  function renderMessages() {
    messages.replaceChildren(...state.problems.map((p) => element('li', { class: 'error' }, p)));
  }

  function renderTable(runs, columns) {
    const sortColumn = columns.find((c) => c.id === state.sortId) ?? null;
    const rows = sortedRuns(runs, sortColumn, state.reverse);
    const table = element('table', { class: 'runs-table' });
    const head = element('tr');
    for (const column of columns) {
      const th = element('th', { scope: 'col', 'data-column': column.id });
      if (column.title) th.title = column.title;
      if (column === sortColumn) th.setAttribute('aria-sort', (column.metric ? lowerIsBetter(column.metric) : true) !== state.reverse ? 'ascending' : 'descending');
      const button = element('button', { type: 'button' }, column.label);
      button.addEventListener('click', () => {
        state.reverse = state.sortId === column.id ? !state.reverse : false;
        state.sortId = column.id;
        render();
      });
      th.appendChild(button);
      head.appendChild(th);
    }
    table.appendChild(element('thead')).appendChild(head);
    const body = table.appendChild(element('tbody'));
    for (const run of rows) {
      const tr = element('tr', { 'data-run': run.name });
      for (const column of columns) {
        const value = column.value(run);
        const td = element('td', { 'data-column': column.id, class: column.text ? 'text' : 'number' }, column.text ? String(value) : formatValue(value));
        if (!column.text && value !== null && value !== undefined) td.dataset.value = String(value);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    tableWrap.replaceChildren(table);
    return rows;
  }

  function renderCurves(runs) {
    const names = metricNames(runs);
    if (!names.includes(state.metric)) state.metric = names.includes('validation_loss') ? 'validation_loss' : names[0] ?? null;
    metricSelect.replaceChildren(...names.map((n) => element('option', { value: n, ...(n === state.metric ? { selected: '' } : {}) }, n)));
    const series = [];
    let yMin = Infinity;
    let yMax = -Infinity;
    let epochs = 1;
    runs.forEach((run, i) => {
      const metric = metricOf(run, state.metric);
      if (!metric) return;
      const y = metric.curve.map((v) => (v === null ? NaN : v));
      for (const v of y) if (Number.isFinite(v)) { yMin = Math.min(yMin, v); yMax = Math.max(yMax, v); }
      epochs = Math.max(epochs, y.length);
      series.push({ kind: 'line', x: y.map((_, e) => e + 1), y, colour: RUN_COLOURS[i % RUN_COLOURS.length], label: run.name });
      // One epoch draws no line: a point shows it.
      if (y.length === 1) series.push({ kind: 'points', x: [1], y, colour: RUN_COLOURS[i % RUN_COLOURS.length], radius: 3 });
    });
    if (!series.length || !Number.isFinite(yMin)) {
      curves.replaceChildren(element('p', { class: 'runs-empty' }, 'No curve to draw yet.'));
      return;
    }
    const pad = yMax > yMin ? (yMax - yMin) * 0.06 : Math.abs(yMax) * 0.05 || 1;
    const width = Math.max(320, Math.min(760, Math.round(curves.clientWidth || root.clientWidth || 680)));
    const plot = plotSvg({
      id: 'runs-curves', width, margin: { left: 58, right: 12 },
      panels: [{
        height: 260, series,
        x: { min: 1, max: Math.max(2, epochs), label: 'epoch', ticks: niceTicks(1, Math.max(2, epochs), 6).filter(Number.isInteger) },
        y: { min: yMin - pad, max: yMax + pad, label: state.metric },
      }],
    });
    curves.innerHTML = svgDocument(plot, `${state.metric} per epoch of ${runs.length} runs`, 'runs-curves');
    curves.querySelector('svg').dataset.metric = state.metric;
  }

  function renderSettings(runs) {
    const keys = differingSettings(runs);
    if (runs.length < 2 || keys.length === 0) {
      settingsWrap.replaceChildren(element('p', { class: 'runs-empty' },
        runs.length < 2 ? 'Two runs or more are compared here.' : `The ${runs.length} runs have the same settings.`));
      return;
    }
    const table = element('table', { class: 'runs-table runs-settings' });
    const head = element('tr');
    head.appendChild(element('th', { scope: 'col' }, 'setting'));
    for (const run of runs) head.appendChild(element('th', { scope: 'col' }, run.name));
    table.appendChild(element('thead')).appendChild(head);
    const body = table.appendChild(element('tbody'));
    for (const key of keys) {
      const tr = element('tr', { 'data-setting': key });
      tr.appendChild(element('th', { scope: 'row' }, key));
      for (const run of runs) tr.appendChild(element('td', { class: 'text' }, settingText(run, key)));
      body.appendChild(tr);
    }
    settingsWrap.replaceChildren(table);
  }

  let shown = { runs: [], columns: [] };
  function render() {
    renderMessages();
    const runs = allRuns();
    const labCount = state.lab.length;
    summary.textContent = runs.length === 0
      ? `No runs yet: train a run in ${thisPage ? 'a lab on this page' : 'a lab of the book'} (it appears here after its first epoch), or open run folders of epibook train.`
      : `${runs.length} run${runs.length === 1 ? '' : 's'}: ${labCount} from the labs ${thisPage ? 'on this page' : 'in this browser'}, ${runs.length - labCount} opened.`;
    csvButton.disabled = runs.length === 0;
    forgetButton.disabled = labCount === 0;
    if (runs.length === 0) {
      tableWrap.replaceChildren();
      curves.replaceChildren();
      settingsWrap.replaceChildren();
      shown = { runs: [], columns: [] };
      return;
    }
    const columns = tableColumns(runs);
    shown = { runs: renderTable(runs, columns), columns };
    renderCurves(runs);
    renderSettings(runs);
  }

  function reloadLabRuns() {
    const problems = [];
    state.lab = labRuns(problems, thisPage);
    state.problems = problems;
    render();
  }

  async function open(files) {
    const { runs, problems } = await runsFromFiles([...files]);
    openedCount += 1;
    for (const run of runs) Object.assign(run, { source: 'opened', key: `opened-${openedCount}-${run.name}` });
    // A folder opened again replaces its runs of the same name.
    state.opened = [...state.opened.filter((r) => !runs.some((n) => n.name === r.name)), ...runs];
    state.problems = problems;
    render();
  }

  folderInput.addEventListener('change', () => open(folderInput.files).finally(() => { folderInput.value = ''; }));
  filesInput.addEventListener('change', () => open(filesInput.files).finally(() => { filesInput.value = ''; }));
  metricSelect.addEventListener('change', () => { state.metric = metricSelect.value; renderCurves(allRuns()); });
  csvButton.addEventListener('click', () => {
    const header = shown.columns.map((c) => c.title ?? c.label);
    const rows = shown.runs.map((run) => shown.columns.map((c) => c.value(run)));
    saveText('runs.csv', toCsv(header, rows), 'text/csv');
  });
  forgetButton.addEventListener('click', () => { forgetStoredRuns(); reloadLabRuns(); });
  // A lab in another tab of the book finished an epoch.
  window.addEventListener('storage', (event) => { if (event.key === null || event.key === 'epibook-runs') reloadLabRuns(); });
  // A lab in this page did (a dashboard under a chapter's labs).
  window.addEventListener(STORED_EVENT, reloadLabRuns);
  let width = root.clientWidth;
  new ResizeObserver(() => {
    if (root.clientWidth === width) return;
    width = root.clientWidth;
    if (allRuns().length) renderCurves(allRuns());
  }).observe(root);

  reloadLabRuns();
  root.dataset.ready = 'true';
  return { reload: reloadLabRuns, runs: allRuns };
}
