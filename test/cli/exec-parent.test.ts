// procctl exec as the parent (--timeout): the group is signalled at the deadline and emptied,
// signals are forwarded to the group, the death signal is armed, --cleanup stops leftovers.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { finishCli, firstLine, killMarked, runCli, sleepers, startCli, uniqueSleep } from '../helpers/cli.js';
import { findByCmdline, isAlive, readStat, waitUntil } from '../helpers/proc.js';

const T = { timeout: 20_000 };

describe('procctl exec --timeout', () => {
  test('a killed sh -c wrapper takes its grandchildren with it: 124 at the deadline, nothing left', T, async () => {
    const nap = uniqueSleep();
    try {
      // The wrapper announces itself on stderr, so the 2 s count from the command's start, not
      // from Node's (which a loaded machine can slow down by hundreds of ms).
      const child = startCli(['exec', '--timeout', '1s', '--', 'sh', '-c', `echo started >&2; sh -c "sleep ${nap}"; echo done`]);
      let startedAt = 0;
      child.stderr?.once('data', () => (startedAt = Date.now()));
      const r = await finishCli(child);
      const elapsed = Date.now() - startedAt;
      assert.equal(r.code, 124, r.stderr);
      assert.equal(r.stderr, 'started\n');
      // On an idle machine this is ~1.05 s; the bound only has to tell "stopped at the 1 s
      // deadline" from "waited for the 1000 s sleep", with room for a loaded or sanitized run.
      assert.ok(startedAt > 0 && elapsed < 5000, `took ${elapsed} ms after the command started`);
      assert.equal(r.stdout, '', 'the wrapper was killed before it could echo');
      assert.deepEqual(findByCmdline(nap), [], 'no sleep left behind');
    } finally {
      killMarked(nap);
    }
  });

  test('procctl waits until the group is empty, not only for the leader', T, async () => {
    const nap = uniqueSleep();
    try {
      // The member ignores TERM; the leader dies at once. KILL after 300 ms empties the group.
      const r = await runCli(['exec', '--timeout', '200ms', '--kill-after', '300ms', 'sh', '-c', `(trap "" TERM; sleep ${nap}) & wait`]);
      assert.equal(r.code, 124, r.stderr);
      assert.deepEqual(findByCmdline(nap), []);
    } finally {
      killMarked(nap);
    }
  });

  test('signals procctl receives are forwarded to the command\'s group', T, async () => {
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGQUIT'] as const) {
      const child = startCli(['exec', '--timeout', '30', 'sh', '-c', `trap "exit 9" ${sig.slice(3)}; echo ready; while :; do sleep 0.05; done`]);
      const done = finishCli(child);
      assert.equal(await firstLine(child), 'ready');
      child.kill(sig);
      const r = await done;
      assert.equal(r.code, 9, `${sig}: ${r.stderr}`);
    }
  });

  test('WINCH and CONT are forwarded too', T, async () => {
    const child = startCli(['exec', '--timeout', '30', 'sh', '-c', 'trap "echo winch" WINCH; trap "echo cont; exit 5" CONT; echo ready; while :; do sleep 0.05; done']);
    const done = finishCli(child);
    assert.equal(await firstLine(child), 'ready');
    child.kill('SIGWINCH');
    await sleep(300);
    child.kill('SIGCONT');
    const r = await done;
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /winch\ncont/);
  });

  test('SIGKILL of procctl delivers --signal to the command (death signal)', T, async () => {
    const nap = uniqueSleep();
    const child = startCli(['exec', '--timeout', '30', '--signal', 'USR2', 'sh', '-c', `echo $$; exec sleep ${nap}`]);
    const done = finishCli(child);
    const pid = Number(await firstLine(child));
    try {
      assert.ok(isAlive(pid));
      child.kill('SIGKILL');
      await done;
      await waitUntil(() => !isAlive(pid), 3000, 'the command to die of its death signal');
    } finally {
      killMarked(nap);
    }
  });

  test('without --cleanup, members left in the group after the command exits are left alone', T, async () => {
    const nap = uniqueSleep();
    try {
      const r = await runCli(['exec', '--timeout', '30', 'sh', '-c', `sleep ${nap} >/dev/null 2>&1 & echo started`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(findByCmdline(nap).length, 1);
    } finally {
      killMarked(nap);
    }
  });

  test('--cleanup stops what is left in the group when the command exits', T, async () => {
    const nap = uniqueSleep();
    try {
      const r = await runCli(['exec', '--timeout', '30', '--cleanup', 'sh', '-c', `sleep ${nap} >/dev/null 2>&1 & exit 3`]);
      assert.equal(r.code, 3, r.stderr);
      assert.deepEqual(findByCmdline(nap), []);
    } finally {
      killMarked(nap);
    }
  });

  test('--cleanup escalates to KILL after --kill-after for members ignoring --signal', T, async () => {
    const nap = uniqueSleep();
    try {
      const start = Date.now();
      const r = await runCli(['exec', '--timeout', '30', '--cleanup', '--kill-after', '200ms', 'sh', '-c', `(trap "" TERM; sleep ${nap}) >/dev/null 2>&1 & exit 0`]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(Date.now() - start < 4000);
      assert.deepEqual(findByCmdline(nap), []);
    } finally {
      killMarked(nap);
    }
  });

  test('the command has procctl as its parent under --timeout', T, async () => {
    const r = await runCli(['exec', '--timeout', '10', 'sh', '-c', 'echo $PPID']);
    assert.equal(Number(r.stdout.trim()), r.pid);
  });
  test('-s INT -k 0.3 --timeout 0.3 on a command that ignores INT: 137 within a second', T, async () => {
    const child = startCli(['exec', '-s', 'INT', '-k', '0.3', '--timeout', '0.3', '--', 'sh', '-c', 'trap "" INT; echo started >&2; while :; do sleep 0.05; done']);
    let startedAt = 0;
    child.stderr?.once('data', () => (startedAt = Date.now()));
    const r = await finishCli(child);
    const elapsed = Date.now() - startedAt;
    assert.equal(r.code, 137, r.stderr);
    assert.ok(startedAt > 0 && elapsed < 1000, `took ${elapsed} ms after the command started`);
  });

  test("--preserve-status: the command's own status even when the deadline fired", T, async () => {
    const handled = await runCli(['exec', '--preserve-status', '--timeout', '200ms', 'sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.05; done']);
    assert.equal(handled.code, 7, handled.stderr);
    const killed = await runCli(['exec', '--preserve-status', '--timeout', '200ms', '-s', 'KILL', 'sh', '-c', 'while :; do sleep 0.05; done']);
    assert.equal(killed.code, 137, killed.stderr);
    const died = await runCli(['exec', '--preserve-status', '--timeout', '200ms', 'sh', '-c', 'while :; do sleep 0.05; done']);
    assert.equal(died.code, 143, died.stderr);
  });

  test('-v names the signal sent at the deadline, in one stderr line', T, async () => {
    const r = await runCli(['exec', '-v', '--timeout', '200ms', '--', 'sleep', '30']);
    assert.equal(r.code, 124);
    assert.equal(r.stderr, "procctl: sending signal TERM to command 'sleep'\n");
    const k = await runCli(['exec', '--verbose', '-s', 'RTMIN+2', '--timeout', '200ms', '--', 'sleep', '30']);
    assert.equal(k.stderr, "procctl: sending signal RTMIN+2 to command 'sleep'\n");
    const quiet = await runCli(['exec', '--timeout', '200ms', '--', 'sleep', '30']);
    assert.equal(quiet.stderr, '');
  });

  test('--foreground: the command stays in procctl\'s group and only the command is signalled', T, async () => {
    const nap = uniqueSleep();
    try {
      const r = await runCli(['exec', '--foreground', '--timeout', '500ms', '--', 'sh', '-c', `sleep ${nap} & read -r _ _ _ _ pgid _ < /proc/$$/stat; echo "$pgid"; wait`]);
      assert.equal(r.code, 124, r.stderr);
      // procctl runs in this test's group (child_process without detached), and so does the command.
      const ownGroup = readStat(process.pid).pgid;
      assert.equal(Number(r.stdout.trim()), ownGroup);
      // As timeout(1) --foreground: what the command started is not timed out.
      const [left] = sleepers(nap);
      assert.ok(left !== undefined, 'the background sleep was not signalled');
      assert.equal(readStat(left).pgid, ownGroup);
    } finally {
      killMarked(nap);
    }
  });
});
