// The run format in the page: a run directory's manifest.json and metrics.jsonl (what
// `epibook train` writes, and a lab's run as the book keeps it) read into settings,
// per-epoch curves and each metric's final and best value, for the run dashboard
// (runs.js). Written apart from the core's reader (core/src/run/run_table.cpp), so
// the dashboard's numbers are checked against `epibook runs --json` by a second reader.

// Lower is better for losses and mse; higher for every other metric.
export function lowerIsBetter(metric) {
  return metric === 'mse' || metric === 'loss' || (metric.length > 5 && metric.endsWith('_loss'));
}

class RunFormatError extends Error {}

// JSON.parse with the place of the error in the message where the engine gives one.
function parseJson(text, where) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RunFormatError(`${where}: not JSON: ${error.message}`);
  }
}

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isWholeNumber(value) {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

// "section.key" -> the value's JSON text, in the manifest's order (as the core's reader).
function flatten(value, prefix, out) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
}

function numberOrNull(value) {
  return typeof value === 'number' ? value : null;
}

// A run from its two files' text. `name` names it (and its files in errors).
export function parseRun(name, manifestText, metricsText) {
  const manifestWhere = `${name}/manifest.json`;
  const manifest = parseJson(manifestText, manifestWhere);
  if (typeOf(manifest) !== 'object') throw new RunFormatError(`${manifestWhere}: not a JSON object`);
  if (typeOf(manifest.config) !== 'object') throw new RunFormatError(`${manifestWhere}: has no "config" object (the run's settings)`);
  if ('seed' in manifest && !isWholeNumber(manifest.seed)) throw new RunFormatError(`${manifestWhere}: "seed" is not a whole number >= 0`);
  const settings = new Map();
  flatten(manifest.config, '', settings);
  const hashes = manifest.data?.content_hashes;
  if (hashes !== undefined) flatten(hashes, 'data.content_hashes', settings);

  const curves = new Map([['train_loss', []], ['validation_loss', []]]);
  const curve = (metric, epochsBefore) => {
    if (!curves.has(metric)) curves.set(metric, Array(epochsBefore).fill(null));
    return curves.get(metric);
  };
  let epochs = 0;
  let steps = 0;
  let stoppedEarly = false;
  let previousEpoch = null;
  const where = `${name}/metrics.jsonl`;
  metricsText.split('\n').forEach((text, index) => {
    if (!text.trim()) return;
    const at = `${where}: line ${index + 1}`;
    const line = parseJson(text, at);
    if (typeOf(line) !== 'object') throw new RunFormatError(`${at}: not a JSON object`);
    if (!('epoch' in line)) throw new RunFormatError(`${at}: "epoch" is missing`);
    if (!isWholeNumber(line.epoch)) throw new RunFormatError(`${at}: "epoch" is not a whole number >= 0`);
    if (previousEpoch !== null && line.epoch <= previousEpoch) {
      throw new RunFormatError(`${at}: epoch ${line.epoch} comes after epoch ${previousEpoch} (lines must go up one epoch at a time)`);
    }
    previousEpoch = line.epoch;
    for (const key of ['train_loss', 'validation_loss']) {
      if (key in line && line[key] !== null && typeof line[key] !== 'number') {
        throw new RunFormatError(`${at}: "${key}" is ${typeOf(line[key])}, not a number`);
      }
    }
    if ('steps' in line) {
      if (!isWholeNumber(line.steps)) throw new RunFormatError(`${at}: "steps" is not a whole number >= 0`);
      steps = line.steps;
    }
    if ('validation' in line && typeOf(line.validation) !== 'object') throw new RunFormatError(`${at}: "validation" is not an object of metrics`);
    if ('stopped' in line && typeof line.stopped !== 'boolean') throw new RunFormatError(`${at}: "stopped" is not true or false`);
    curve('train_loss', epochs).push(numberOrNull(line.train_loss));
    curve('validation_loss', epochs).push(numberOrNull(line.validation_loss));
    for (const [metric, value] of Object.entries(line.validation ?? {})) {
      if (value !== null && typeof value !== 'number') {
        throw new RunFormatError(`${at}: validation "${metric}" is ${typeOf(value)}, not a number`);
      }
      curve(metric, epochs).push(value);
    }
    epochs += 1;
    for (const values of curves.values()) while (values.length < epochs) values.push(null);
    stoppedEarly = line.stopped === true;
  });

  const metrics = [...curves].map(([metric, values]) => {
    let best = null;
    let bestEpoch = null;
    values.forEach((v, i) => {
      if (v === null) return;
      if (best === null || (lowerIsBetter(metric) ? v < best : v > best)) { best = v; bestEpoch = i + 1; }
    });
    return { name: metric, curve: values, final: values.length ? values[values.length - 1] : null, best, bestEpoch };
  });
  const monitored = typeof manifest.config.early_stopping?.metric === 'string' ? manifest.config.early_stopping.metric : 'validation_loss';
  return {
    name, tool: String(manifest.tool ?? ''), version: String(manifest.epibook_version ?? ''),
    seed: manifest.seed ?? 0, epochs, steps, stoppedEarly, monitored, settings, metrics,
  };
}

export function metricOf(run, name) {
  return run.metrics.find((m) => m.name === name) ?? null;
}

// Settings whose value is not the same in every run (missing counts as different).
export function differingSettings(runs) {
  const keys = [];
  for (const run of runs) {
    for (const key of run.settings.keys()) {
      if (keys.includes(key)) continue;
      const first = runs[0].settings.get(key);
      if (!runs.every((r) => r.settings.has(key) && r.settings.get(key) === first)) keys.push(key);
    }
  }
  return keys;
}

export function metricNames(runs) {
  const names = [];
  for (const run of runs) for (const m of run.metrics) if (!names.includes(m.name)) names.push(m.name);
  return names;
}

// A setting's JSON text as a cell: strings without quotes, absent as "-".
export function settingText(run, key) {
  if (!run.settings.has(key)) return '-';
  const value = JSON.parse(run.settings.get(key));
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header, rows) {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
