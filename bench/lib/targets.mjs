// The targets procctl is held to, evaluated against one run's results. Each is met, not met, or
// not measured (a missing library, a scenario that failed, or a level --quick skips).

/** The row every target is about: the public spawn()/exec(). */
export const HEADLINE = 'procctl';
const NODE = 'child_process.spawn';

/** The measured row of `name` at RSS `level`, or undefined (also when it failed). */
function spawnRow(results, level, name) {
  return rowOf(results.spawn?.find((l) => l.label === level), name);
}

function rowOf(scenario, name) {
  const row = scenario?.rows?.find((r) => r.name === name);
  return row?.error ? undefined : row;
}

const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/**
 * A target whose figure is `value` (null when unmeasured), met when `ok(value)`. `floor` is the
 * same figure for the C bound under the same load, and `loopFloor` the event loop's own stall
 * with no spawn at all; both are shown beside it so noise can be told apart.
 */
function target(text, value, ok, show, floor = null, loopFloor = null) {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return { text, measured: 'not measured', met: null };
  }
  const floors = [
    ...(Number.isFinite(floor) ? [`C: ${show(floor)}`] : []),
    ...(Number.isFinite(loopFloor) ? [`no spawn: ${show(loopFloor)}`] : []),
  ];
  const context = floors.length ? ` (${floors.join('; ')})` : '';
  return { text, measured: `${show(value)}${context}`, met: ok(value) };
}

function ratio(numerator, denominator) {
  return numerator !== undefined && denominator !== undefined ? numerator / denominator : null;
}

export function evaluateTargets(results) {
  const p50 = spawnRow(results, '50 MB', HEADLINE)?.totalMs.median;
  const p4g = spawnRow(results, '4 GB', HEADLINE)?.totalMs.median;
  const node50 = spawnRow(results, '50 MB', NODE)?.totalMs.median;
  const node4g = spawnRow(results, '4 GB', NODE)?.totalMs.median;
  const levels = results.spawn ?? [];
  const stalls = levels.map((l) => spawnRow(results, l.label, HEADLINE)?.stallMaxMs).filter((s) => s !== undefined);
  const cStalls = levels.map((l) => l.cBound?.syncMs?.max).filter((s) => s !== undefined);
  const loopStalls = levels.map((l) => (l.floor?.error ? undefined : l.floor?.stallMaxMs)).filter((s) => s !== undefined);
  const exitP99 = rowOf(results.exitLatency, HEADLINE)?.latencyUs.p99;
  const cExitP99 = results.exitLatency?.cBound?.latencyUs?.p99;
  const idle = rowOf(results.idle, HEADLINE);
  const execOurs = rowOf(results.exec, HEADLINE)?.totalMs.median;
  const execExeca = rowOf(results.exec, 'execa')?.totalMs.median;
  const idleCount = results.idle?.count ?? 1000;
  return [
    target('spawn+wait ≤ 1.3× the C posix_spawn bound (50 MB)', ratio(p50, results.spawn?.find((l) => l.label === '50 MB')?.cBound?.totalMs?.median),
      (r) => r <= 1.3, (r) => `${fmt(r)}×`),
    target('≥ 2.5× faster than child_process.spawn at 50 MB', ratio(node50, p50),
      (r) => r >= 2.5, (r) => `${fmt(r, 2)}×`),
    target('≥ 50× faster than child_process.spawn at 4 GB', ratio(node4g, p4g),
      (r) => r >= 50, (r) => `${fmt(r, 1)}×`),
    target('procctl cost at 4 GB within 1.3× of its cost at 50 MB', ratio(p4g, p50),
      (r) => r <= 1.3, (r) => `${fmt(r)}×`),
    target('longest event-loop stall < 2 ms at any RSS', stalls.length ? Math.max(...stalls) : null,
      (s) => s < 2, (s) => `${fmt(s)} ms`, cStalls.length ? Math.max(...cStalls) : null,
      loopStalls.length ? Math.max(...loopStalls) : null),
    target('exit notification p99 < 1 ms', exitP99, (us) => us < 1000, (us) => `${fmt(us / 1000, 3)} ms`, cExitP99),
    target('< 16 KB parent RSS per idle child', idle?.rssPerChildKb.median,
      (kb) => kb < 16, (kb) => `${fmt(kb, 1)} KB`),
    target(`terminating ${idleCount} groups → last exit event < 200 ms`, idle?.terminateAllMs.median,
      (ms) => ms < 200, (ms) => `${fmt(ms, 1)} ms`),
    target('exec round trip ≥ 2× faster than execa', ratio(execExeca, execOurs),
      (r) => r >= 2, (r) => `${fmt(r)}×`),
  ];
}

export function verdict(met) {
  if (met === null) return 'not measured';
  return met ? 'met' : 'NOT MET';
}
