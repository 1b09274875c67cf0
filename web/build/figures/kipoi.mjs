// Figures of chapter 10 (Kipoi), drawn at build time from the chapter's shipped model:
// its run (assets/kipoi/run/manifest.json: the layers and the data's shapes) and the
// Kipoi folder `epibook export` wrote for it (assets/kipoi/export/: model.yaml,
// dataloader.yaml, the test example). Each maker returns { width, height, body, numbers }.
import fs from 'node:fs';

import { escapeHtml } from '../layout.mjs';
import { colours, plotSvg } from '../svg-plot.mjs';

const RUN = 'kipoi/run';
const EXPORT = 'kipoi/export';

// The value of `key:` inside the block that `path` (nested keys) opens in YAML as
// `epibook export` writes it (block style, two spaces per level, scalars on one line).
function yamlValue(text, path) {
  let indent = 0;
  let lines = text.split('\n');
  for (const [depth, key] of path.entries()) {
    const at = lines.findIndex((l) => l.startsWith(`${' '.repeat(indent)}${key}:`));
    if (at < 0) throw new Error(`${EXPORT}: no ${path.slice(0, depth + 1).join('.')} in the YAML`);
    if (depth === path.length - 1) return lines[at].slice(indent + key.length + 1).trim().replace(/^"(.*)"$/, '$1');
    const end = lines.findIndex((l, i) => i > at && l.trim() !== '' && !l.startsWith(' '.repeat(indent + 2)));
    lines = lines.slice(at + 1, end < 0 ? undefined : end);
    indent += 2;
  }
  return null;
}

