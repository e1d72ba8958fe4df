// spawn(): what the child is (group, session, fds, signals, env, limits) as /proc shows it, its
// streams, its exit (from the pidfd, not the pipes), and spawn failures.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { spawn, SpawnError, type Subprocess } from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { quoteArgv } from '../../lib/errors.js';
import { isRoot, fdTargets, listFds, maskOf, readStat, sigMask, waitUntil, withDeadline, isAlive, exists } from '../helpers/proc.js';
import { NOBODY, distRoot, holdings, leaksBetween, libIndex, procView, readEnviron, runNodeScenario, settleLeaks } from '../helpers/reliability.js';
import { Started, execDone, sleepingNow } from '../helpers/spawn.js';
import { groupPidfdInEffect } from '../helpers/native.js';

let started = new Started();
afterEach(() => {
  started.cleanup();
  started = new Started();
});

async function readAll(child: Subprocess): Promise<string> {
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (text += s));
  await Promise.all([child.exited, once(child.stdout!, 'close')]);
  return text;
}

describe('process group and session', () => {
  test('by default the child leads a new group in our session', { timeout: 5000 }, async () => {
    const child = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore' }));
    const stat = readStat(child.pid);
    assert.equal(child.pgid, child.pid);
    assert.equal(stat.pgid, child.pid);
    assert.equal(stat.sid, native().getsid(0)); // getsid: emulators fake our own /proc stat
    child.kill('SIGKILL');
    assert.equal((await child.exited).signal, 'SIGKILL');
  });

  test('takeTerminal: the child is the foreground group of its terminal from its first instruction', { timeout: 20_000 }, (t) => {
    if (spawnSync('script', ['--version']).status !== 0) return t.skip('script(1) from util-linux is not installed (needed for a pseudo-terminal)');
    // On a pseudo-terminal (script -c: a new session whose terminal it is), a Node parent spawns a
    // shell that compares its pgid with the terminal's foreground group (fields 5 and 8 of its
    // stat) as its first command, then takes the terminal back. Without the hand-over in the
    // child, the parent would do it only after the spawn, and the shell could look first.
    const scenario = [
      `import { spawn } from ${JSON.stringify(libIndex)};`,
      `import { native } from ${JSON.stringify(join(distRoot, 'lib', 'native.js'))};`,
      `const fg = 'read -r _ _ _ _ pgid _ _ tpgid _ < /proc/$$/stat; [ "$pgid" = "$tpgid" ] && echo child-fg=yes || echo child-fg=no';`,
      `const child = spawn('sh', ['-c', fg], { stdio: 'inherit', takeTerminal: true });`,
      `const exit = await child.exited;`,
      `native().tcsetpgrp(0, native().getpgid(0));`,
      `console.log('status=' + exit.code + ' parent-fg=' + (native().tcgetpgrp(0) === native().getpgid(0)));`,
    ].join('\n');
    const result = spawnSync('script', ['-qec', quoteArgv(process.execPath, ['--input-type=module', '-e', scenario]), '/dev/null'], { encoding: 'utf8', timeout: 15_000 });
    const screen = result.stdout.replace(/\r/g, '');
    assert.match(screen, /child-fg=yes\nstatus=0 parent-fg=true\n/, `${screen}${result.stderr}`);
  });

  test('session: true makes the child a session leader', { timeout: 5000 }, async () => {
    const child = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore', session: true }));
    const stat = readStat(child.pid);
    assert.equal(stat.sid, child.pid);
    assert.equal(stat.pgid, child.pid);
    child.kill('SIGKILL');
    await child.exited;
  });

  test("group: 'inherit' stays in our group, and group signals are refused", { timeout: 5000 }, async () => {
    const child = spawn('sleep', [started.sleepArg()], { stdio: 'ignore', group: 'inherit' });
    const ours = native().getpgid(0);
    assert.equal(readStat(child.pid).pgid, ours);
    assert.equal(child.pgid, ours);
    assert.throws(() => child.killGroup('SIGTERM'), /own group/);
    // terminate() defaults to the process alone here.
    const result = await child.terminate({ grace: 1000 });
    assert.equal(result.signal, 'SIGTERM');
  });

  test('group: <pgid> joins an existing group', { timeout: 5000 }, async () => {
    const leader = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore' }));
    const member = spawn('sleep', [started.sleepArg()], { stdio: 'ignore', group: leader.pgid });
    assert.equal(readStat(member.pid).pgid, leader.pid);
    assert.equal(member.pgid, leader.pid);
    leader.killGroup('SIGKILL');
    await Promise.all([leader.exited, member.exited]);
  });
});

