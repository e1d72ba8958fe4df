// Group semantics: terminate() escalates and finishes only when the group is empty; killGroup,
// groupMembers and waitForGroupExit work on groups this process did not spawn.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn as spawnNode } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupMembers, killGroup, spawn, waitForGroupExit } from '../../lib/index.js';
import { childrenOf, exists, isAlive, maskOf, readStat, sigMask, waitUntil, withDeadline, killGroupQuietly } from '../helpers/proc.js';
import { runNodeScenario, scenarioPrelude } from '../helpers/reliability.js';
import { spawnNative } from '../helpers/native.js';
import { Started } from '../helpers/spawn.js';
import { native } from '../../lib/native.js';

let started = new Started();
afterEach(() => {
  started.cleanup();
  started = new Started();
});

describe('terminate()', () => {
  test('members trapping TERM: escalates to KILL after grace, resolves when the group is empty', { timeout: 10_000 }, async () => {
    const a = started.sleepArg();
    const b = started.sleepArg();
    // trap '' TERM: ignored dispositions are inherited by the sleeps, so nobody dies of TERM.
    const child = started.group(
      spawn('sh', ['-c', `trap '' TERM; sleep ${a} & sh -c 'sleep ${b}' & wait`], { stdio: 'ignore' }),
    );
    await waitUntil(() => started.sleepers().length === 2, 3000, 'both sleeps');
    const grace = 500;
    const t0 = performance.now();
    const result = await withDeadline(child.terminate({ grace }), 5000, 'terminate');
    const elapsed = performance.now() - t0;
    assert.ok(elapsed >= grace - 5, `waited the grace period before SIGKILL (${Math.round(elapsed)} ms)`);
    assert.equal(result.signal, 'SIGKILL');
    assert.deepEqual(groupMembers(child.pgid), [], 'group empty when terminate resolves');
    assert.deepEqual(started.stragglers(), []);
  });

  test('a group that exits on TERM: resolves long before the grace period', { timeout: 10_000 }, async () => {
    const child = started.group(
      spawn('sh', ['-c', `sleep ${started.sleepArg()} & sleep ${started.sleepArg()} & wait`], { stdio: 'ignore' }),
    );
    await waitUntil(() => started.sleepers().length === 2, 3000, 'both sleeps');
    const grace = 60_000; // beyond the test's own timeout: waiting for it would fail the test
    const result = await child.terminate({ grace });
    assert.equal(result.signal, 'SIGTERM');
    assert.deepEqual(groupMembers(child.pgid), []);
  });

  test('resolves when the group is empty, not when the leader exits', { timeout: 10_000 }, async () => {
    const survivor = started.sleepArg();
    const child = started.group(
      spawn('sh', ['-c', `sh -c "trap '' TERM; exec sleep ${survivor}" & wait`], { stdio: 'ignore' }),
    );
    await waitUntil(() => started.sleepers().length === 1, 3000, 'member');
    let terminated = false;
    const stopping = child.terminate({ grace: 400 }).then((r) => {
      terminated = true;
      return r;
    });
    const exit = await child.exited;
    assert.equal(exit.signal, 'SIGTERM', 'the leader died of TERM');
    assert.equal(terminated, false, 'terminate still pending while a member lives');
    assert.ok(groupMembers(child.pgid).length > 0);
    await stopping;
    assert.deepEqual(groupMembers(child.pgid), []);
  });

  test('a leader that left its group does not hold the stop: the emptied group ends it, then the leader is killed', { timeout: 10_000 }, async () => {
    const member = started.sleepArg();
    const ownGroup = native().getpgid(0);
    // The leader forks a sleep (which stays in the group), then moves itself into this process's
    // group (same session), so it is alive but no longer a member; TERM to the group reaches only the sleep.
    const child = started.group(spawn('perl', ['-e', `if (fork() == 0) { exec 'sleep', '${member}' } setpgrp(0, ${ownGroup}); sleep 60`], { stdio: 'ignore' }));
    try {
      await waitUntil(() => started.sleepers().length === 1 && native().getpgid(child.pid) === ownGroup, 3000, 'member and moved leader');
      const t0 = performance.now();
      const result = await withDeadline(child.terminate({ grace: 60_000 }), 5000, 'terminate');
      assert.ok(performance.now() - t0 < 5000, 'the grace period was not waited out');
      assert.equal(result.signal, 'SIGKILL', 'the leader, outside the group, was killed on its own');
      assert.deepEqual(groupMembers(child.pgid), []);
      assert.deepEqual(started.stragglers(), []);
    } finally {
      child.kill('SIGKILL');
      await child.exited;
    }
  });

  test('group: false stops the process alone', { timeout: 10_000 }, async () => {
    const member = started.sleepArg();
    const child = started.group(spawn('sh', ['-c', `sleep ${member} & wait`], { stdio: 'ignore' }));
    await waitUntil(() => started.sleepers().length === 1, 3000, 'member');
    const result = await child.terminate({ group: false, grace: 1000 });
    assert.equal(result.signal, 'SIGTERM');
    assert.equal(started.sleepers().length, 1, 'the member was left alone');
  });

  test('killGroup() after the leader was reaped and its group emptied reports false and signals nothing', { timeout: 5000 }, async () => {
    const child = spawn('true', [], { stdio: 'ignore' });
    await child.exited;
    await waitUntil(() => groupMembers(child.pgid).length === 0, 2000, 'group empty');
    assert.equal(child.killGroup('SIGKILL'), false);
    assert.equal(child.killedByGroup, false);
    const result = await child.terminate({ grace: 100 });
    assert.equal(result.code, 0, 'terminate() of a finished child resolves with its exit');
  });

  test('bad terminate() options throw before anything is signalled', { timeout: 5000 }, async () => {
    const child = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore' }));
    assert.throws(() => child.terminate({ grace: -1 }), /grace/);
    assert.throws(() => child.terminate({ signal: 'SIGNOPE' as never }), /signal/);
    assert.throws(() => child.kill('bogus' as never), /signal/);
    assert.equal(readStat(child.pid).state !== 'Z', true, 'still running');
    child.kill('SIGKILL');
    await child.exited;
  });
});