const shapeOf = (text) => text.replace(/[()\s]/g, '').split(',').filter((s) => s !== '').map(Number);
const shapeText = (dims) => `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;

// The shape of one row after each layer of an epibook model description ({kind, ...}).
function layerShapes(spec, input) {
  const rows = [];
  const walk = (layer, shape) => {
    const [c, l] = shape;
    let next = shape;
    let label = layer.kind;
    switch (layer.kind) {
      case 'Sequential':
        return layer.layers.reduce((s, child) => walk(child, s), shape);
      case 'Conv1d': {
        const pad = layer.padding === 'same' ? (layer.dilation * (layer.kernel_size - 1)) / 2
          : layer.padding === 'valid' ? 0 : layer.padding;
        const length = Math.floor((l + 2 * pad - layer.dilation * (layer.kernel_size - 1) - 1) / layer.stride) + 1;
        next = [layer.out_channels, length];
        label = `Conv1d: ${layer.out_channels} filters of ${layer.in_channels} x ${layer.kernel_size}`;
        break;
      }
      case 'MaxPool1d':
      case 'AvgPool1d':
        next = [c, Math.floor((l - layer.kernel_size) / layer.stride) + 1];
        label = `${layer.kind}: width ${layer.kernel_size}`;
        break;
      case 'GlobalAvgPool1d':
        next = [c];
        break;
      case 'Flatten':
        next = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'Linear':
        next = [layer.out_features];
        label = `Linear: ${layer.in_features} to ${layer.out_features}`;
        break;
      default:
        break;  // activations, BatchNorm, Dropout keep the shape
    }
    rows.push({ label, shape: next });
    return next;
  };
  const output = walk(spec, input);
  return { rows, output };
}

// The chapter's model from model.yaml's input shape to its output shape, one row per layer.
function kipoiShapes(_settings, data, id) {
  const manifest = JSON.parse(data.readAsset(`${RUN}/manifest.json`));
  const yaml = data.readAsset(`${EXPORT}/model.yaml`);
  const input = shapeOf(yamlValue(yaml, ['schema', 'inputs', 'shape']));
  const declaredOutput = shapeOf(yamlValue(yaml, ['schema', 'targets', 'shape']));
  const { rows, output } = layerShapes(manifest.model.layers, input);
  if (shapeText(output) !== shapeText(declaredOutput)) {
    throw new Error(`kipoi-shapes: the layers end in ${shapeText(output)}, model.yaml says ${shapeText(declaredOutput)}`);
  }
  const all = [{ label: 'input: model.yaml schema.inputs.shape', shape: input, end: true }, ...rows];
  all[all.length - 1] = { ...all[all.length - 1], label: `${all[all.length - 1].label} = schema.targets.shape`, end: true };
  const width = 560;
  const rowH = 46;
  const height = all.length * rowH + 34;
  const out = [];
  all.forEach((row, i) => {
    const y = 10 + i * rowH;
    const fill = row.end ? colours.signal : colours.other;
    out.push(`<rect x="10" y="${y}" width="${width - 20}" height="30" rx="5" fill="${fill}" fill-opacity="${row.end ? 0.22 : 0.12}" stroke="${fill}"/>`);
    out.push(`<text x="22" y="${y + 20}">${escapeHtml(row.label)}</text>`);
    out.push(`<text x="${width - 22}" y="${y + 20}" text-anchor="end" font-weight="600">${escapeHtml(shapeText(row.shape))}</text>`);
    if (i + 1 < all.length) {
      out.push(`<path d="M${width / 2} ${y + 31}v10m-4 -5l4 5l4 -5" fill="none" stroke="currentColor" stroke-opacity="0.6"/>`);
    }
  });
  out.push(`<text x="10" y="${height - 6}" opacity="0.85">${escapeHtml(`${manifest.model.parameters} parameters; one row of the batch shown`)}</text>`);
  return {
    width, height, body: out.join('\n'),
    numbers: { input: shapeText(input), output: shapeText(output), layers: rows.length, parameters: manifest.model.parameters },
  };
}

// A float32 .npy of the export as a flat array (little-endian, C order).
function npyFloats(data, name) {
  const bytes = fs.readFileSync(data.assetPath(name));
  const headerLength = bytes.readUInt16LE(8);
  const body = bytes.subarray(10 + headerLength);
  return Array.from(new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)));
}

// The test example: each window's probability (sigmoid of the expected logit) and its
// label in the windows the model trained on.
function kipoiTestExample(_settings, data, id) {
  const logits = npyFloats(data, `${EXPORT}/test/expected.npy`);
  const labels = new Map();
  for (const line of data.readAsset('first-model/sim-windows.bed').split('\n')) {
    const f = line.split('\t');
    if (f.length >= 5) labels.set(`${f[0]}:${f[1]}-${f[2]}`, Number(f[4]));
  }
  const windows = data.readAsset(`${EXPORT}/test/intervals.bed`).trim().split('\n').map((l) => l.split('\t')[0]);
  if (windows.length !== logits.length) throw new Error(`kipoi-test-example: ${windows.length} windows for ${logits.length} outputs`);
  const points = windows.map((w, i) => {
    if (!labels.has(w)) throw new Error(`kipoi-test-example: ${w} is not a window of first-model/sim-windows.bed`);
    return { x: i + 1, p: 1 / (1 + Math.exp(-logits[i])), label: labels.get(w) };
  });
  const series = [0, 1].map((label) => ({
    kind: 'bars', width: 1,
    x: points.filter((p) => p.label === label).map((p) => p.x),
    y: points.filter((p) => p.label === label).map((p) => p.p),
    colour: label ? colours.peak : colours.control,
    label: label ? 'planted peak (label 1)' : 'background (label 0)',
  }));
  series.push({ kind: 'hline', y: 0.5, colour: colours.threshold });
  const panels = [{
    height: 230,
    x: { min: 0.4, max: points.length + 0.6, label: 'test window (row of test/inputs.npy)', ticks: points.map((p) => p.x) },
    y: { min: 0, max: 1, label: 'probability of a peak' },
    series,
  }];
  const positives = points.filter((p) => p.label === 1);
  const right = points.filter((p) => (p.p > 0.5) === (p.label === 1)).length;
  return {
    ...plotSvg({ id, panels, width: 560 }),
    numbers: { windows: points.length, peaks: positives.length, right_side_of_half: right },
  };
}

// How the two descriptions meet: what the dataloader reads and returns, what the model
// takes and returns, from the exported YAML.
function kipoiTwoFiles(_settings, data, id) {
  const model = data.readAsset(`${EXPORT}/model.yaml`);
  const loader = data.readAsset(`${EXPORT}/dataloader.yaml`);
  const loaderShape = yamlValue(loader, ['output_schema', 'inputs', 'shape']);
  const modelShape = yamlValue(model, ['schema', 'inputs', 'shape']);
  if (loaderShape !== modelShape) throw new Error(`kipoi-two-files: dataloader.yaml returns ${loaderShape}, model.yaml takes ${modelShape}`);
  const windowLength = Number(yamlValue(loader, ['args', 'window_length', 'default']));
  const boxes = [
    { title: 'genome files', lines: [`${yamlValue(loader, ['args', 'fasta_file', 'example'])} (FASTA)`, `${yamlValue(loader, ['args', 'intervals_file', 'example'])} (BED)`] },
    { title: `dataloader.yaml: ${yamlValue(loader, ['defined_as'])}`, lines: [`window_length ${windowLength}, unknown_base ${yamlValue(loader, ['args', 'unknown_base', 'default'])}`, `returns inputs ${loaderShape} + metadata ranges`] },
    { title: `model.yaml: ${yamlValue(model, ['defined_as'])}`, lines: [`takes ${modelShape} (${yamlValue(model, ['schema', 'inputs', 'special_type'])}), weights ${yamlValue(model, ['args', 'weights'])}`, `returns ${yamlValue(model, ['schema', 'targets', 'shape'])}: a logit; sigmoid gives the probability`] },
    { title: 'test', lines: [`expect ${yamlValue(model, ['test', 'expect'])}`, `to ${yamlValue(model, ['test', 'precision_decimal'])} decimals`] },
  ];
  const width = 560;
  const boxH = 64;
  const gap = 22;
  const out = [];
  boxes.forEach((box, i) => {
    const y = 8 + i * (boxH + gap);
    const fill = i === 1 || i === 2 ? colours.signal : colours.other;
    out.push(`<rect x="10" y="${y}" width="${width - 20}" height="${boxH}" rx="6" fill="${fill}" fill-opacity="0.14" stroke="${fill}"/>`);
    out.push(`<text x="22" y="${y + 20}" font-weight="600">${escapeHtml(box.title)}</text>`);
    box.lines.forEach((line, j) => out.push(`<text x="22" y="${y + 38 + j * 16}">${escapeHtml(line)}</text>`));
    if (i + 1 < boxes.length) {
      out.push(`<path d="M${width / 2} ${y + boxH + 2}v${gap - 6}m-4 -5l4 5l4 -5" fill="none" stroke="currentColor" stroke-opacity="0.6"/>`);
    }
  });
  const height = 8 + boxes.length * (boxH + gap) - gap + 10;
  return { width, height, body: out.join('\n'), numbers: { window_length: windowLength, input: modelShape } };
}

export const figures = {
  'kipoi-shapes': kipoiShapes,
  'kipoi-two-files': kipoiTwoFiles,
  'kipoi-test-example': kipoiTestExample,
};
