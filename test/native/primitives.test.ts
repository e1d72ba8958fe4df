// The process primitives of the addon, against what /proc and the kernel say; errors carry
// Node's system-error fields (code, negative errno, syscall).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { native } from '../../lib/native.js';
import { SIGRTMAX, SIGRTMIN, SIGTERM, sigsetFromHex } from '../../lib/signals.js';
import { readStat, waitUntil } from '../helpers/proc.js';
import { fixtureReport, runFixture, spawnNative, thrown } from '../helpers/native.js';

describe('native primitives', { timeout: 30_000 }, () => {
  test('constants agree with lib/signals.ts', () => {
    const c = native().constants;
    assert.equal(c.SIGRTMIN, SIGRTMIN);
    assert.equal(c.SIGRTMAX, SIGRTMAX);
    assert.equal(typeof c.hasPidfd, 'boolean');
    assert.equal(typeof c.hasCloseRange, 'boolean');
  });

  test('getpgid and getsid match /proc', () => {
    const stat = readStat(process.pid);
    assert.equal(native().getpgid(0), stat.pgid);
    assert.equal(native().getpgid(process.pid), stat.pgid);
    assert.equal(native().getsid(0), stat.sid);
  });

  test('errors look like Node system errors', () => {
    const missing = 2147483647;
    const kill = thrown(() => native().kill(missing, 0));
    assert.equal(kill.code, 'ESRCH');
    assert.equal(kill.errno, -constants.errno.ESRCH);
    assert.equal(kill.syscall, 'kill');
    assert.equal(kill.message, 'ESRCH: no such process, kill');
    assert.equal(thrown(() => native().killpg(missing, 0)).code, 'ESRCH');
    assert.equal(thrown(() => native().getpgid(missing)).code, 'ESRCH');
    const [r, w] = native().pipe();
    try {
      assert.equal(thrown(() => native().tcgetpgrp(r)).code, 'ENOTTY');
    } finally {
      native().close(r);
      native().close(w);
    }
    const close = thrown(() => native().close(r));
    assert.equal(close.code, 'EBADF');
    assert.equal(close.syscall, 'close');
    assert.throws(() => native().kill('1' as unknown as number, 0), TypeError);
  });

  test('signal dispositions and mask of this process', () => {
    const handler = () => {};
    process.on('SIGUSR2', handler);
    try {
      const state = native().getSignalDispositions();
      assert.ok(state.ignored.includes(13), 'Node ignores SIGPIPE');
      assert.ok(state.caught.includes(12), 'a JS handler shows as caught');
      const previous = native().setSignalMask([10, 40]);
      try {
        assert.deepEqual(native().getSignalDispositions().blocked.filter((s) => s === 10 || s === 40), [10, 40]);
      } finally {
        native().setSignalMask(previous);
      }
      native().setSignalDisposition(40, 'ignore');
      assert.ok(native().getSignalDispositions().ignored.includes(40));
      native().setSignalDisposition(40, 'default');
      assert.ok(!native().getSignalDispositions().ignored.includes(40));
      assert.equal(thrown(() => native().setSignalDisposition(9, 'ignore')).code, 'EINVAL');
    } finally {
      process.off('SIGUSR2', handler);
    }
  });

  test('waitJobState reports a child\'s stop and continue, never its exit', async () => {
    const child = spawnNative(['sleep', '30']);
    try {
      assert.equal(native().waitJobState(child.pid), null, 'nothing to report yet');
      native().kill(child.pid, 19); // SIGSTOP
      await waitUntil(() => readStat(child.pid).state === 'T', 5000, 'the child to stop');
      let event = null;
      await waitUntil(() => (event = native().waitJobState(child.pid)) !== null, 5000, 'the stop report');
      assert.deepEqual(event, { state: 'stopped', signal: 19 });
      assert.equal(native().waitJobState(child.pid), null, 'each stop is reported once');
      native().kill(child.pid, 18); // SIGCONT
      await waitUntil(() => (event = native().waitJobState(child.pid)) !== null, 5000, 'the continue report');
      assert.deepEqual(event, { state: 'continued', signal: 18 });
    } finally {
      native().kill(child.pid, 9);
    }
    const exit = await child.exited;
    assert.equal(exit.signal, 9, 'the exit watcher still collects the exit');
    assert.equal(native().waitJobState(child.pid), null, 'a reaped child: nothing (ECHILD)');
    assert.throws(() => native().waitJobState(0), RangeError);
  });

  test('setsid and setpgid (in a fixture process)', async () => {
    const fresh = fixtureReport<{ sid: number; pid: number; statSid: number; statPgid: number; getsid: number }>(
      await runFixture('session', ['new']),
    );
    assert.equal(fresh.sid, fresh.pid);
    assert.equal(fresh.statSid, fresh.pid);
    assert.equal(fresh.statPgid, fresh.pid);
    assert.equal(fresh.getsid, fresh.pid);

    const leader = fixtureReport<{ error: { code: string; errno: number; syscall: string } | null; pgid: number }>(
      await runFixture('session', ['leader']),
    );
    assert.deepEqual(leader.error, { code: 'EPERM', errno: -constants.errno.EPERM, syscall: 'setsid' });
  });

  test('child subreaper round trip', () => {
    const before = native().getChildSubreaper();
    native().setChildSubreaper(true);
    assert.equal(native().getChildSubreaper(), true);
    native().setChildSubreaper(before);
    assert.equal(native().getChildSubreaper(), before);
  });

  test('reapAny with nothing to reap', () => {
    assert.deepEqual(native().reapAny(), []);
  });

  test('execve in place keeps the pid and resets signals', async () => {
    const result = await runFixture('exec-in-place', ['ok']);
    assert.equal(result.code, 0, result.stderr);
    const [first, shellPid, sigIgn] = result.stdout.trim().split('\n');
    assert.equal(Number(shellPid), (JSON.parse(first ?? '{}') as { pid: number }).pid, 'same pid after execve');
    assert.match(sigIgn ?? '', /^SigIgn:\s+0+$/);
  });

  test('holdSignals: every thread blocks the signals, sent after it they stay pending into the next program, and no listener sees them', async () => {
    const result = await runFixture('hold-signals', [], { timeout: 20_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /listener|execve returned/);
    const [report, ...statusLines] = result.stdout.trim().split('\n');
    const { threads } = JSON.parse(report!) as { threads: Array<{ tid: number; blocksHeld: boolean }> };
    assert.ok(threads.length > 1, `Node runs more than one thread: ${report}`);
    assert.deepEqual(threads.filter((thread) => !thread.blocksHeld), [], 'threads that still take a held signal');
    const pending = new Set(
      statusLines.flatMap((line) => sigsetFromHex(/^(?:SigPnd|ShdPnd):\s*(\w+)$/.exec(line)?.[1] ?? '0')),
    );
    assert.ok(pending.has(SIGTERM) && pending.has(SIGRTMIN + 2), `TERM and RTMIN+2 pending after execve:\n${result.stdout}`);
  });

  test('holdSignals refuses what cannot be held, naming the element', () => {
    assert.throws(() => native().holdSignals([SIGTERM, 9]), { name: 'TypeError', message: 'signals[1] must be a catchable signal number 1..64' });
    assert.throws(() => native().holdSignals([65]), /signals\[0\]/);
  });

  test('execve in place returns the error record on failure', async () => {
    const result = await runFixture('exec-in-place', ['fail']);
    assert.equal(result.code, 0, result.stderr);
    const record = fixtureReport<{ code: string; errno: number; stage: string; syscall: string; path: string; message: string }>(result);
    assert.equal(record.code, 'ENOENT');
    assert.equal(record.errno, -constants.errno.ENOENT);
    assert.equal(record.stage, 'exec');
    assert.equal(record.syscall, 'execve');
    assert.equal(record.path, 'procctl-missing');
    assert.match(record.message, /^ENOENT: no such file or directory, execve 'procctl-missing'$/);
  });
});
