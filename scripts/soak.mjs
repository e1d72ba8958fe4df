#!/usr/bin/env node
// npm run soak — hammer the spawn API and prove that nothing accumulates.
//
//   node scripts/soak.mjs [--count N] [--quick] [--concurrency C] [--workers W] [--seed S]
//                         [--rss-slack-mb M] [--ops exit,exec,kill,group-kill,timeout,terminate,...]
//
// Mixes plain exits, kills, group kills, timeouts, terminate(), exec() with output, spawn failures,
// hostile input (failing input streams, closed fds in stdio), and worker threads that spawn too.
// Samples fd count, zombie count and RSS four times a second and prints the curves; fails when
// they do not return to the baseline taken after a warm-up (fds and zombies exactly, RSS within
// the slack), when an operation saw the wrong result, or when any child's exit was not reported
// exactly once. --quick is the CI version (< 90 s).
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const procctl = await import(new URL('../dist/lib/index.js', import.meta.url).href);

// ------------------------------------------------------------------------------------------------
// Operations: each starts one child (or exec), checks the result, and counts the exit reports.

/** A marker in every soak child's argv so that stray processes can be found at the end. */
const MARKER = 'procctl-soak-child';

const OPERATIONS = [
  { name: 'exit', weight: 30, run: runExit },
  { name: 'exec', weight: 15, run: runExec },
  { name: 'kill', weight: 15, run: runKill },
  { name: 'group-kill', weight: 10, run: runGroupKill },
  { name: 'timeout', weight: 8, run: runTimeout },
  { name: 'terminate', weight: 8, run: runTerminate },
  { name: 'spawn-error', weight: 10, run: runSpawnError },
  { name: 'nonzero', weight: 4, run: runNonzero },
  { name: 'failing-input', weight: 4, run: runFailingInput },
  { name: 'closed-fd', weight: 2, run: runClosedFd },
];

/** Per-child exit bookkeeping: every started child must report exactly one exit. */
class ExitLedger {
  started = 0;
  reported = 0;
  duplicates = 0;
  watch(child) {
    this.started++;
    let seen = 0;
    const count = () => {
      seen++;
      if (seen === 1) this.reported++;
      else this.duplicates++;
    };
    // An 'exit' event (when the child is an EventEmitter) must fire once, like the promise.
    if (typeof child.on === 'function') child.on('exit', count);
    else child.exited.then(count, count);
    return child.exited;
  }
}

function sh(script, extra = {}) {
  return ['/bin/sh', ['-c', script, MARKER], { stdio: 'ignore', ...extra }];
}

