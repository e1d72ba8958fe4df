// The Markdown report: machine facts, targets, one section per scenario, links to the charts.
// BENCHMARKS.md keeps everything below FINDINGS_MARKER (hand-written) across runs.
import { errorLine, medianP99, num, table } from './format.mjs';
import { HEADLINE, evaluateTargets, verdict } from './targets.mjs';
import { renderExtra } from './extras.mjs';

export const FINDINGS_MARKER = '<!-- Findings: written by hand. bench/run.mjs rewrites everything above this line and keeps everything below it. -->';

const DEFAULT_FINDINGS = '## Findings\n\n(Profiling notes for targets that are missed go here.)\n';

function machineSection(r) {
  const m = r.machine;
  const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
  return [
    table(['Machine', ''], [
      ['Date', m.date],
      ['CPU', `${m.cpuModel}, ${m.cores} cores`],
      ['Kernel', m.kernel],
      ['Node', m.node],
      ['glibc', m.glibc],
      ['Memory', `${m.memoryGiB} GiB`],
      ['Transparent huge pages', m.transparentHugepages],
      ['Kernel access monitor (DAMON)', m.damon ?? 'not recorded'],
      ['Load average (1/5/15 min) at start', load(m.loadAverage)],
      ['Load average at end', load(r.loadAverageEnd)],
      ['Mode / duration', `${r.mode}, ${num(r.durationS)} s`],
    ]),
    '',
    noiseNote(m.cores, Math.max(m.loadAverage[0], r.loadAverageEnd[0])),
  ].join('\n');
}

/** How far to trust the figures, from the load the machine carried besides the bench. */
function noiseNote(cores, load) {
  if (load < 0.25 * cores) return 'The machine was otherwise idle during the run (load average above).';
  return `The machine was busy with other work during the run (load average up to ${load.toFixed(1)} on`
    + ` ${cores} cores): medians hold up under that, p99 figures and maxima (event-loop stalls) do not.`
    + ' Every cell is measured in interleaved rounds so the load falls on all libraries alike, and the C'
    + ' bound is measured in the same worker, between them: compare against it rather than against'
    + ' absolute numbers, and read single-run differences below ~20 % as noise.';
}

function targetsSection(r) {
  const rows = evaluateTargets(r).map((t) => [t.text, t.measured, `**${verdict(t.met)}**`]);
  return `## Targets\n\n${table(['Target (procctl)', 'Measured', 'Verdict'], rows)}\n\n`
    + '"C:" is the same figure for the C bound measured in the same worker between the library cells'
    + ' (longest time inside posix_spawn; waitpid exit latency): what the machine allowed at that moment.'
    + ' "no spawn:" is the longest stall of an event loop that spawns nothing, measured the same way in'
    + ' the same worker: what the runtime itself allowed.';
}

function failure(section) {
  return section?.error ? `_Not measured: ${section.error}._` : null;
}

/** Rows that measured, and one note line per row that failed. */
function splitRows(rows) {
  const ok = rows.filter((row) => !row.error);
  const notes = rows.filter((row) => row.error).map((row) => `_${row.name}: failed: ${row.error}_`);
  return { ok, notes: notes.length ? `\n\n${notes.join('\n')}` : '' };
}

function missingNote(...sections) {
  const missing = new Map();
  for (const s of sections) for (const m of s?.missing ?? []) missing.set(m.name, m.reason);
  return [...missing].map(([name, reason]) => `_${name}: not measured (${reason})._`).join('\n');
}

function spawnBaseSection(r, chartDir) {
  const level = r.spawn?.[0];
  const bound = level?.cBound?.totalMs;
  const head = `## 1. spawn + wait of \`/bin/true\` (parent RSS ${level?.label ?? '50 MB'})\n\n`
    + 'One child at a time: start, wait for its exit event. Milliseconds per spawn; the C row is'
    + ' `posix_spawn` + `waitpid` in a small C program (bench/c/spawn-loop.c), the floor for any library.\n\n';
  if (!level || level.error) return head + (failure(level) ?? '_Not measured._');
  const { ok, notes } = splitRows(level.rows);
  const rows = [
    ...ok.map((row) => [row.name, num(row.totalMs.median), num(row.totalMs.p99),
      bound ? `${num(row.totalMs.median / bound.median)}×` : 'n/a', String(row.totalMs.n)]),
    ...(bound ? [[level.cBound.name, num(bound.median), num(bound.p99), '1×', String(bound.n)]] : []),
  ];
  const chart = chartDir ? `\n\n![spawn+wait by library](${chartDir}/spawn-50mb.svg)` : '';
  return head + table(['Library', 'median ms', 'p99 ms', 'vs C bound', 'n'], rows) + notes + chart;
}

