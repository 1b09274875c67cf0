// Start page: opens a reader's bigWig with the wasm core and plots a region of it.
// Everything stays in the tab; errors from the core are shown as messages.
'use strict';

(async () => {
  const $ = (id) => document.getElementById(id);
  const message = (text, isError = false) => {
    $('message').textContent = text;
    $('message').classList.toggle('error', isError);
  };
  const epibook = await createEpibook();
  $('version').textContent = `epibook ${epibook.version()} (WebAssembly)`;
  let track = null;

  $('file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    if (track) { track.delete(); track = null; }
    message(`Reading ${file.name} …`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const opened = new epibook.BigWigTrack(file.name, bytes);
    if (opened.error()) {
      message(opened.error(), true);
      opened.delete();
      $('show').disabled = true;
      $('region').disabled = true;
      return;
    }
    track = opened;
    const info = JSON.parse(track.infoJson());
    showInfo(file.name, info);
    const first = info.chroms[0];
    $('region').disabled = false;
    $('show').disabled = false;
    $('region').value = `${first.name}:0-${Math.min(first.length, 10000).toLocaleString('en-US')}`;
    draw();
  });
  $('show').addEventListener('click', draw);
  $('region').addEventListener('keydown', (e) => { if (e.key === 'Enter') draw(); });

  function showInfo(name, info) {
    const rows = info.chroms.slice(0, 12).map((c) =>
      `<tr><td>${escapeHtml(c.name)}</td><td>${c.length.toLocaleString('en-US')} bp</td></tr>`).join('');
    const more = info.chroms.length > 12 ? `<tr><td colspan=2>… and ${info.chroms.length - 12} more</td></tr>` : '';
    $('info').innerHTML = `<p><strong>${escapeHtml(name)}</strong>: bigWig version ${info.version},
      ${info.zoom_levels.length} zoom levels, ${info.bases_covered.toLocaleString('en-US')} bases covered,
      values from ${info.min.toPrecision(4)} to ${info.max.toPrecision(4)}.</p><table>${rows}${more}</table>`;
  }

  function draw() {
    if (!track) return;
    const region = $('region').value.trim();
    const canvas = $('plot');
    // One bin per pixel, or per base when the region is shorter than the canvas.
    const [, range = ''] = region.split(/:(?=[^:]*$)/);
    const [start, end] = range.split('-').map((t) => Number(t.replace(/[,_]/g, '')));
    const length = end - start;
    const bins = Number.isFinite(length) && length > 0 ? Math.min(canvas.width, length) : canvas.width;
    // Long regions are summarised per pixel (mean, exact); short ones per base.
    const result = track.stats(region, 'mean', bins, true);
    if (result.error) { message(result.error, true); return; }
    const means = result.values;
    const maxima = track.stats(region, 'max', bins, true).values;
    plot(canvas, means, maxima);
    const covered = means.filter((v) => !Number.isNaN(v)).length;
    message(`${region}: ${covered} of ${bins} pixels have data (grey: no data).`);
  }

  function plot(canvas, means, maxima) {
    const ctx = canvas.getContext('2d');
    const style = getComputedStyle(document.documentElement);
    const w = canvas.width, h = canvas.height, pad = 18;
    ctx.clearRect(0, 0, w, h);
    let top = 0;
    for (const v of maxima) if (!Number.isNaN(v) && v > top) top = v;
    if (top <= 0) top = 1;
    ctx.fillStyle = style.getPropertyValue('--grid');
    ctx.fillRect(0, h - pad, w, 1);
    for (let x = 0; x < means.length; x++) {
      const v = means[x];
      if (Number.isNaN(v)) { ctx.fillRect(x, h - pad + 4, 1, 4); continue; }
      ctx.fillStyle = style.getPropertyValue('--plot');
      const height = Math.max(0, (v / top) * (h - 2 * pad));
      ctx.fillRect(x, h - pad - height, 1, height);
      ctx.fillStyle = style.getPropertyValue('--grid');
    }
    ctx.fillStyle = style.getPropertyValue('--muted');
    ctx.font = '12px system-ui';
    ctx.fillText(`max ${top.toPrecision(4)}`, 4, 12);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }
})().catch((error) => {
  const box = document.getElementById('message');
  box.textContent = `epibook could not start: ${error}`;
  box.classList.add('error');
});