function expect(condition, what, value) {
  if (!condition) throw new Error(`${what}; got ${JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
}

async function runExit(ledger) {
  const child = procctl.spawn('/bin/true', [MARKER], { stdio: 'ignore' });
  const r = await ledger.watch(child);
  expect(r.code === 0 && !r.signal, 'true should exit 0', r);
}

async function runNonzero(ledger) {
  const child = procctl.spawn(...sh('exit 3'));
  const r = await ledger.watch(child);
  expect(r.code === 3, 'exit 3 should report code 3', r);
}

async function runExec() {
  const r = await procctl.exec('/bin/echo', ['soak', MARKER], { timeout: 10_000 });
  expect(r.stdout === `soak ${MARKER}\n` && r.code === 0, 'echo output', r.stdout);
}

async function runKill(ledger) {
  const child = procctl.spawn('/bin/sleep', ['30'], { stdio: 'ignore', argv0: MARKER });
  const exited = ledger.watch(child);
  child.kill('SIGKILL');
  const r = await exited;
  expect(r.signal === 'SIGKILL' || r.signal === 9, 'kill should end with SIGKILL', r);
}

async function runGroupKill(ledger) {
  // The shell starts a grandchild in the same group; the group kill must reach both.
  const child = procctl.spawn(...sh('/bin/sleep 30 & /bin/sleep 30; wait'));
  const exited = ledger.watch(child);
  await sleep(1);
  child.killGroup('SIGKILL');
  const r = await exited;
  expect(r.signal === 'SIGKILL' || r.signal === 9, 'group kill should end the leader with SIGKILL', r);
}

async function runTimeout(ledger) {
  const child = procctl.spawn('/bin/sleep', ['30'], { stdio: 'ignore', argv0: MARKER, timeout: 5, killAfter: 1000 });
  const r = await ledger.watch(child);
  expect(r.signal === 'SIGTERM' || r.signal === 15, 'timeout should end with SIGTERM', r);
}

async function runTerminate(ledger) {
  // TERM is ignored by the shell, so terminate() has to escalate to KILL after the grace period.
  const child = procctl.spawn(...sh("trap '' TERM; /bin/sleep 30 & wait; wait"));
  const exited = ledger.watch(child);
  await sleep(2);
  await child.terminate({ signal: 'SIGTERM', grace: 20 });
  const r = await exited;
  expect(r.signal !== null && r.signal !== 0, 'terminate should end with a signal', r);
}

async function runSpawnError() {
  try {
    procctl.spawn('/nonexistent/procctl-soak', [MARKER], { stdio: 'ignore' });
  } catch (error) {
    expect(error.code === 'ENOENT' && error.stage === 'exec', 'spawn of a missing file should fail at exec with ENOENT', {
      code: error.code,
      stage: error.stage,
    });
    return;
  }
  throw new Error('spawn of a missing file did not throw');
}

async function runFailingInput() {
  // Half fail on open (ENOENT), half after some bytes: exec must reject with the stream's error.
  const boom = new Error('soak input failure');
  let input;
  if (Math.random() < 0.5) {
    input = createReadStream('/nonexistent/procctl-soak-input');
  } else {
    input = new Readable({ read() {} });
    input.push(Buffer.alloc(4096, 'x'));
    setTimeout(() => input.destroy(boom), 1);
  }
  try {
    await procctl.exec('/bin/sh', ['-c', 'cat; :', MARKER], { input, encoding: 'buffer', killAfter: 1000 });
  } catch (error) {
    expect(error.inputFailed === true && (error.cause === boom || error.cause?.code === 'ENOENT'), 'a failing input rejects with its error as cause', {
      inputFailed: error.inputFailed,
      cause: String(error.cause),
    });
    return;
  }
  throw new Error('exec with a failing input resolved');
}

async function runClosedFd() {
  // A number far above any fd this process opens: a closed fd that no other thread (workers, the
  // libuv threadpool) can reopen between the check and the spawn, unlike a freshly closed low one.
  const fd = 200_000 + Math.floor(Math.random() * 100_000);
  try {
    // Three pipes are created for 0-2 first; the spawn must still fail on the closed number.
    procctl.spawn('/bin/true', [MARKER], { stdio: ['pipe', 'pipe', 'pipe', fd] });
  } catch (error) {
    expect(error.code === 'EBADF' && error.stage === 'fd', 'a closed fd in stdio fails with EBADF at stage fd', { code: error.code, stage: error.stage });
    return;
  }
  throw new Error('spawn with a closed fd in stdio did not throw');
}

/** The operations a run mixes (all by default; --ops narrows it, e.g. to chase one failure). */
function selectOperations(names) {
  if (!names) return OPERATIONS;
  const wanted = names.split(',');
  const unknown = wanted.filter((n) => !OPERATIONS.some((op) => op.name === n));
  if (unknown.length > 0) throw new Error(`unknown operation(s) ${unknown.join(', ')}; known: ${OPERATIONS.map((op) => op.name).join(', ')}`);
  return OPERATIONS.filter((op) => wanted.includes(op.name));
}

function pickOperation(random, ops) {
  const total = ops.reduce((sum, op) => sum + op.weight, 0);
  let x = random() * total;
  for (const op of ops) {
    x -= op.weight;
    if (x < 0) return op;
  }
  return ops[0];
}

/** Deterministic PRNG (mulberry32) so a failing mix can be replayed with the same --seed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Run `count` operations with at most `concurrency` in flight; returns counters. */
async function runMix({ count, concurrency, seed, ops: opNames, onProgress }) {
  const random = prng(seed);
  const ops = selectOperations(opNames);
  const ledger = new ExitLedger();
  const perOp = Object.fromEntries(OPERATIONS.map((op) => [op.name, 0]));
  // Every failure is counted; the first few are kept to print.
  const failures = { count: 0, samples: [] };
  const fail = (text) => {
    failures.count++;
    if (failures.samples.length < 20) failures.samples.push(text);
  };
  // A process warning (say "fd opened in unmanaged mode twice") is a defect the soak must report.
  const onWarning = (warning) => fail(`warning: ${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  let next = 0;
  async function lane() {
    while (next < count) {
      const index = ++next;
      const op = pickOperation(random, ops);
      perOp[op.name]++;
      try {
        await op.run(ledger);
      } catch (error) {
        fail(`${op.name}: ${error?.stack ?? error}`);
      }
      onProgress?.(index);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  process.off('warning', onWarning);
  // Give late duplicate reports (if any) a chance to show up before counting.
  await sleep(50);
  return { done: next, perOp, failures, started: ledger.started, reported: ledger.reported, duplicates: ledger.duplicates };
}

// ------------------------------------------------------------------------------------------------
// Main thread: measure, run, measure again, judge.

function parseArgs(argv) {
  const options = { count: 100_000, quick: false, concurrency: 16, workers: 2, seed: 1, rssSlackMb: 48, ops: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || !/^\d+$/.test(v)) usage(`${arg} needs a non-negative integer`);
      return Number(v);
    };
    if (arg === '--count') options.count = value();
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--concurrency') options.concurrency = Math.max(1, value());
    else if (arg === '--workers') options.workers = value();
    else if (arg === '--seed') options.seed = value();
    else if (arg === '--rss-slack-mb') options.rssSlackMb = value();
    else if (arg === '--ops') options.ops = argv[++i] ?? usage('--ops needs a comma-separated list');
    else usage(`unknown argument ${arg}`);
  }
  if (options.quick && !argv.includes('--count')) options.count = 6000;
  return options;
}

function usage(message) {
  process.stderr.write(`soak: ${message}\nusage: soak.mjs [--count N] [--quick] [--concurrency C] [--workers W] [--seed S] [--rss-slack-mb M] [--ops a,b]\n`);
  process.exit(2);
}

let gc;
function collectGarbage() {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc');
  }
  gc();
}

function zombieCount() {
  let zombies = 0;
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    let children = '';
    try {
      children = readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').trim();
    } catch {
      continue;
    }
    for (const pid of children ? children.split(/\s+/) : []) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') zombies++;
      } catch {
        // reaped meanwhile
      }
    }
  }
  return zombies;
}

