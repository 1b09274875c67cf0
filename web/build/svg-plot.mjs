// Plots as SVG text, for the book's figures (figure-block.mjs): stacked panels with
// axes, ticks, lines, areas, bars, points, reference lines and a legend. Text and axes
// use currentColor, so a figure follows the page's light or dark theme.
import { escapeHtml } from './layout.mjs';

// Colours that read on both themes; names say what they stand for in the book.
export const colours = {
  signal: '#3b82c4', control: '#9a8f80', peak: '#d0453c', threshold: '#c2410c',
  train: '#3b82c4', validation: '#e08a1e', test: '#2f9e6e', local: '#7c4dbd', other: '#6b7280',
};

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

// About `count` round tick values between min and max.
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function formatNumber(value) {
  if (Math.abs(value) >= 1e6 && value % 1e5 === 0) return `${value / 1e6} M`;
  if (Math.abs(value) >= 1e4 && value % 1e3 === 0) return `${value / 1e3} k`;
  return Number(value.toPrecision(4)).toLocaleString('en-US');
}

const num = (v) => Number(v.toFixed(2));

function pathOf(points) {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
    d += `${pen ? 'L' : 'M'}${num(x)} ${num(y)}`;
    pen = true;
  }
  return d;
}

function legendItems(panel) {
  return panel.legend ?? panel.series.filter((s) => s.label).map((s) => ({ label: s.label, colour: s.colour ?? colours.signal }));
}

// Rows the legend takes in a plot `innerW` wide.
function legendRows(panel, innerW) {
  let rows = 0;
  let x = Infinity;
  for (const item of legendItems(panel)) {
    const w = 24 + item.label.length * 7;
    if (x + w > innerW) { rows += 1; x = 0; }
    x += w;
  }
  return rows;
}

