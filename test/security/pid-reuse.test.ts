// PID reuse: a signal meant for a child that is gone must never reach the process that inherited
// its PID number. The scenario runs as PID 1 of a new PID namespace (unshare --pid --fork
// --mount-proc), where nobody else creates processes and /proc/sys/kernel/ns_last_pid is writable,
// so the next PID can be chosen: the test forces an unrelated process onto the dead child's PID and
// then calls the dead child's kill()/killGroup().
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isRoot } from '../helpers/proc.js';
import { distRoot, hasTool, runNodeScenario, scenarioPrelude, type ScenarioResult } from '../helpers/reliability.js';

const PRELUDE = `${scenarioPrelude()}
  import { writeFileSync } from 'node:fs';
  import { setTimeout as sleep } from 'node:timers/promises';
  import { native } from ${JSON.stringify(join(distRoot, 'lib', 'native.js'))};
  await rel.warmUp();
  /** The next process created gets pid n. */
  const nextPid = (n) => writeFileSync('/proc/sys/kernel/ns_last_pid', String(n - 1));
  const victims = [];
  /** Start an unrelated process that takes over \`pid\`. */
  const takeOver = (pid, options = {}) => {
    nextPid(pid);
    const v = procctl.spawn('/bin/sleep', ['30'], { stdio: 'ignore', ...options });
    victims.push(v);
    return v;
  };
  const cleanup = async () => { for (const v of victims) { v.kill('SIGKILL'); await v.exited; } };
  const outcomeOf = (fn) => { try { return { value: fn() }; } catch (e) { return { error: describeError(e) }; } };
`;

async function runInPidNamespace(body: string): Promise<ScenarioResult | string> {
  const r = await runNodeScenario(`${PRELUDE}${body}`, { wrapper: ['unshare', '--pid', '--fork', '--mount-proc'] });
  if (r.report === null && /unshare|Operation not permitted|ns_last_pid/i.test(r.stderr)) return r.stderr.trim().split('\n')[0] ?? 'unshare failed';
  return r;
}