describe('fds and stdio', () => {
  test("closeFds (default) leaves only the stdio fds; 'ignore' is /dev/null", { timeout: 5000 }, async () => {
    const extra = openSync('/dev/zero', 'r'); // an fd the child must not see
    try {
      const child = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore' }));
      // The dynamic loader and sleep's start-up open files as fd 3 for a moment: look once the
      // child is blocked in its sleep, when the fd table is final.
      await sleepingNow(child.pid);
      assert.deepEqual(listFds(child.pid), [0, 1, 2], `fds: ${[...fdTargets(child.pid)].join(' ')}`);
      for (const fd of [0, 1, 2]) assert.equal(readlinkSync(`/proc/${child.pid}/fd/${fd}`), '/dev/null');
      child.kill('SIGKILL');
      await child.exited;
    } finally {
      closeSync(extra);
    }
  });

  test('a number in stdio passes that fd; stdio[3] is the child fd 3', { timeout: 5000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-spawn-'));
    const fd = openSync(join(dir, 'out'), 'w');
    try {
      const child = spawn('sh', ['-c', 'echo one; echo three >&3'], { stdio: ['ignore', fd, 'inherit', fd] });
      assert.equal((await child.exited).code, 0);
      assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'one\nthree\n');
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true });
    }
  });

  test('a stream with an fd (an open fs.WriteStream) can be given in stdio', { timeout: 5000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-spawn-'));
    const stream = createWriteStream(join(dir, 'err'));
    try {
      await once(stream, 'open');
      const child = spawn('sh', ['-c', 'echo to-stderr >&2'], { stdio: ['ignore', 'ignore', stream] });
      assert.equal((await child.exited).code, 0);
      assert.equal(readFileSync(join(dir, 'err'), 'utf8'), 'to-stderr\n');
    } finally {
      stream.destroy();
      rmSync(dir, { recursive: true });
    }
  });

  test('stdout and stdin are streams over pipes', { timeout: 5000 }, async () => {
    const child = spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin!.end('through cat\n');
    assert.equal(await readAll(child), 'through cat\n');
    assert.equal(child.exitResult?.code, 0);
  });
});

