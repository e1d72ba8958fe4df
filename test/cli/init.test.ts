// procctl init: signal forwarding to the command's group, waiting for what the command started,
// exit status, stopping leftovers, and PID 1 in a fresh PID namespace (reaping orphans).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CLI, finishCli, firstLine, isOneErrorLine, readFileSyncSafe, runCli, sleepers, startCli, tempDir, uniqueSleep, killMarked } from '../helpers/cli.js';
import { childrenOf, isRoot, killAll, readStat, waitUntil, withDeadline, zombieChildren } from '../helpers/proc.js';

/** A shell script: two apps that log their TERM and take 200 ms to shut down, then `wait`. */
function writeApps(dir: string, log: string, naps: [string, string]): string {
  const app = (name: string, nap: string): string =>
    `sh -c 'trap "echo ${name} got TERM >> ${log}; sleep 0.2; echo ${name} done >> ${log}; exit 0" TERM; sleep ${nap} & wait' &`;
  const path = join(dir, 'apps.sh');
  writeFileSync(path, `${app('app1', naps[0])}\n${app('app2', naps[1])}\necho ready\nwait\n`);
  return path;
}

describe('procctl init', { timeout: 60_000 }, () => {
  test('a TERM to init reaches both apps; init waits for them and exits 128+15', async () => {
    const dir = tempDir();
    const log = join(dir.path, 'log');
    const naps: [string, string] = [uniqueSleep(), uniqueSleep()];
    const init = startCli(['init', '--', 'sh', writeApps(dir.path, log, naps)]);
    try {
      assert.equal(await firstLine(init), 'ready');
      await waitUntil(() => sleepers(naps[0]).length + sleepers(naps[1]).length === 2, 5000, 'both apps');
      init.kill('SIGTERM');
      const result = await finishCli(init, 15_000);
      const lines = readFileSyncSafe(log).trim().split('\n').sort();
      assert.deepEqual(lines, ['app1 done', 'app1 got TERM', 'app2 done', 'app2 got TERM'], 'both apps finished before init exited');
      assert.equal(result.code, 143, result.stderr);
      assert.deepEqual([...sleepers(naps[0]), ...sleepers(naps[1])], []);
    } finally {
      init.kill('SIGKILL');
      killMarked(...naps);
      dir.remove();
    }
  });

  test('exit status: the code, 128+N for a signal, 127 not found, 125 usage', async () => {
    assert.equal((await runCli(['init', '--', 'sh', '-c', 'exit 7'])).code, 7);
    assert.equal((await runCli(['init', 'sh', '-c', 'kill -KILL $$'])).code, 137);
    const missing = await runCli(['init', '--', '/nonexistent/tool']);
    assert.equal(missing.code, 127);
    assert.ok(isOneErrorLine(missing.stderr), missing.stderr);
    const help = await runCli(['init', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: procctl init .*--kill-after DURATION.*--rewrite SIG:SIG/s);
    for (const args of [['init'], ['init', '--kill-after', 'soon', 'true'], ['init', '--rewrite', 'TERM', 'true'], ['init', '--bogus', 'true']]) {
      const usage = await runCli(args);
      assert.equal(usage.code, 125, args.join(' '));
      assert.ok(isOneErrorLine(usage.stderr), usage.stderr);
    }
  });

  test('--rewrite TERM:USR1 forwards USR1 instead; runs in a new session as subreaper', async () => {
    const init = startCli(['init', '--rewrite', 'TERM:USR1', '--', 'sh', '-c', 'trap "echo got USR1; exit 5" USR1; echo ready; while :; do sleep 0.05; done']);
    try {
      assert.equal(await firstLine(init), 'ready');
      const [command] = childrenOf(init.pid!);
      const stat = readStat(command!);
      assert.equal(stat.sid, command, 'the command leads its own session');
      assert.equal(stat.pgid, command);
      init.kill('SIGTERM');
      const result = await finishCli(init, 10_000);
      assert.equal(result.code, 5);
      assert.match(result.stdout, /got USR1/);
    } finally {
      init.kill('SIGKILL');
    }
  });

  test('realtime signals are forwarded too (RTMIN+3, RTMAX), and do not kill init', async () => {
    // Node cannot listen for realtime signals; left at SIG_DFL one would terminate init itself.
    const script = 'trap "echo got 37" 37; trap "echo got 64; exit 6" 64; echo ready; while :; do sleep 0.05; done';
    const init = startCli(['init', '--', 'sh', '-c', script]);
    try {
      assert.equal(await firstLine(init), 'ready');
      // SigCgt of init must show 37 and 64 caught before a signal is sent: otherwise it would die.
      await waitUntil(() => {
        const caught = BigInt('0x' + (/SigCgt:\s*([0-9a-f]+)/.exec(readFileSyncSafe(`/proc/${init.pid}/status`))?.[1] ?? '0'));
        return (caught & (1n << 36n)) !== 0n && (caught & (1n << 63n)) !== 0n;
      }, 5000, 'init catches RTMIN+3 and RTMAX');
      process.kill(init.pid!, 37);
      assert.equal(await firstLine(init), 'got 37', 'the command got RTMIN+3');
      process.kill(init.pid!, 64);
      const result = await finishCli(init, 10_000);
      assert.equal(result.signal, null, 'init survived the realtime signals');
      assert.equal(result.code, 6, result.stderr);
      assert.match(result.stdout, /got 64/);
    } finally {
      init.kill('SIGKILL');
    }
  });

  test('as a subreaper it reaps orphans re-parented to it while the command runs', async () => {
    const nap = `0.3${process.pid}`; // a unique spelling of 0.3 s
    const init = startCli(['init', '--', 'sh', '-c', `for i in 1 2 3; do (sleep ${nap} &); done; echo ready; sleep 2`]);
    try {
      assert.equal(await firstLine(init), 'ready');
      await waitUntil(() => sleepers(nap).length === 3, 5000, 'the orphans');
      // Orphaned by their subshells, they came back to init, not to the system's init...
      for (const pid of sleepers(nap)) assert.equal(readStat(pid).ppid, init.pid);
      // ...and once they exited, init reaped them.
      await waitUntil(() => sleepers(nap).length === 0, 5000, 'the orphans to exit');
      await waitUntil(() => zombieChildren(init.pid!).length === 0, 5000, 'init to reap them');
      const children = childrenOf(init.pid!);
      assert.equal(children.length, 1, `only the command is left: ${children}`);
      init.kill('SIGTERM');
      assert.equal((await finishCli(init, 10_000)).code, 143);
    } finally {
      init.kill('SIGKILL');
    }
  });

  test('job control: TSTP is forwarded (as STOP with --rewrite TSTP:STOP) and init stops itself; CONT resumes both', async () => {
    // The command leads its own session, so its group is orphaned and the kernel discards a
    // TSTP sent to it; --rewrite TSTP:STOP makes the stop real (dumb-init has the same rule).
    const nap = uniqueSleep();
    const init = startCli(['init', '--rewrite', 'TSTP:STOP', '--', 'sh', '-c', `echo ready; sleep ${nap}`]);
    try {
      assert.equal(await firstLine(init), 'ready');
      await waitUntil(() => sleepers(nap).length === 1, 5000, 'the command');
      const [sleeper] = sleepers(nap);
      init.kill('SIGTSTP');
      await waitUntil(() => readStat(sleeper!).state === 'T' && readStat(init.pid!).state === 'T', 5000, 'both stopped');
      init.kill('SIGCONT');
      await waitUntil(() => readStat(sleeper!).state !== 'T' && readStat(init.pid!).state !== 'T', 5000, 'both running');
      init.kill('SIGTERM');
      assert.equal((await finishCli(init, 10_000)).code, 143);
    } finally {
      init.kill('SIGKILL');
      killMarked(nap);
    }
  });

  test('on a terminal it owns, the command gets a new group in the foreground (keeps its controlling tty)', (t) => {
    if (spawnSync('script', ['--version']).status !== 0) return t.skip('script(1) is not installed (needed for a pty)');
    // pgid, sid and tpgid are fields 5, 6 and 8 of /proc/PID/stat (comm is "(sh)": no spaces).
    // init hands the terminal over just after the spawn (and SIGCONTs the group, so a reader
    // stopped by SIGTTIN in between resumes): poll up to ~2 s for the handover.
    const poll = 'i=0; while :; do read -r _ _ _ _ pgid sid _ tpgid _ < /proc/$$/stat; [ "$pgid" = "$tpgid" ] || [ $i -ge 200 ] && break; i=$((i+1)); sleep 0.01; done';
    const inner = `${process.execPath} ${CLI} init -- sh -c '${poll}; echo ids $pgid $sid $tpgid; exit 3'; echo status=$?`;
    const result = spawnSync('script', ['-qec', inner, '/dev/null'], { encoding: 'utf8', timeout: 20_000 });
    const ids = /ids (\d+) (\d+) (\d+)/.exec(result.stdout);
    assert.ok(ids, result.stdout + result.stderr);
    const [, pgid, sid, tpgid] = ids.map(Number);
    assert.equal(tpgid, pgid, 'the command\'s group is the terminal\'s foreground group');
    assert.notEqual(sid, pgid, 'no new session: it keeps the controlling terminal');
    assert.match(result.stdout, /status=3/);
  });

  test('init never loads node:child_process (its reapAny would steal libuv\'s exits)', () => {
    const initModule = join(dirname(CLI), 'init.js');
    const probe = `await import(${JSON.stringify(initModule)}); console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('child_process'))));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.stdout.trim(), '[]', result.stderr);
  });

  test('leftovers of the command: TERM, then KILL after --kill-after; nothing survives', async () => {
    const nap = uniqueSleep();
    const started = performance.now();
    const result = await runCli(['init', '--kill-after', '300ms', '--', 'sh', '-c', `setsid sh -c "trap '' TERM; sleep ${nap}" & sleep 0.2; exit 4`], { deadline: 15_000 });
    try {
      assert.equal(result.code, 4, result.stderr);
      assert.ok(performance.now() - started >= 500, 'waited for --kill-after');
      assert.deepEqual(sleepers(nap), []);
    } finally {
      killMarked(nap);
    }
  });
});

function unshareWorks(): string | null {
  if (!isRoot) return 'needs root for unshare --pid';
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { timeout: 10_000 });
  return probe.status === 0 ? null : `unshare --pid --fork --mount-proc failed: ${String(probe.stderr ?? probe.error)}`;
}

describe('procctl init as PID 1', { timeout: 60_000 }, () => {
  test('reaps orphans re-parented to it: no zombie inside the namespace', async (t) => {
    const why = unshareWorks();
    if (why !== null) return t.skip(why);
    const inside = 'for i in 1 2 3 4 5; do (sleep 0.1 &); done; sleep 0.8; echo pid1=$(cat /proc/1/comm); echo zombies=$(awk \'{print $3}\' /proc/[0-9]*/stat | grep -c Z); exit 3';
    const result = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, CLI, 'init', '--', 'sh', '-c', inside], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stdout, /pid1=procctl-init/, 'PID 1 is procctl init, the same process execed into procctl-init');
    assert.match(result.stdout, /zombies=0/);
  });

  test('a TERM to PID 1 reaches both apps, which it waits for', async (t) => {
    const why = unshareWorks();
    if (why !== null) return t.skip(why);
    const dir = tempDir();
    const log = join(dir.path, 'log');
    const naps: [string, string] = [uniqueSleep(), uniqueSleep()];
    const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, CLI, 'init', '--', 'sh', writeApps(dir.path, log, naps)], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      assert.equal(await firstLine(unshare), 'ready');
      await waitUntil(() => sleepers(naps[0]).length + sleepers(naps[1]).length === 2, 5000, 'both apps');
      // unshare --fork's child is the namespace's PID 1: our node running init.
      const [pid1] = childrenOf(unshare.pid!);
      process.kill(pid1!, 'SIGTERM');
      const status = await withDeadline(new Promise<number | null>((resolve) => unshare.on('exit', (code) => resolve(code))), 15_000, 'init exit');
      assert.equal(status, 143);
      const lines = readFileSyncSafe(log).trim().split('\n').sort();
      assert.deepEqual(lines, ['app1 done', 'app1 got TERM', 'app2 done', 'app2 got TERM']);
    } finally {
      unshare.kill('SIGKILL');
      killAll([...sleepers(naps[0]), ...sleepers(naps[1])]);
      dir.remove();
    }
  });
});
