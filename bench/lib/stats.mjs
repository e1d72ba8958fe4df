// Summaries of timing samples. Every figure in the report is a median and a p99 over repeats;
// p99 uses the nearest-rank method, so with fewer than 100 samples it is the maximum.

/** Nearest-rank percentile (0 < p <= 100) of numeric samples; NaN for none. */
export function percentile(samples, p) {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** {n, median, p99, min, max, mean} of samples (all in the samples' unit). */
export function summarize(samples) {
  const n = samples.length;
  const sum = samples.reduce((a, b) => a + b, 0);
  return {
    n,
    median: percentile(samples, 50),
    p99: percentile(samples, 99),
    min: n ? Math.min(...samples) : Number.NaN,
    max: n ? Math.max(...samples) : Number.NaN,
    mean: n ? sum / n : Number.NaN,
  };
}

/** Nanoseconds elapsed since a process.hrtime.bigint() stamp, as milliseconds (a float). */
export function msSince(startNs) {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}