describe('exit', () => {
  test("'spawn' and 'exit' events; exited resolves with code, signal and rusage", { timeout: 5000 }, async () => {
    const child = spawn('sh', ['-c', 'exit 7'], { stdio: 'ignore' });
    const events: string[] = [];
    child.on('spawn', () => events.push('spawn'));
    child.on('exit', (code, signal) => events.push(`exit ${code} ${signal}`));
    const result = await child.exited;
    assert.deepEqual(events, ['spawn', 'exit 7 null']);
    assert.equal(result.code, 7);
    assert.equal(result.signal, null);
    assert.equal(result.coreDumped, false);
    assert.equal(typeof result.rusage.userCpuMs, 'number');
    assert.ok(result.durationMs >= 0);
  });

  test('exited resolves at the exit even while a grandchild holds stdout open', { timeout: 8000 }, async () => {
    const marker = started.sleepArg();
    const child = started.group(spawn('sh', ['-c', `sleep ${marker} & echo hi`], { stdio: ['ignore', 'pipe', 'ignore'] }));
    let closed = false;
    child.stdout!.on('close', () => (closed = true)).resume();
    const result = await withDeadline(child.exited, 3000, 'exit while the pipe is held');
    assert.equal(result.code, 0);
    assert.equal(closed, false, 'stdout is still open: the exit did not come from EOF');
    await waitUntil(() => started.sleepers().length === 1, 3000, 'the grandchild (forked before the exit)');
    child.stdout!.destroy();
  });

  test('awaiting exited after the process already exited works', { timeout: 5000 }, async () => {
    const child = spawn('true', [], { stdio: 'ignore' });
    await waitUntil(() => child.exitResult !== null, 3000, 'exit observed');
    await new Promise((r) => setTimeout(r, 50));
    const first = await child.exited;
    const again = await child.exited;
    assert.equal(first, again);
    assert.equal(first.code, 0);
    assert.equal(child.kill('SIGTERM'), false, 'kill after exit reports false');
  });

  test('the exit is reaped: no zombie is left behind', { timeout: 5000 }, async () => {
    const before = holdings();
    const child = spawn('sh', ['-c', 'exit 0'], { stdio: 'ignore' });
    await child.exited;
    assert.deepEqual(await settleLeaks(before), []);
    assert.equal(exists(child.pid), false);
  });

  test('kill() signals the process alone; it dies of that signal', { timeout: 5000 }, async () => {
    const child = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore' }));
    assert.equal(child.kill('SIGUSR1'), true);
    assert.equal((await child.exited).signal, 'SIGUSR1');
  });
});

describe('signals', () => {
  test('default: no signal ignored or blocked in the child', { timeout: 5000 }, async () => {
    const child = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore' }));
    assert.equal(sigMask(child.pid, 'SigIgn'), 0n);
    assert.equal(sigMask(child.pid, 'SigBlk'), 0n);
    child.kill('SIGKILL');
    await child.exited;
  });

  test('ignoreSignals and blockSignals reach the child (realtime included)', { timeout: 5000 }, async () => {
    const child = started.group(
      spawn('sleep', [started.sleepArg()], { stdio: 'ignore', ignoreSignals: ['HUP', 'RTMIN+3'], blockSignals: ['USR2', 64] }),
    );
    assert.equal(sigMask(child.pid, 'SigIgn'), maskOf(1, 37));
    assert.equal(sigMask(child.pid, 'SigBlk'), maskOf(12, 64));
    child.kill('SIGKILL');
    await child.exited;
  });

  test("an app started by `sh -c 'app &'` ignores SIGINT; through spawn() it does not, and dies of it", { timeout: 8000 }, async () => {
    // A non-interactive shell (job control off) sets SIGINT and SIGQUIT to SIG_IGN for background
    // jobs, and ignored dispositions survive exec: the app can never be stopped with Ctrl-C/SIGINT.
    const viaShell = started.sleepArg();
    const shell = started.group(spawn('sh', ['-c', `sleep ${viaShell} &`], { stdio: 'ignore' }));
    await shell.exited;
    await waitUntil(() => started.sleepers().length > 0, 3000, 'background sleep');
    const [app] = started.sleepers();
    assert.notEqual(sigMask(app!, 'SigIgn') & maskOf(2), 0n, 'SigIgn bit 2 (SIGINT) set by the shell');

    const direct = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore' }));
    assert.equal(sigMask(direct.pid, 'SigIgn') & maskOf(2, 3), 0n, 'SIGINT/SIGQUIT not ignored');
    direct.kill('SIGINT');
    assert.equal((await direct.exited).signal, 'SIGINT');
  });
});

