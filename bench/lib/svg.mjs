// Hand-written SVG charts (no chart library): a line chart with a log-scale y axis and a
// horizontal bar chart with optional p99 whiskers. Both return the SVG document as a string.

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const PALETTE = ['#2c7fb8', '#7fcdbb', '#756bb1', '#31a354', '#636363', '#a6761d', '#e7298a', '#66a61e'];

function escapeXml(text) {
  return String(text).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
}

function svgDocument(width, height, body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" `
    + `viewBox="0 0 ${width} ${height}" ${FONT}>\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}

function text(x, y, content, attrs = '') {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;
}

/** Short number label: 0.05, 1.5, 20, 3000. */
function tickLabel(v) {
  if (v >= 100) return v.toFixed(0);
  if (v >= 1) return String(Number(v.toPrecision(2)));
  return String(Number(v.toPrecision(1)));
}

/** Three significant digits, without exponent notation: 0.412, 31.2, 2950. */
function threeDigits(v) {
  return v >= 1000 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
}

/** Decade ticks (1, 2, 5 × 10^k) covering [lo, hi]. */
function logTicks(lo, hi) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

/**
 * Lines over categorical x (e.g. RSS levels), log-scale y; null when there is nothing to draw.
 * series: [{name, values: (number|null)[], color?, bold?}] aligned with xLabels.
 */
export function lineChartLogY({ title, xLabels, series, yLabel }) {
  const width = 760;
  const height = 420;
  const m = { left: 70, right: 210, top: 40, bottom: 50 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  if (all.length === 0) return null;
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const x = (i) => m.left + (xLabels.length === 1 ? plotW / 2 : (i * plotW) / (xLabels.length - 1));
  const y = (v) => m.top + plotH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const parts = [text(width / 2, 22, title, 'text-anchor="middle" font-size="15" font-weight="bold"')];
  for (const t of logTicks(lo, hi)) {
    parts.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(text(m.left - 6, y(t) + 4, tickLabel(t), 'text-anchor="end"'));
  }
  xLabels.forEach((label, i) => parts.push(text(x(i), m.top + plotH + 20, label, 'text-anchor="middle"')));
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  parts.push(text(16, m.top + plotH / 2, yLabel, `text-anchor="middle" transform="rotate(-90 16 ${m.top + plotH / 2})"`));
  parts.push(text(m.left + plotW / 2, height - 10, 'parent RSS', 'text-anchor="middle"'));
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const points = s.values.map((v, i) => (Number.isFinite(v) && v > 0 ? [x(i), y(v)] : null)).filter(Boolean);
    const weight = s.bold ? 3 : 1.8;
    if (points.length > 1) {
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="${weight}" points="${points.map((p) => p.map((c) => c.toFixed(1)).join(',')).join(' ')}"/>`);
    }
    for (const [px, py] of points) parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3.5" fill="${color}"/>`);
    const ly = m.top + 10 + k * 20;
    parts.push(`<line x1="${width - m.right + 15}" x2="${width - m.right + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="${weight}"/>`);
    parts.push(text(width - m.right + 46, ly + 4, s.name));
  });
  return svgDocument(width, height, parts.join('\n'));
}

/**
 * Horizontal bars, linear scale from 0. rows: [{label, value, whisker?, color?}] — whisker
 * (e.g. p99) is drawn as a line from the bar's end.
 * null when there is nothing to draw.
 */
export function barChart({ title, unit, rows, note = '' }) {
  const width = 760;
  const barH = 22;
  const gap = 10;
  const m = { left: 200, right: 110, top: 44, bottom: note ? 44 : 24 };
  const plotW = width - m.left - m.right;
  const height = m.top + m.bottom + rows.length * (barH + gap);
  const extents = rows.map((r) => Math.max(r.value, r.whisker ?? 0)).filter((v) => Number.isFinite(v) && v > 0);
  if (extents.length === 0) return null;
  const max = Math.max(...extents);
  const scale = (v) => (v / max) * plotW;
  const parts = [text(width / 2, 22, title, 'text-anchor="middle" font-size="15" font-weight="bold"')];
  rows.forEach((r, i) => {
    const top = m.top + i * (barH + gap);
    const color = r.color ?? PALETTE[0];
    parts.push(text(m.left - 8, top + barH / 2 + 4, r.label, 'text-anchor="end"'));
    if (!Number.isFinite(r.value)) {
      parts.push(text(m.left + 4, top + barH / 2 + 4, 'not measured', 'fill="#999"'));
      return;
    }
    parts.push(`<rect x="${m.left}" y="${top}" width="${Math.max(1, scale(r.value)).toFixed(1)}" height="${barH}" fill="${color}"/>`);
    let labelX = m.left + scale(r.value);
    if (Number.isFinite(r.whisker)) {
      const wx = m.left + scale(r.whisker);
      parts.push(`<line x1="${labelX.toFixed(1)}" x2="${wx.toFixed(1)}" y1="${top + barH / 2}" y2="${top + barH / 2}" stroke="#333"/>`);
      parts.push(`<line x1="${wx.toFixed(1)}" x2="${wx.toFixed(1)}" y1="${top + 4}" y2="${top + barH - 4}" stroke="#333"/>`);
      labelX = wx;
    }
    const label = `${threeDigits(r.value)}${Number.isFinite(r.whisker) ? ` / ${threeDigits(r.whisker)}` : ''} ${unit}`;
    parts.push(text(labelX + 6, top + barH / 2 + 4, label));
  });
  if (note) parts.push(text(m.left, height - 14, note, 'fill="#555"'));
  return svgDocument(width, height, parts.join('\n'));
}