describe('security: signals never reach a reused PID', { timeout: 60_000 }, () => {
  const available = async (): Promise<string | null> => {
    if (!isRoot) return 'needs root for a PID namespace and ns_last_pid';
    if (!(await hasTool('unshare'))) return 'unshare (util-linux) not installed';
    return null;
  };

  test('kill() after the child exited and was reaped returns false; the new owner lives', async (t) => {
    const why = await available();
    if (why) return t.skip(why);
    const r = await runInPidNamespace(`
      const dead = procctl.spawn('/bin/true', [], { stdio: 'ignore' });
      await dead.exited;
      const victim = takeOver(dead.pid);
      const killed = outcomeOf(() => dead.kill('SIGKILL'));
      await sleep(100);
      const victimAlive = proc.isAlive(victim.pid);
      await cleanup();
      report({ deadPid: dead.pid, victimPid: victim.pid, killed, victimAlive });
    `);
    if (typeof r === 'string') return t.skip(`PID namespace unavailable: ${r}`);
    assert.ok(r.report, `scenario failed: ${r.stderr}`);
    assert.equal(r.report.victimPid, r.report.deadPid, 'the PID was reused (else the test proves nothing)');
    assert.deepEqual(r.report.killed, { value: false });
    assert.equal(r.report.victimAlive, true);
  });

  test('kill() when someone else reaped the child and its PID was reused: the pidfd refuses', async (t) => {
    const why = await available();
    if (why) return t.skip(why);
    // The harsh case: the exit watcher has not run yet (all of this happens synchronously), a
    // foreign waitid() reaped the child, and its PID now belongs to another process. A kill by PID
    // would hit that process; a kill through the pidfd reaches the dead one or nobody.
    const r = await runInPidNamespace(`
      const dead = procctl.spawn('/bin/sh', ['-c', 'exit 0'], { stdio: 'ignore', group: 'inherit' });
      while (proc.readStat(dead.pid).state !== 'Z') { /* spin: stay off the event loop */ }
      native().reapAny();
      const victim = takeOver(dead.pid);
      const killed = outcomeOf(() => dead.kill('SIGKILL'));
      await sleep(100);
      const victimAlive = proc.isAlive(victim.pid);
      const exit = await Promise.race([dead.exited, sleep(2000, 'no exit reported')]);
      await cleanup();
      report({ deadPid: dead.pid, victimPid: victim.pid, killed, victimAlive, exit });
    `);
    if (typeof r === 'string') return t.skip(`PID namespace unavailable: ${r}`);
    assert.ok(r.report, `scenario failed: ${r.stderr}`);
    assert.equal(r.report.victimPid, r.report.deadPid, 'the PID was reused (else the test proves nothing)');
    assert.equal(r.report.victimAlive, true, `the victim was killed; kill() said ${JSON.stringify(r.report.killed)}`);
    assert.notEqual(r.report.exit, 'no exit reported', 'the child whose zombie was stolen must still get its exit reported');
  });

  test(
    'killGroup() after the leader was reaped and its group emptied never reaches a new group with that id',
    async (t) => {
      const why = await available();
      if (why) return t.skip(why);
      const r = await runInPidNamespace(`
        const dead = procctl.spawn('/bin/true', [], { stdio: 'ignore' });
        await dead.exited;
        const victim = takeOver(dead.pid);
        const killed = outcomeOf(() => dead.killGroup('SIGKILL'));
        await sleep(100);
        const victimAlive = proc.isAlive(victim.pid);
        await cleanup();
        report({ deadPid: dead.pid, victimPid: victim.pid, victimPgid: victim.pgid, killed, victimAlive });
      `);
      if (typeof r === 'string') return t.skip(`PID namespace unavailable: ${r}`);
      assert.ok(r.report, `scenario failed: ${r.stderr}`);
      assert.equal(r.report.victimPgid, r.report.deadPid, 'the group id was reused');
      assert.equal(r.report.victimAlive, true, `the new group was killed; killGroup() said ${JSON.stringify(r.report.killed)}`);
    },
  );

  test(
    'a sweep through the reaped leader\'s pidfd ends when its group is gone, even if the group id was reused meanwhile, and never signals the new group',
    async (t) => {
      const why = await available();
      if (why) return t.skip(why);
      // The member ignores TERM, so the sweep waits (grace 60 s) with the leader already reaped
      // (Linux 6.9+) or held (older kernels). Then, within one synchronous stretch (no event-loop
      // turn), the member is killed and reaped (this process is PID 1 here, its new parent), and
      // an unrelated process takes the leader's number in a new group. A wait that asked by
      // number would find that process and wait out the grace, then SIGKILL its group; through
      // the pidfd the group is known gone at the next look.
      const r = await runInPidNamespace(`
        const viaPidfd = native().constants.hasPidfdGroupSignal;
        const leader = procctl.spawn('sh', ['-c', "sh -c \\"trap '' TERM; exec sleep 30\\" & wait"], { stdio: 'ignore' });
        const memberOf = () => procctl.groupMembers(leader.pgid).find((pid) => pid !== leader.pid && proc.readStat(pid).comm === 'sleep');
        await proc.waitUntil(() => memberOf() !== undefined, 3000, 'member');
        const member = memberOf();
        const stopping = leader.terminate({ grace: 60_000 });
        await leader.exited;
        const leaderState = proc.exists(leader.pid) ? proc.readStat(leader.pid).state : 'reaped';
        process.kill(member, 'SIGKILL');
        while (proc.readStat(member).state !== 'Z') { /* spin: stay off the event loop */ }
        // Reaped by us, its parent now; a held leader (older kernels) must not be reaped behind
        // the sweep's back, and keeps the number anyway.
        if (viaPidfd) native().reapAny();
        const victim = takeOver(leader.pid);
        const t0 = Date.now();
        const outcome = await Promise.race([stopping.then(() => 'stopped'), sleep(5000, 'still waiting')]);
        const stopMs = Date.now() - t0;
        await sleep(100);
        const victimAlive = proc.isAlive(victim.pid);
        await cleanup();
        report({ viaPidfd, leaderState, deadPid: leader.pid, victimPid: victim.pid, victimPgid: victim.pgid, outcome, stopMs, victimAlive });
        process.exit(0); // a sweep still waiting would keep this process up
      `);
      if (typeof r === 'string') return t.skip(`PID namespace unavailable: ${r}`);
      assert.ok(r.report, `scenario failed: ${r.stderr}`);
      if (r.report.viaPidfd) {
        assert.equal(r.report.leaderState, 'reaped', 'the leader was reaped while its member lived');
        assert.equal(r.report.victimPgid, r.report.deadPid, 'the group id was reused (else the test proves nothing)');
      } else {
        assert.equal(r.report.leaderState, 'Z', 'the leader is held');
        assert.notEqual(r.report.victimPid, r.report.deadPid, 'the held leader keeps its number from being reused');
      }
      assert.equal(r.report.outcome, 'stopped', `the sweep waited on: ${JSON.stringify(r.report)}`);
      assert.equal(r.report.victimAlive, true, 'the new group was not signalled');
    },
  );
});