describe('environment, argv0, cwd, limits', () => {
  test('env given: nothing of the parent environment leaks', { timeout: 5000 }, async () => {
    process.env.PROCCTL_PARENT_ONLY = 'leak';
    try {
      const child = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore', env: { ONLY: 'this', PATH: '/usr/bin:/bin' } }));
      await execDone(child.pid);
      assert.deepEqual(readEnviron(child.pid).sort(), ['ONLY=this', 'PATH=/usr/bin:/bin']);
      child.kill('SIGKILL');
      await child.exited;
    } finally {
      delete process.env.PROCCTL_PARENT_ONLY;
    }
  });

  test('argv0 and cwd', { timeout: 5000 }, async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'procctl-cwd-')));
    try {
      const child = spawn('sh', ['-c', 'echo "$0 $(pwd)"'], { argv0: 'renamed', cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
      assert.equal(await readAll(child), `renamed ${dir}\n`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test('rlimits and umask', { timeout: 5000 }, async () => {
    const child = started.group(
      spawn('sleep', [started.sleepArg()], { stdio: 'ignore', umask: 0o027, rlimits: { nofile: [100, 200], core: 0 } }),
    );
    const limits = readFileSync(`/proc/${child.pid}/limits`, 'utf8');
    assert.match(limits, /Max open files\s+100\s+200\s+files/);
    assert.match(limits, /Max core file size\s+0\s+0\s+bytes/);
    assert.match(readFileSync(`/proc/${child.pid}/status`, 'utf8'), /Umask:\s+0027/);
    child.kill('SIGKILL');
    await child.exited;
  });
});

describe('credentials', () => {
  test('uid/gid without groups clears the supplementary groups', { timeout: 5000 }, async (t) => {
    if (!isRoot) return t.skip('needs root to change uid');
    const child = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore', uid: NOBODY, gid: NOBODY }));
    await execDone(child.pid);
    const view = procView(child.pid);
    assert.equal(view.uid, NOBODY);
    assert.equal(view.gid, NOBODY);
    assert.deepEqual(view.groups, []);
    child.kill('SIGKILL');
    await child.exited;
  });
});

describe('failures', () => {
  test('a missing program is a SpawnError (ENOENT, stage exec), and nothing is left', { timeout: 5000 }, async () => {
    const before = holdings();
    let error: unknown;
    try {
      spawn('procctl-no-such-program', ['x']);
    } catch (e) {
      error = e;
    }
    assert.ok(SpawnError.is(error), String(error));
    assert.ok(error instanceof SpawnError);
    assert.equal(error.code, 'ENOENT');
    assert.equal(error.stage, 'exec');
    assert.equal(error.path, 'procctl-no-such-program');
    assert.ok(error.cause instanceof Error);
    assert.deepEqual(await settleLeaks(before), []);
  });

  test('a missing cwd fails at stage chdir with the directory as path', { timeout: 5000 }, async () => {
    const before = holdings();
    assert.throws(
      () => spawn('true', [], { cwd: '/procctl/no/such/dir' }),
      (e: unknown) => SpawnError.is(e) && e.stage === 'chdir' && e.code === 'ENOENT' && e.path === '/procctl/no/such/dir',
    );
    assert.deepEqual(await settleLeaks(before), []);
  });

  test('takeTerminal with a stdin that is not a terminal fails at stage terminal (ENOTTY), and nothing is left', { timeout: 5000 }, async () => {
    const before = holdings();
    assert.throws(
      () => spawn('true', [], { takeTerminal: true, stdio: ['pipe', 'ignore', 'ignore'] }),
      (e: unknown) => SpawnError.is(e) && e.stage === 'terminal' && e.code === 'ENOTTY' && e.syscall === 'tcsetpgrp',
    );
    assert.deepEqual(await settleLeaks(before), []);
  });

  test('an AbortSignal already aborted: AbortError, nothing created', { timeout: 5000 }, () => {
    const before = holdings();
    assert.throws(() => spawn('true', [], { signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.deepEqual(leaksBetween(before, holdings()), []);
  });
});

describe('limits: timeout and AbortSignal stop the group', () => {
  test('AbortSignal kills the whole group', { timeout: 8000 }, async () => {
    const controller = new AbortController();
    const a = started.sleepArg();
    const b = started.sleepArg();
    const child = started.group(spawn('sh', ['-c', `sleep ${a} & sleep ${b} & wait`], { stdio: 'ignore', signal: controller.signal }));
    await waitUntil(() => started.sleepers().length === 2, 3000, 'both sleeps');
    controller.abort();
    const result = await withDeadline(child.exited, 3000, 'exit after abort');
    assert.equal(result.signal, 'SIGTERM');
    assert.equal(child.aborted, true);
    await waitUntil(() => started.stragglers().length === 0, 3000, 'group gone');
  });

  test('timeout signals the group with killSignal', { timeout: 8000 }, async () => {
    const a = started.sleepArg();
    const child = started.group(spawn('sh', ['-c', `sleep ${a} & wait`], { stdio: 'ignore', timeout: 200, killSignal: 'SIGHUP' }));
    const result = await withDeadline(child.exited, 3000, 'exit after timeout');
    assert.equal(child.timedOut, true);
    assert.equal(result.signal, 'SIGHUP');
    await waitUntil(() => started.stragglers().length === 0, 3000, 'group gone');
  });

  test('the pgid is not reusable while a sweep runs: the leader is held as a zombie and reaped after, or (Linux 6.9+) reaped at once and the group reached through its pidfd', { timeout: 8000 }, async () => {
    const survivor = started.sleepArg();
    // The leader dies on TERM; the member ignores TERM and only goes at SIGKILL.
    const child = started.group(
      spawn('sh', ['-c', `sh -c 'trap "" TERM; exec sleep ${survivor}' & wait`], { stdio: 'ignore' }),
    );
    await waitUntil(() => started.sleepers().length === 1, 3000, 'member');
    const [member] = started.sleepers() as [number];
    // Precondition, observed rather than assumed: the member ignores TERM.
    await waitUntil(() => (sigMask(member, 'SigIgn') & maskOf(15)) !== 0n, 3000, 'member ignores TERM');
    const throughPidfd = await groupPidfdInEffect();
    const stopping = child.terminate({ grace: 1000 });
    await child.exited;
    if (throughPidfd) {
      // The member still carries the pgid, so the kernel keeps the number from being reused.
      assert.equal(exists(child.pid), false, 'leader reaped at once');
    } else {
      assert.equal(exists(child.pid), true, 'leader pid still taken');
      assert.equal(readStat(child.pid).state, 'Z', 'leader held as a zombie during the sweep');
    }
    const memberState = exists(member) ? readStat(member).state : 'gone';
    assert.equal(isAlive(member), true, `member still running (state ${memberState})`);
    await stopping;
    assert.equal(isAlive(member), false, 'the member was SIGKILLed');
    await waitUntil(() => !exists(child.pid), 2000, 'leader reaped after the sweep');
    assert.deepEqual(started.stragglers(), []);
  });
});

test('the native layer agrees: hold applies to group leaders only', { timeout: 5000 }, async () => {
  // Sanity check of the contract this suite relies on.
  assert.equal(typeof native().reap, 'function');
  const child = spawn('true', [], { stdio: 'ignore', group: 'inherit' });
  await child.exited;
  await waitUntil(() => !exists(child.pid), 2000, 'reaped');
});

describe('ref and unref', () => {
  test('an unref()ed child with pipes does not keep Node alive', { timeout: 15_000 }, async () => {
    const marker = started.sleepArg();
    const source = `
      import { spawn } from ${JSON.stringify(libIndex)};
      const child = spawn('sleep', [${JSON.stringify(marker)}], { timeout: 60000 });
      child.unref();
      console.log(JSON.stringify({ pid: child.pid }));
    `;
    const result = await runNodeScenario(source, { timeoutMs: 10_000 });
    assert.equal(result.signal, null, 'Node exited by itself (not killed by the scenario deadline)');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(typeof result.report?.pid, 'number');
  });
});