function strayChildren() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(MARKER)) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

async function measure() {
  collectGarbage();
  await sleep(100);
  collectGarbage();
  return {
    fds: readdirSync('/proc/self/fd').length,
    zombies: zombieCount(),
    rssMb: process.memoryUsage().rss / 1024 / 1024,
    heapMb: process.memoryUsage().heapUsed / 1024 / 1024,
  };
}

/** fds, zombies and RSS over time: one sample every 250 ms while the mix runs. */
function startSampling(startedAt, opsDone) {
  const samples = [];
  const take = () => {
    samples.push({
      s: (Date.now() - startedAt) / 1000,
      ops: opsDone(),
      fds: readdirSync('/proc/self/fd').length,
      zombies: zombieCount(),
      rssMb: process.memoryUsage().rss / 1024 / 1024,
    });
  };
  take();
  const timer = setInterval(take, 250);
  timer.unref();
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
    },
  };
}

/** Print the curves as a table of at most `rows` evenly spaced samples, with each series' peak. */
function printCurves(samples, rows = 16) {
  const step = Math.max(1, Math.ceil(samples.length / rows));
  const shown = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  console.log('curve      s     ops   fds zombies  rss MB');
  for (const x of shown) {
    console.log(`  ${x.s.toFixed(1).padStart(8)} ${String(x.ops).padStart(7)} ${String(x.fds).padStart(5)} ${String(x.zombies).padStart(7)} ${x.rssMb.toFixed(1).padStart(7)}`);
  }
  const peak = (key) => Math.max(...samples.map((x) => x[key]));
  console.log(`peak   fds=${peak('fds')} zombies=${peak('zombies')} rss=${peak('rssMb').toFixed(1)}MB over ${samples.length} samples`);
}

/** Measure until fds and zombies are back at the baseline, or `ms` passed: the settled end state. */
async function measureSettled(before, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = await measure();
    if ((m.fds <= before.fds && m.zombies <= before.zombies) || Date.now() > deadline) return m;
  }
}

function printFigures(label, m) {
  console.log(`${label.padEnd(6)} fds=${m.fds} zombies=${m.zombies} rss=${m.rssMb.toFixed(1)}MB heap=${m.heapMb.toFixed(1)}MB`);
}