function rssSection(r, chartDir) {
  const levels = r.spawn ?? [];
  const ok = levels.filter((l) => !l.error);
  const names = [...new Set(ok.flatMap((l) => l.rows.map((row) => row.name)))];
  const cell = (l, name, pick) => {
    const row = l.rows?.find((x) => x.name === name);
    if (!row) return 'n/a';
    return row.error ? 'failed' : pick(row);
  };
  const header = (what) => ['Library', ...ok.map((l) => `${l.label} ${what}`)];
  const costRows = names.map((name) => [name, ...ok.map((l) => cell(l, name, (row) => medianP99(row.totalMs)))]);
  const stallRows = names.map((name) => [name, ...ok.map((l) => cell(l, name,
    (row) => `${num(row.stallMaxMs)} (${num(row.syncMs.p99)} / ${num(row.syncMs.max)})`))]);
  if (ok.some((l) => l.cBound?.syncMs)) {
    stallRows.push([ok.find((l) => l.cBound)?.cBound.name, ...ok.map((l) => (l.cBound?.syncMs
      ? `– (${num(l.cBound.syncMs.p99)} / ${num(l.cBound.syncMs.max)})` : 'n/a'))]);
  }
  const sameRss = (l) => (l.cBoundSameRss && !l.cBoundSameRss.error ? l.cBoundSameRss : undefined);
  if (ok.some((l) => sameRss(l)?.syncMs)) {
    stallRows.push([ok.find(sameRss).cBoundSameRss.name, ...ok.map((l) => (sameRss(l)?.syncMs
      ? `– (${num(l.cBoundSameRss.syncMs.p99)} / ${num(l.cBoundSameRss.syncMs.max)})` : 'n/a'))]);
  }
  if (ok.some((l) => l.floor && !l.floor.error)) {
    stallRows.push([ok.find((l) => l.floor)?.floor.name, ...ok.map((l) => (l.floor && !l.floor.error
      ? `${num(l.floor.stallMaxMs)} (–)` : 'n/a'))]);
  }
  const measuredRss = ok.map((l) => `${l.label}: ${num(l.rssBytes / 2 ** 20)} MiB`).join(', ');
  const plan = ok.find((l) => l.plan)?.plan ?? {};
  const warmupText = `${plan.warmup ?? 0} calls and then ${((plan.warmupMs ?? 0) / 1000).toFixed(1)} s of calls`;
  const failed = levels.filter((l) => l.error).map((l) => `_${l.label}: ${l.error}._`).join('\n');
  return [
    '## 2. spawn + wait by parent RSS',
    '',
    'The parent grows its RSS by allocating Buffers and writing to every page; each level runs in a'
    + ` separate Node process. Measured RSS when the level started: ${measuredRss}. Each cell runs`
    + ' for a time budget (min/max iteration counts), so slow libraries get fewer samples.',
    '',
    '**Cost per spawn+wait, median / p99 ms**',
    '',
    table(header('ms'), costRows),
    '',
    '**Longest event-loop stall, ms**: the larger of monitorEventLoopDelay\'s maximum (1 ms resolution,'
    + ' minus the 1 ms period) and the longest synchronous spawn call; in parentheses the p99 / longest'
    + ' time spent inside the spawn call itself.'
    + ' The C row is the time inside `posix_spawn` (the caller is suspended until the child execs, as'
    + ' under vfork): on a loaded machine that is the floor for any spawn call; the same-RSS row is'
    + ' that time in a C process that holds as much touched memory as the Node parent. The last row spawns'
    + ' nothing (a 0 ms timer per iteration, same warm-up and time budget): the stall the runtime and'
    + ' the machine cause on their own. Every cell is timed after a warm-up of'
    + ` ${warmupText}, so that V8 has optimized the code on the spawn path (see Findings).`
    + ' spawnSync blocks for the whole run of the child by design.',
    '',
    table(header('stall (in call p99 / max)'), stallRows),
    ...roundsTables(ok),
    ...(failed ? ['', failed] : []),
    ...(chartDir ? ['', `![cost vs parent RSS](${chartDir}/spawn-vs-rss.svg)`] : []),
  ].join('\n');
}

/**
 * From 1 GB up: each interleaved round's median for procctl and the two C bounds (a small C
 * process, and one grown to the same RSS), so a cost that grows with RSS shows in every round.
 */