// One panel: { height, title, x: {min, max, label, ticks, format}, y: {...}, series }.
// Series kinds: line {x[], y[]}, area {x[], y[]} (filled down to 0), bars {x[], y[], width}
// (bar centred on x), points {x[], y[], labels?}, hline {y}, vline {x}, band {x0, x1}
// (shaded x range) and boxes {boxes: [{x0, x1, row, colour}], rows} (interval strips).
function panelSvg(panel, top, width, margin) {
  const left = margin.left;
  const innerW = width - margin.left - margin.right;
  // Room above the plot for the title or the legend's rows, whichever needs more.
  const above = Math.max(margin.top, (panel.title ? 20 : 0) + legendRows(panel, innerW) * 16 + 6);
  const height = (panel.height ?? 200) + above - margin.top;
  const innerH = height - above - margin.bottom;
  const y0 = top + above;
  const sx = (v) => left + ((v - panel.x.min) / (panel.x.max - panel.x.min)) * innerW;
  const sy = panel.y ? (v) => y0 + innerH - ((v - panel.y.min) / (panel.y.max - panel.y.min)) * innerH : null;
  const out = [];
  if (panel.title) out.push(`<text x="${left}" y="${top + 14}" font-weight="600">${escapeHtml(panel.title)}</text>`);
  out.push(`<g clip-path="url(#clip-${panel.clipId})">`);
  for (const s of panel.series) {
    const c = s.colour ?? colours.signal;
    if (s.kind === 'band') {
      out.push(`<rect x="${num(sx(s.x0))}" y="${num(y0)}" width="${num(Math.max(1, sx(s.x1) - sx(s.x0)))}" height="${num(innerH)}" fill="${c}" opacity="${s.opacity ?? 0.15}"/>`);
    } else if (s.kind === 'area') {
      const pts = s.x.map((x, i) => [sx(x), sy(Number.isFinite(s.y[i]) ? s.y[i] : 0)]);
      out.push(`<path d="${pathOf([[sx(s.x[0]), sy(0)], ...pts, [sx(s.x[s.x.length - 1]), sy(0)]])}Z" fill="${c}" opacity="${s.opacity ?? 0.8}"/>`);
    } else if (s.kind === 'line') {
      out.push(`<path d="${pathOf(s.x.map((x, i) => [sx(x), sy(s.y[i])]))}" fill="none" stroke="${c}" stroke-width="${s.width ?? 1.6}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    } else if (s.kind === 'bars') {
      const w = Math.max(1, (s.width / (panel.x.max - panel.x.min)) * innerW * 0.85);
      s.x.forEach((x, i) => {
        if (!Number.isFinite(s.y[i]) || s.y[i] === 0) return;
        const top = sy(Math.max(0, s.y[i]));
        out.push(`<rect x="${num(sx(x) - w / 2)}" y="${num(top)}" width="${num(w)}" height="${num(Math.abs(sy(0) - sy(s.y[i])))}" fill="${c}"/>`);
      });
    } else if (s.kind === 'points') {
      s.x.forEach((x, i) => {
        out.push(`<circle cx="${num(sx(x))}" cy="${num(sy(s.y[i]))}" r="${s.radius ?? 4}" fill="${c}"/>`);
        if (s.labels?.[i]) out.push(`<text x="${num(sx(x) + 7)}" y="${num(sy(s.y[i]) - 6)}">${escapeHtml(s.labels[i])}</text>`);
      });
    } else if (s.kind === 'hline') {
      out.push(`<line x1="${left}" x2="${left + innerW}" y1="${num(sy(s.y))}" y2="${num(sy(s.y))}" stroke="${c}" stroke-width="1.4" stroke-dasharray="${s.dash ?? '5 3'}"/>`);
    } else if (s.kind === 'vline') {
      out.push(`<line x1="${num(sx(s.x))}" x2="${num(sx(s.x))}" y1="${num(y0)}" y2="${num(y0 + innerH)}" stroke="${c}" stroke-width="1.2" stroke-dasharray="${s.dash ?? '3 3'}"/>`);
    } else if (s.kind === 'boxes') {
      const rowH = innerH / s.rows.length;
      for (const b of s.boxes) {
        out.push(`<rect x="${num(sx(b.x0))}" y="${num(y0 + b.row * rowH + 3)}" width="${num(Math.max(0.6, sx(b.x1) - sx(b.x0)))}" height="${num(rowH - 6)}" fill="${b.colour}"/>`);
      }
    } else {
      throw new Error(`svg-plot: unknown series kind "${s.kind}"`);
    }
  }
  out.push('</g>');
  // Axes: the x axis always; the y axis when the panel has a scale, else row names.
  const fmtX = panel.x.format ?? formatNumber;
  out.push(`<line x1="${left}" x2="${left + innerW}" y1="${num(y0 + innerH)}" y2="${num(y0 + innerH)}" stroke="currentColor" stroke-opacity="0.6"/>`);
  for (const t of panel.x.ticks ?? niceTicks(panel.x.min, panel.x.max, 6)) {
    const x = num(sx(t));
    out.push(`<line x1="${x}" x2="${x}" y1="${num(y0 + innerH)}" y2="${num(y0 + innerH + 4)}" stroke="currentColor" stroke-opacity="0.6"/>`);
    out.push(`<text x="${x}" y="${num(y0 + innerH + 16)}" text-anchor="middle">${escapeHtml(fmtX(t))}</text>`);
  }
  if (panel.x.label) out.push(`<text x="${num(left + innerW / 2)}" y="${num(y0 + innerH + 31)}" text-anchor="middle" opacity="0.85">${escapeHtml(panel.x.label)}</text>`);
  if (panel.y) {
    const fmtY = panel.y.format ?? formatNumber;
    out.push(`<line x1="${left}" x2="${left}" y1="${num(y0)}" y2="${num(y0 + innerH)}" stroke="currentColor" stroke-opacity="0.6"/>`);
    for (const t of panel.y.ticks ?? niceTicks(panel.y.min, panel.y.max, 4)) {
      const y = num(sy(t));
      out.push(`<line x1="${left - 4}" x2="${left}" y1="${y}" y2="${y}" stroke="currentColor" stroke-opacity="0.6"/>`);
      out.push(`<text x="${left - 7}" y="${num(y + 4)}" text-anchor="end">${escapeHtml(fmtY(t))}</text>`);
    }
    if (panel.y.label) {
      out.push(`<text transform="translate(${left - 44} ${num(y0 + innerH / 2)}) rotate(-90)" text-anchor="middle" opacity="0.85">${escapeHtml(panel.y.label)}</text>`);
    }
  }
  for (const s of panel.series.filter((s) => s.kind === 'boxes')) {
    const rowH = innerH / s.rows.length;
    s.rows.forEach((name, i) => out.push(`<text x="${left - 7}" y="${num(y0 + i * rowH + rowH / 2 + 4)}" text-anchor="end">${escapeHtml(name)}</text>`));
  }
  // Legend: the series with a label, in rows above the plot area from the left.
  let lx = left;
  let ly = top + 5 + (panel.title ? 20 : 0);
  for (const item of legendItems(panel)) {
    const w = 24 + item.label.length * 7;
    if (lx + w > left + innerW && lx > left) { lx = left; ly += 16; }
    out.push(`<rect x="${num(lx)}" y="${ly}" width="10" height="10" fill="${item.colour}"/>`);
    out.push(`<text x="${num(lx + 14)}" y="${ly + 9}">${escapeHtml(item.label)}</text>`);
    lx += w;
  }
  out.unshift(`<clipPath id="clip-${panel.clipId}"><rect x="${left}" y="${num(y0 - 1)}" width="${num(innerW)}" height="${num(innerH + 2)}"/></clipPath>`);
  return { svg: out.join('\n'), height };
}

// A figure of stacked panels as one <svg>; `id` keeps clip-path ids unique on a page.
export function plotSvg({ id, width = 680, panels, margin = {} }) {
  const m = { top: 24, right: 16, bottom: 40, left: 62, ...margin };
  let top = 0;
  const parts = panels.map((panel, i) => {
    const part = panelSvg({ ...panel, clipId: `${id}-${i}` }, top, width, m);
    top += part.height;
    return part.svg;
  });
  return { width, height: top, body: parts.join('\n') };
}

export function svgDocument({ width, height, body }, alt, id) {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title" ${FONT} fill="currentColor">\n`
    + `<title id="${id}-title">${escapeHtml(alt)}</title>\n${body}\n</svg>`;
}
