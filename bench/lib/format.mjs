// Number and table formatting for the Markdown report and the terminal.

/** Three significant digits, no exponent: 0.412, 31.2, 2950; 'n/a' when not finite. */
export function num(v) {
  if (!Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  if (v === 0) return '0';
  return String(Number(v.toPrecision(3)));
}

/** A Markdown table from a header row and body rows (cells already strings). */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "median / p99" of a summary, in its unit. */
export function medianP99(summary) {
  return summary ? `${num(summary.median)} / ${num(summary.p99)}` : 'n/a';
}

/** The first line of an error's message: what a report row or a log line shows of a failure. */
export function errorLine(error) {
  return String(error?.message ?? error).split('\n')[0];
}