describe('groups this process did not spawn', () => {
  test('groupMembers, killGroup and waitForGroupExit', { timeout: 10_000 }, async () => {
    const marker = started.sleepArg();
    // node:child_process here on purpose: a group procctl did not create.
    const other = spawnNode('sh', ['-c', `sleep ${marker} & wait`], { detached: true, stdio: 'ignore' });
    const pgid = other.pid!;
    try {
      await waitUntil(() => groupMembers(pgid).length === 2, 3000, 'two members');
      assert.ok(groupMembers(pgid).includes(pgid));
      assert.equal(await waitForGroupExit(pgid, 50), false, 'still running: times out');
      assert.equal(killGroup(pgid, 0), true, 'signal 0 probes');
      assert.equal(killGroup(pgid, 'TERM'), true);
      assert.equal(await waitForGroupExit(pgid, 5000), true);
      assert.deepEqual(groupMembers(pgid), []);
      // An unused pgid: ESRCH is reported as false, not thrown.
      const unused = 4194000 + Math.floor(Math.random() * 300);
      if (groupMembers(unused).length === 0) assert.equal(killGroup(unused, 0), false);
    } finally {
      killGroupQuietly(pgid);
    }
  });
});

describe('killGroup and zombies', () => {
  test('a group whose only process is a zombie: killGroup is false, as groupMembers and waitForGroupExit say', { timeout: 10_000 }, async () => {
    // Held with WNOWAIT, the exited leader stays a zombie that carries the pgid.
    const leader = spawnNative(['true'], { fds: [-2, -2, -2] }, true);
    try {
      const exit = await withDeadline(leader.exited, 5000, 'leader exit');
      assert.equal(exit.held, true);
      assert.equal(readStat(leader.pid).state, 'Z', 'the leader is a zombie');
      assert.equal(readStat(leader.pid).pgid, leader.pid, 'and still carries the pgid');
      assert.deepEqual(groupMembers(leader.pid), []);
      assert.equal(await waitForGroupExit(leader.pid, 0), true);
      assert.equal(killGroup(leader.pid, 0), false, 'the probe agrees: no member is left');
      assert.equal(killGroup(leader.pid, 'SIGTERM'), false);
    } finally {
      native().reap(leader.id);
    }
  });

  test('a zombie beside a live member: killGroup is true and reaches the live one', { timeout: 10_000 }, async () => {
    const leader = spawnNative(['true'], { fds: [-2, -2, -2] }, true);
    const marker = started.sleepArg();
    const member = spawnNative(['sleep', marker], { fds: [-2, -2, -2], pgid: leader.pid });
    try {
      await withDeadline(leader.exited, 5000, 'leader exit');
      assert.deepEqual(groupMembers(leader.pid), [member.pid]);
      assert.equal(killGroup(leader.pid, 'SIGTERM'), true);
      const exit = await withDeadline(member.exited, 5000, 'member exit');
      assert.equal(exit.signal, 15);
    } finally {
      killGroupQuietly(leader.pid);
      native().reap(leader.id);
    }
  });
});