function roundsTables(levels) {
  const out = [];
  for (const l of levels) {
    const ours = l.rows?.find((row) => row.name === HEADLINE && !row.error);
    const same = l.cBoundSameRss && !l.cBoundSameRss.error ? l.cBoundSameRss : undefined;
    const small = l.cBound && !l.cBound.error ? l.cBound : undefined;
    if (!ours?.roundMedians || !same?.roundMedians) continue;
    const rows = ours.roundMedians.map((ms, i) => {
      const c = same.roundMedians[i];
      const s = small?.roundMedians?.[i];
      return [String(i + 1), num(ms), num(c), s === undefined ? 'n/a' : num(s), `${num(ms / c)}×`,
        s === undefined ? 'n/a' : `${num(ms / s)}×`];
    });
    const held = same.rssBytes ? num(same.rssBytes / 2 ** 20) : num(l.rssBytes / 2 ** 20);
    out.push('', `**${l.label}, round by round** (median ms of each interleaved round; the Node parent holds`
      + ` ${num(l.rssBytes / 2 ** 20)} MiB, touched in 64 MiB Buffers; the same-RSS bound is one long-lived C process`
      + ` grown once to ${held} MiB resident, malloc'ed and written in 64 MiB blocks, that runs every round)`, '',
      table(['Round', `${HEADLINE} ms`, 'C, same RSS ms', 'C, small process ms', 'vs C same RSS', 'vs C small'], rows));
  }
  return out;
}

function throughputSection(r, chartDir) {
  const t = r.throughput;
  const head = `## 3. Throughput: ${t?.inFlight ?? 64} in flight, ${t?.total ?? 2000} in total\n\n`
    + 'Spawns of `/bin/true` per second (median and slowest of the repeats) and the time from start to'
    + ' exit event of each spawn under that load. spawnSync cannot have children in flight and is left out.\n\n';
  if (!t || t.error) return head + (failure(t) ?? '_Not measured._');
  const { ok, notes } = splitRows(t.rows);
  const rows = ok.map((row) => [row.name, num(row.spawnsPerSec.median), num(row.spawnsPerSec.min),
    medianP99(row.latencyMs)]);
  if (t.cInflight?.spawnsPerSec) {
    rows.push([t.cInflight.name, num(t.cInflight.spawnsPerSec.median), num(t.cInflight.spawnsPerSec.min), 'n/a']);
  }
  const chart = chartDir ? `\n\n![throughput](${chartDir}/throughput.svg)` : '';
  return head + table(['Library', 'spawns/s (median)', 'spawns/s (slowest)', 'per spawn median / p99 ms'], rows)
    + `${notes}\n\n${t.repeats} repeat(s).${chart}`;
}

function exitSection(r, chartDir) {
  const e = r.exitLatency;
  const head = '## 4. Exit-notification latency\n\n'
    + 'The child (bench/c/stamp-exit.c) writes its CLOCK_MONOTONIC time to a file right before `_exit`;'
    + ' latency is the time the library\'s exit callback ran (`process.hrtime.bigint()`, the same clock)'
    + ' minus that stamp. It includes the kernel\'s teardown of the exiting process; the C row (a blocking'
    + ' `waitpid` in a C parent, bench/c/spawn-loop.c) is the floor for that.\n\n';
  if (!e || e.error) return head + (failure(e) ?? '_Not measured._');
  const { ok, notes } = splitRows(e.rows);
  const bound = e.cBound?.latencyUs ? [e.cBound] : [];
  const rows = [...ok, ...bound].map((row) => [row.name, num(row.latencyUs.median), num(row.latencyUs.p99),
    num(row.latencyUs.max), String(row.latencyUs.n)]);
  const chart = chartDir ? `\n\n![exit latency](${chartDir}/exit-latency.svg)` : '';
  return head + table(['Library', 'median µs', 'p99 µs', 'max µs', 'n'], rows) + notes + chart;
}