function runWorker(config) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: config });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited ${code}`)));
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  // Each worker thread takes a share equal to one lane group of the main thread.
  const shares = options.workers + 2;
  const workerCount = options.workers === 0 ? 0 : Math.floor(options.count / shares);
  const mainCount = options.count - workerCount * options.workers;
  console.log(
    `soak: ${options.count} operations (${mainCount} main thread, ${options.workers} workers × ${workerCount}), concurrency ${options.concurrency}, seed ${options.seed}`,
  );

  // Warm-up: load the addon, start the libuv threadpool and JIT the paths before the baseline.
  await runMix({ count: 200, concurrency: options.concurrency, seed: options.seed + 1000, ops: options.ops });
  const before = await measure();
  printFigures('start', before);

  // RSS at the half-way mark: a leak grows with the count, allocator warm-up does not, so the
  // second half must stay (nearly) flat even when the first half settled upwards.
  let midRssMb;
  let opsDone = 0;
  const sampling = startSampling(started, () => opsDone);
  const half = Math.max(1000, Math.floor(mainCount / 2000) * 1000);
  const progress = (n) => {
    opsDone = Math.max(opsDone, n);
    if (n % 1000 !== 0) return;
    if (n === half) midRssMb = process.memoryUsage().rss / 1024 / 1024;
    const rss = (process.memoryUsage().rss / 1024 / 1024).toFixed(1);
    process.stdout.write(`  main thread: ${n}/${mainCount} (${((Date.now() - started) / 1000).toFixed(0)} s, rss ${rss}MB)\n`);
  };
  const results = await Promise.all([
    runMix({ count: mainCount, concurrency: options.concurrency, seed: options.seed, ops: options.ops, onProgress: progress }),
    ...Array.from({ length: options.workers }, (_, i) =>
      runWorker({ count: workerCount, concurrency: Math.max(1, options.concurrency >> 1), seed: options.seed + i + 1, ops: options.ops }),
    ),
  ]);
  // Worker threads are gone now: their addon instances must have released everything too.
  await sleep(200);
  const after = await measureSettled(before);
  sampling.stop();
  printCurves(sampling.samples);
  printFigures('end', after);

  const totals = { done: 0, started: 0, reported: 0, duplicates: 0, failures: [], failureCount: 0, perOp: {} };
  for (const r of results) {
    totals.done += r.done;
    totals.started += r.started;
    totals.reported += r.reported;
    totals.duplicates += r.duplicates;
    totals.failureCount += r.failures.count;
    totals.failures.push(...r.failures.samples);
    for (const [k, v] of Object.entries(r.perOp)) totals.perOp[k] = (totals.perOp[k] ?? 0) + v;
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`ops    ${Object.entries(totals.perOp).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log(
    `exits  started=${totals.started} reported=${totals.reported} duplicates=${totals.duplicates} in ${seconds.toFixed(1)} s (${(totals.done / seconds).toFixed(0)} ops/s)`,
  );

  const problems = [];
  if (totals.done !== options.count) problems.push(`ran ${totals.done} of ${options.count} operations`);
  if (totals.failureCount > 0) problems.push(`${totals.failureCount} operation(s) failed:\n    ${totals.failures.slice(0, 10).join('\n    ')}`);
  if (totals.reported !== totals.started) problems.push(`${totals.started - totals.reported} exit(s) never reported`);
  if (totals.duplicates > 0) problems.push(`${totals.duplicates} exit(s) reported more than once`);
  if (after.fds > before.fds) problems.push(`fd count did not return to the baseline: ${before.fds} → ${after.fds}`);
  if (after.zombies > before.zombies) problems.push(`zombies did not return to the baseline: ${before.zombies} → ${after.zombies}`);
  if (after.rssMb - before.rssMb > options.rssSlackMb) {
    problems.push(`RSS did not return to the baseline: grew ${(after.rssMb - before.rssMb).toFixed(1)} MB (> ${options.rssSlackMb} MB slack)`);
  }
  if (midRssMb !== undefined) {
    console.log(`half   rss=${midRssMb.toFixed(1)}MB after ${half} main-thread operations`);
    if (after.rssMb - midRssMb > options.rssSlackMb / 2) {
      problems.push(`RSS grew ${(after.rssMb - midRssMb).toFixed(1)} MB in the second half (> ${options.rssSlackMb / 2} MB): growth with the count`);
    }
  }
  const strays = strayChildren();
  if (strays.length > 0) {
    problems.push(`stray soak processes still alive: ${strays.join(', ')}`);
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  if (problems.length > 0) {
    console.error(`soak: FAILED\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log('soak: ok — fds, zombies and RSS returned to the baseline; every exit reported exactly once');
}

// ------------------------------------------------------------------------------------------------
// Worker threads run the same mix through their own addon instance.

if (isMainThread) await main();
else parentPort.postMessage(await runMix(workerData));