describe('groupMembers() reads /proc/PID/stat correctly', () => {
  test('zombies are not members; a command name with ") Z 1 2" in it does not confuse the parser', { timeout: 10_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-comm-'));
    const odd = join(dir, 'x) Z 1 2');
    copyFileSync('/bin/sleep', odd);
    chmodSync(odd, 0o755);
    const marker = started.sleepArg();
    // sh forks a short-lived child, then becomes the odd-named sleeper, which never reaps it.
    const child = started.group(spawn('sh', ['-c', `sleep 0 & exec "${odd}" ${marker}`], { stdio: 'ignore' }));
    try {
      await waitUntil(() => readStat(child.pid).comm === 'x) Z 1 2', 3000, 'exec of the odd name');
      await waitUntil(() => {
        const zombies = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        return zombies.length === 1 && readStat(Number(zombies[0])).state === 'Z';
      }, 3000, 'a zombie in the group');
      assert.deepEqual(groupMembers(child.pgid), [child.pid], 'the live leader only');
      assert.equal(await waitForGroupExit(child.pgid, 50), false);
    } finally {
      killGroupQuietly(child.pgid);
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('groupScan(0, among): only the groups asked about', () => {
  test('lists the groups with a live member among those given; a group of zombies and an unused id are left out', { timeout: 10_000 }, async () => {
    const a = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore' }));
    const b = started.group(spawn('sleep', [started.sleepArg()], { stdio: 'ignore' }));
    // A group whose only other process is a zombie: its leader never reaps the short-lived child.
    const z = started.group(spawn('sh', ['-c', `sleep 0 & exec sleep ${started.sleepArg()}`], { stdio: 'ignore' }));
    try {
      await waitUntil(() => {
        try {
          const children = readFileSync(`/proc/${z.pid}/task/${z.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
          return children.length === 1 && readStat(Number(children[0])).state === 'Z';
        } catch {
          return false;
        }
      }, 3000, 'a zombie in the third group');
      z.kill('SIGKILL');
      await z.exited;
      // The zombie child stays in z's group (reparented, not reaped here while the test looks).
      const unused = 4194304;
      assert.deepEqual(native().groupScan(0, [b.pgid, unused, a.pgid, z.pgid]), [a.pgid, b.pgid].sort((x, y) => x - y));
      assert.deepEqual(native().groupScan(0, []), []);
      assert.ok(native().groupScan(0).includes(a.pgid), 'without among: every group');
      assert.deepEqual(native().groupScan(a.pgid), [a.pid]);
      // The same pass, one live member per group: here each group's only live process.
      assert.deepEqual(native().groupWitnesses([b.pgid, unused, a.pgid, z.pgid]),
        [[a.pgid, a.pid], [b.pgid, b.pid]].sort((x, y) => x[0]! - y[0]!));
      assert.deepEqual(native().groupWitnesses([]), []);
    } finally {
      killGroupQuietly(a.pgid);
      killGroupQuietly(b.pgid);
      await Promise.all([a.exited, b.exited]);
    }
  });
});

/** Busy-waits, without yielding to the event loop (so no exit callback can run), until pid is a zombie. */
function spinUntilZombie(pid: number, ms = 3000): void {
  const deadline = performance.now() + ms;
  while (readStat(pid).state !== 'Z') {
    if (performance.now() > deadline) throw new Error(`${pid} did not become a zombie within ${ms} ms`);
  }
}

describe('liveInGroup: a child answers for its group without /proc', () => {
  for (const pidfd of [true, false]) {
    test(`live and in the group; not when the pgid differs, once it is a zombie the watcher has not reported, or once reaped (${pidfd ? 'pidfd' : 'SIGCHLD fallback'})`, { timeout: 10_000 }, async (t) => {
      native().setPidfdEnabled(pidfd);
      const marker = started.sleepArg();
      let leader, member;
      try {
        leader = spawnNative(['sleep', marker], { fds: [-2, -2, -2] });
        member = spawnNative(['sleep', marker], { fds: [-2, -2, -2], pgid: leader.pid });
      } finally {
        native().setPidfdEnabled(true);
      }
      try {
        if (pidfd && !leader.pidfd) return t.skip('children get no pidfd here (CLONE_PIDFD refused, as under qemu-user): the fallback variant covers them');
        assert.equal(leader.pidfd, pidfd);
        assert.equal(native().liveInGroup(leader.id, leader.pid), true);
        assert.equal(native().liveInGroup(member.id, leader.pid), true, 'a member of a group it does not lead');
        assert.equal(native().liveInGroup(member.id, member.pid), false, 'another pgid');
        assert.equal(native().signal(member.id, 9), true);
        spinUntilZombie(member.pid);
        assert.equal(native().liveInGroup(member.id, leader.pid), false, 'exited, its exit not reported yet');
        assert.equal(readStat(member.pid).state, 'Z', 'the check collected nothing (WNOWAIT)');
        await withDeadline(member.exited, 5000, 'member exit');
        assert.equal(exists(member.pid), false, 'reaped by the exit watcher');
        assert.equal(native().liveInGroup(member.id, leader.pid), false, 'reaped and forgotten');
        assert.equal(native().liveInGroup(0x7fffffff, leader.pid), false, 'an unknown id');
      } finally {
        killGroupQuietly(leader.pid);
        await Promise.all([leader.exited, member.exited]);
      }
    });
  }

  test('child.killGroup(): a leader that exited before its exit was reported does not count as a live member', { timeout: 10_000 }, async () => {
    const alone = spawn('true', [], { stdio: 'ignore' });
    spinUntilZombie(alone.pid);
    assert.equal(alone.killGroup(0), false, 'the zombie leader alone: no live member');
    assert.equal(alone.killedByGroup, false);
    await withDeadline(alone.exited, 5000, 'exit');

    const marker = started.sleepArg();
    // sh starts the member and stops itself; it exits once continued, with no event-loop turn between.
    const parent = started.group(spawn('sh', ['-c', `sleep ${marker} & kill -STOP $$; exit 0`], { stdio: 'ignore' }));
    await waitUntil(() => started.sleepers().length === 1 && readStat(parent.pid).state === 'T', 3000, 'the member, and sh stopped');
    const [sleeper] = started.sleepers();
    parent.kill('SIGCONT');
    spinUntilZombie(parent.pid);
    assert.equal(parent.killGroup('SIGTERM'), true, 'the member left behind is live');
    await waitUntil(() => !isAlive(sleeper!), 5000, 'the member ended by the TERM');
    await withDeadline(parent.exited, 5000, 'leader exit');
  });
});

describe('watchProcessExit: the exit of a process that is not a child', () => {
  test('calls back once the process has exited; 0 for a pid already gone; an unwatched id is never called', { timeout: 10_000 }, async () => {
    const marker = started.sleepArg();
    const child = started.group(spawn('sh', ['-c', `sleep ${marker} & wait`], { stdio: 'ignore' }));
    try {
      await waitUntil(() => started.sleepers().length === 1, 3000, 'the sleep');
      const [sleeper] = started.sleepers() as [number];
      assert.ok(!childrenOf(process.pid).includes(sleeper), 'the sleep is a grandchild');
      let unwatchedCalls = 0;
      const unwatched = native().watchProcessExit(sleeper, () => unwatchedCalls++);
      assert.ok(unwatched > 0);
      native().unwatchProcessExit(unwatched);
      native().unwatchProcessExit(unwatched); // a second time, or an unknown id: ignored
      let calls = 0;
      const gone = new Promise<void>((resolve) => {
        const id = native().watchProcessExit(sleeper, () => {
          calls++;
          resolve();
        });
        assert.ok(id > 0 && id !== unwatched, `a new watch id (${id})`);
      });
      assert.ok(isAlive(sleeper), 'no call while it lives');
      assert.equal(calls, 0);
      process.kill(sleeper, 'SIGKILL');
      await withDeadline(gone, 5000, 'the exit callback');
      assert.ok(!isAlive(sleeper), 'called only once the process is gone');
      await child.exited; // the sh reaps it: the pid is gone altogether
      assert.equal(native().watchProcessExit(sleeper, () => assert.fail('called for a pid already gone')), 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(calls, 1);
      assert.equal(unwatchedCalls, 0);
    } finally {
      killGroupQuietly(child.pgid);
      await child.exited;
    }
  });

  test('rejects what is not a pid and a callback that is not a function', () => {
    assert.throws(() => native().watchProcessExit('1' as unknown as number, () => {}), TypeError);
    assert.throws(() => native().watchProcessExit(0, () => {}), RangeError);
    assert.throws(() => native().watchProcessExit(process.pid, null as unknown as () => void), TypeError);
  });

  test('a member that outlives the leader ends the wait when it exits, without the grace running out', { timeout: 10_000 }, async () => {
    const marker = started.sleepArg();
    // The leader dies of TERM at once; the inner shell takes its time (300 ms) and then exits.
    const child = started.group(spawn('sh', ['-c', `sh -c 'trap "sleep 0.3; exit 0" TERM; sleep ${marker} & wait' & wait`], { stdio: 'ignore' }));
    try {
      await waitUntil(() => started.sleepers().length === 1, 3000, 'the inner sleep');
      const result = await withDeadline(child.terminate({ grace: 60_000 }), 8000, 'terminate');
      assert.equal(result.signal, 'SIGTERM', 'the leader died of TERM, nothing was escalated');
      assert.deepEqual(groupMembers(child.pgid), [], 'group empty when terminate resolves');
      assert.deepEqual(started.stragglers(), []);
    } finally {
      killGroupQuietly(child.pgid);
    }
  });
});

// Where the kernel signals a group through a pidfd (PIDFD_SIGNAL_PROCESS_GROUP, Linux 6.9), a
// sweep reaps the leader as soon as it exits and reaches the rest of the group through the
// leader's pidfd (spawn.test.ts checks that path; pid-reuse.test.ts a reused number). Without a
// pidfd, or with PROCCTL_NO_PIDFD_GROUP=1 (as on older kernels), the leader stays a zombie until
// the group is empty; the members are stopped all the same.
describe('a sweep whose leader exits first', () => {
  /** Stop a group whose member ignores TERM; report the leader as /proc shows it right after its exit. */
  async function stopOutlivedLeader(): Promise<string> {
    const member = started.sleepArg();
    const child = started.group(spawn('sh', ['-c', `sh -c "trap '' TERM; exec sleep ${member}" & wait`], { stdio: 'ignore' }));
    await waitUntil(() => started.sleepers().length === 1, 3000, 'member');
    const [sleeper] = started.sleepers() as [number];
    assert.notEqual(sigMask(sleeper, 'SigIgn') & maskOf(15), 0n, 'the member ignores TERM');
    const grace = 400;
    const t0 = performance.now();
    const stopping = child.terminate({ grace });
    const exit = await withDeadline(child.exited, 5000, 'the leader');
    assert.equal(exit.signal, 'SIGTERM', 'the leader died of TERM');
    const leader = exists(child.pid) ? readStat(child.pid).state : 'reaped';
    assert.equal(isAlive(sleeper), true, 'the member outlived the TERM');
    const result = await withDeadline(stopping, 5000, 'terminate');
    const elapsed = performance.now() - t0;
    assert.equal(result.signal, 'SIGTERM');
    assert.equal(isAlive(sleeper), false, 'the member was SIGKILLed');
    assert.deepEqual(groupMembers(child.pgid), [], 'group empty when terminate resolves');
    assert.ok(elapsed >= grace - 5, `SIGKILL came after the grace period (${Math.round(elapsed)} ms)`);
    assert.deepEqual(started.stragglers(), []);
    return leader;
  }

  test('without pidfd the leader is held as a zombie until the group is empty, and the member is SIGKILLed after grace', { timeout: 10_000 }, async () => {
    native().setPidfdEnabled(false);
    try {
      assert.equal(await stopOutlivedLeader(), 'Z');
    } finally {
      native().setPidfdEnabled(native().constants.hasPidfd);
    }
  });

  test('PROCCTL_NO_PIDFD_GROUP=1: the leader is held as on older kernels, the group is still emptied', { timeout: 20_000 }, async () => {
    const r = await runNodeScenario(`${scenarioPrelude()}
      const child = procctl.spawn('sh', ['-c', \`sh -c "trap '' TERM; exec sleep 30" & wait\`], { stdio: 'ignore' });
      report({ pgid: child.pgid });
      try {
        await proc.waitUntil(() => procctl.groupMembers(child.pgid).some((pid) => proc.readStat(pid).comm === 'sleep'), 3000, 'member');
        const [sleeper] = procctl.groupMembers(child.pgid).filter((pid) => pid !== child.pid);
        const stopping = child.terminate({ grace: 200 });
        await child.exited;
        const leader = proc.exists(child.pid) ? proc.readStat(child.pid).state : 'reaped';
        await stopping;
        report({ leader, memberAlive: proc.isAlive(sleeper), members: procctl.groupMembers(child.pgid) });
      } finally {
        child.killGroup('SIGKILL'); // a failed step leaves no sleeper behind (a no-op once stopped)
      }
    `, { env: { ...process.env, PROCCTL_NO_PIDFD_GROUP: '1' }, timeoutMs: 15_000 });
    if (r.signal === 'SIGKILL') {
      // Timed out: the scenario's group was killed, not the group it spawned. Its member sleeps
      // 30 s, longer than the scenario's 15 s bound, so the number is still that group's.
      const first = JSON.parse(r.stdout.split('\n')[0] || '{}') as { pgid?: number };
      if (first.pgid !== undefined) killGroupQuietly(first.pgid);
    }
    assert.ok(r.report, `scenario failed: ${r.stderr}`);
    assert.deepEqual(r.report, { leader: 'Z', memberAlive: false, members: [] });
  });
});

describe('without pidfd (the SIGCHLD/waitid fallback)', () => {
  test('terminate() still holds the leader, escalates and empties the group', { timeout: 10_000 }, async () => {
    native().setPidfdEnabled(false);
    try {
      assert.equal(native().watchProcessExit(process.pid, () => assert.fail('no watch without pidfds')), -1, 'group waits poll instead');
      const member = started.sleepArg();
      const child = started.group(spawn('sh', ['-c', `trap '' TERM; sleep ${member} & wait`], { stdio: 'ignore' }));
      await waitUntil(() => started.sleepers().length === 1, 3000, 'member');
      const result = await withDeadline(child.terminate({ grace: 200 }), 5000, 'terminate');
      assert.equal(result.signal, 'SIGKILL');
      assert.deepEqual(groupMembers(child.pgid), []);
      assert.deepEqual(started.stragglers(), []);
    } finally {
      native().setPidfdEnabled(true);
    }
  });
});