function idleSection(r, chartDir) {
  const i = r.idle;
  const head = `## 5. ${i?.count ?? 1000} idle children\n\n`
    + '`sleep 1000`, each leading its own process group (procctl: default `group: \'new\'`, stop with'
    + ' `killGroup`; child_process: `detached: true`, stop with `process.kill(-pid)`). RSS is read after a'
    + ' full GC before and after starting them. "All exited" is the time from sending SIGTERM to every'
    + ' group to the last exit event; the C row is a C parent (bench/c/spawn-loop.c `groups`) that'
    + ' starts as many `sleep` groups with posix_spawn, signals them all and waits for the last'
    + ' waitpid: what the kernel takes to end that many processes on this machine.\n\n';
  if (!i || i.error) return head + (failure(i) ?? '_Not measured._');
  const { ok, notes } = splitRows(i.rows);
  const rows = ok.map((row) => [row.name, num(row.spawnAllMs.median), num(row.rssPerChildKb.median),
    num(row.terminateAllMs.median), num(row.terminateAllMs.max)]);
  if (i.cBound?.terminateAllMs) {
    rows.push([i.cBound.name, 'n/a', 'n/a', num(i.cBound.terminateAllMs.median), num(i.cBound.terminateAllMs.max)]);
  }
  const chart = chartDir ? `\n\n![idle children](${chartDir}/idle-children.svg)` : '';
  return head + table(['Library', 'start all, ms', 'parent RSS per child, KB', 'TERM → all exited, ms (median)',
    '(worst)'], rows) + `${notes}\n\n${i.repeats} repeat(s); medians over the repeats.${chart}`;
}

function execSection(r, chartDir) {
  const x = r.exec;
  const head = `## 6. exec round trip with captured output (\`${x?.command ?? '/bin/echo hi'}\`)\n\n`
    + 'Start, collect stdout, resolve. Milliseconds per call.\n\n';
  if (!x || x.error) return head + (failure(x) ?? '_Not measured._');
  const { ok, notes } = splitRows(x.rows);
  const ours = ok.find((row) => row.name === 'procctl')?.totalMs.median;
  const rows = ok.map((row) => [row.name, num(row.totalMs.median), num(row.totalMs.p99),
    ours ? `${num(row.totalMs.median / ours)}×` : 'n/a', String(row.totalMs.n)]);
  const chart = chartDir ? `\n\n![exec round trip](${chartDir}/exec.svg)` : '';
  return head + table(['Library', 'median ms', 'p99 ms', 'vs procctl', 'n'], rows) + notes + chart;
}

function spawnPathSection(r) {
  const paths = r.spawnPaths;
  if (!paths?.length) return null;
  const head = '## 7. procctl spawn + wait by clone path\n\n'
    + 'The vfork path (`CLONE_VM|CLONE_VFORK`, the default) against the fork path (a plain fork-style clone,'
    + ' forced with `PROCCTL_FORK_SPAWN=1`; taken by itself where the vfork-style clone is refused or runs as'
    + ' a fork, e.g. under qemu-user). Each cell runs in its own process; milliseconds per `/bin/true`.\n\n';
  const vfork = new Map(paths.filter((p) => p.path === 'vfork' && p.row?.totalMs).map((p) => [p.label, p.row.totalMs.median]));
  const rows = paths.map((p) => (p.error || !p.row?.totalMs
    ? [p.path ?? '?', p.label ?? '?', errorLine(p.error ?? p.row?.error ?? 'no result'), '', '']
    : [p.path, p.label, num(p.row.totalMs.median), num(p.row.totalMs.p99),
      vfork.has(p.label) ? `${num(p.row.totalMs.median / vfork.get(p.label))}×` : 'n/a']));
  return head + table(['path', 'parent RSS', 'median ms', 'p99 ms', 'vs vfork path'], rows);
}

/** The generated part of the report (everything above the findings marker). */
export function renderReport(results, { chartDir = null } = {}) {
  return [
    '# procctl benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.mjs)${results.mode === 'quick' ? ' in --quick mode' : ''}; do not edit above the Findings marker.`,
    '',
    machineSection(results),
    targetsSection(results),
    spawnBaseSection(results, chartDir),
    rssSection(results, chartDir),
    throughputSection(results, chartDir),
    exitSection(results, chartDir),
    idleSection(results, chartDir),
    execSection(results, chartDir),
    spawnPathSection(results),
    ...(results.extras ?? []).map(renderExtra),
    missingNote(...(results.spawn ?? []), results.throughput, results.exitLatency, results.idle, results.exec),
  ].filter(Boolean).join('\n\n');
}

/** Join a freshly rendered report with the hand-written findings of the previous file. */
export function withFindings(rendered, previous) {
  const at = previous?.indexOf(FINDINGS_MARKER) ?? -1;
  const findings = at >= 0 ? previous.slice(at + FINDINGS_MARKER.length).replace(/^\n+/, '') : DEFAULT_FINDINGS;
  return `${rendered}\n\n${FINDINGS_MARKER}\n\n${findings}`;
}
