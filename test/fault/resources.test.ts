// Fault injection by resource exhaustion, each in its own Node process so the limits cannot hurt
// the runner: EMFILE (RLIMIT_NOFILE), EAGAIN (pids cgroup for the parent's clone, RLIMIT_NPROC for
// the child's exec after a uid change) and ENOMEM (RLIMIT_AS). Every failure must be a SpawnError
// with the errno code and a stage, and nothing may be left: no fd, no child, no zombie.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { isRoot } from '../helpers/proc.js';
import { NOBODY, cgroupMountFor, hasTool, libIndex, runNodeScenario, underSanitizer, scenarioPrelude, type ScenarioResult } from '../helpers/reliability.js';

interface Outcome {
  ok: boolean;
  code?: number | null;
  signal?: string | null;
  error?: { name?: string; code?: string; stage?: string; syscall?: string; message?: string };
  spawnError?: boolean;
}

function reportOf(r: ScenarioResult): Record<string, unknown> {
  assert.ok(r.report, `scenario produced no report (exit ${r.code ?? r.signal}):\n${r.stderr}`);
  return r.report;
}

/** A failed attempt must be a SpawnError with the expected code and a named stage. */
function assertFailure(o: Outcome, codes: string[], stages: string[], what: string): void {
  assert.equal(o.ok, false, `${what}: expected a failure`);
  assert.equal(o.spawnError, true, `${what}: SpawnError expected, got ${JSON.stringify(o.error)}`);
  assert.ok(codes.includes(o.error?.code ?? ''), `${what}: code ${o.error?.code} not in ${codes.join('/')}`);
  assert.ok(stages.includes(o.error?.stage ?? ''), `${what}: stage ${o.error?.stage} not in ${stages.join('/')}`);
}

describe('fault: resource exhaustion', { timeout: 90_000 }, () => {
  test('EMFILE: every fd budget either spawns or fails with a stage, and leaks nothing', async (t) => {
    if (!(await hasTool('prlimit'))) return t.skip('prlimit (util-linux) not installed');
    const source = `${scenarioPrelude()}
      import { openSync, closeSync } from 'node:fs';
      await rel.warmUp();
      const base = rel.holdings();
      const fillers = [];
      const fill = () => {
        for (;;) {
          try { fillers.push(openSync('/dev/null', 'r')); }
          catch (e) { if (e.code === 'EMFILE') return; throw e; }
        }
      };
      const outcomes = [];
      for (let free = 0; free <= 9; free++) {
        fill();
        for (let i = 0; i < free; i++) closeSync(fillers.pop());
        outcomes.push({ free, ...(await attempt('/bin/true', [], { stdio: ['pipe', 'pipe', 'pipe'] })) });
      }
      for (const fd of fillers.splice(0)) closeSync(fd);
      const recovered = await attempt('/bin/true', [], { stdio: ['pipe', 'pipe', 'pipe'] });
      report({ outcomes, recovered, leaks: await rel.settleLeaks(base) });
    `;
    const report = reportOf(await runNodeScenario(source, { wrapper: ['prlimit', '--nofile=128'] }));
    const outcomes = report.outcomes as Array<Outcome & { free: number }>;
    const failures = outcomes.filter((o) => !o.ok);
    assert.ok(failures.length > 0, 'a full fd table must make spawn fail');
    assert.ok(outcomes.some((o) => o.ok && o.code === 0), 'enough free fds must let spawn succeed');
    for (const o of failures) assertFailure(o, ['EMFILE'], ['pipe', 'clone'], `${o.free} free fds`);
    for (const o of outcomes.filter((x) => x.ok)) assert.equal(o.code, 0, `${o.free} free fds: exit code`);
    assert.equal((report.recovered as Outcome).code, 0, 'spawn works again once fds are free');
    assert.deepEqual(report.leaks, []);
  });

  test('EMFILE at the stage "pipe" names the stage (parent-side failures are SpawnErrors)', async (t) => {
    if (!(await hasTool('prlimit'))) return t.skip('prlimit (util-linux) not installed');
    const source = `${scenarioPrelude()}
      import { closeSync, openSync } from 'node:fs';
      await rel.warmUp();
      const base = rel.holdings();
      const fillers = [];
      for (;;) { try { fillers.push(openSync('/dev/null', 'r')); } catch { break; } }
      const outcome = await attempt('/bin/true', [], { stdio: ['pipe', 'pipe', 'pipe'] });
      for (const fd of fillers) closeSync(fd);
      report({ outcome, leaks: await rel.settleLeaks(base) });
    `;
    const report = reportOf(await runNodeScenario(source, { wrapper: ['prlimit', '--nofile=128'] }));
    assertFailure(report.outcome as Outcome, ['EMFILE'], ['pipe'], 'no fd left for the stdio pipes');
    assert.deepEqual(report.leaks, []);
  });

  test('EAGAIN from clone (pids cgroup full) fails with a stage, and spawn recovers', async (t) => {
    if (!isRoot) return t.skip('needs root to create a pids cgroup');
    const mount = cgroupMountFor('pids');
    if (mount === null) return t.skip('no cgroup hierarchy with the pids controller');
    const dir = join(mount.path, `procctl-fault-${process.pid}`);
    mkdirSync(dir);
    try {
      const source = `${scenarioPrelude()}
        import { readFileSync, writeFileSync } from 'node:fs';
        const dir = ${JSON.stringify(dir)};
        const line = readFileSync('/proc/self/cgroup', 'utf8').split('\\n')
          .find((l) => ${mount.version === 2 ? "l.startsWith('0::')" : "l.split(':')[1].split(',').includes('pids')"});
        const home = ${JSON.stringify(mount.path)} + line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
        await rel.warmUp();
        const base = rel.holdings();
        writeFileSync(dir + '/cgroup.procs', String(process.pid));
        writeFileSync(dir + '/pids.max', readFileSync(dir + '/pids.current', 'utf8').trim());
        const outcome = await attempt('/bin/true', [], { stdio: 'ignore' });
        writeFileSync(dir + '/pids.max', 'max');
        writeFileSync(home + '/cgroup.procs', String(process.pid));
        const recovered = await attempt('/bin/true', [], { stdio: 'ignore' });
        report({ outcome, recovered, leaks: await rel.settleLeaks(base) });
      `;
      const report = reportOf(await runNodeScenario(source));
      assertFailure(report.outcome as Outcome, ['EAGAIN'], ['clone'], 'clone in a full pids cgroup');
      assert.equal((report.recovered as Outcome).code, 0, 'spawn works again');
      assert.deepEqual(report.leaks, []);
    } finally {
      rmdirSync(dir);
    }
  });

  test('EAGAIN from clone for an unprivileged user at RLIMIT_NPROC fails with a stage', async (t) => {
    if (!isRoot) return t.skip('needs root to start the scenario as nobody');
    if (!(await hasTool('setpriv')) || !(await hasTool('prlimit'))) return t.skip('setpriv/prlimit (util-linux) not installed');
    // As nobody, every thread of the scenario counts against RLIMIT_NPROC: a limit of 1 leaves no
    // room for one more task. Only synchronous fs calls follow, so libuv needs no new thread.
    const source = `${scenarioPrelude()}
      import { execFileSync } from 'node:child_process';
      await rel.warmUp();
      const base = rel.holdings();
      execFileSync('prlimit', ['--pid', String(process.pid), '--nproc=1:']);
      const outcome = await attempt('/bin/true', [], { stdio: 'ignore' });
      report({ outcome, leaks: await rel.settleLeaks(base) });
    `;
    const report = reportOf(
      await runNodeScenario(source, { wrapper: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] }),
    );
    assertFailure(report.outcome as Outcome, ['EAGAIN'], ['clone'], 'clone over RLIMIT_NPROC');
    assert.deepEqual(report.leaks, []);
  });

  test('EAGAIN at exec after dropping to a uid over RLIMIT_NPROC: no exec, nothing left', async (t) => {
    if (!isRoot) return t.skip('needs root to change uid');
    if (!(await hasTool('prlimit'))) return t.skip('prlimit (util-linux) not installed');
    // The kernel flags a setuid() into a user over RLIMIT_NPROC and fails the next execve with
    // EAGAIN (it does not fail setuid itself, since Linux 3.1). root ignores the limit for its own
    // forks, so the scenario runs as root with RLIMIT_NPROC 0 and spawns as nobody.
    const source = `${scenarioPrelude()}
      await rel.warmUp();
      const base = rel.holdings();
      const asNobody = { stdio: 'ignore', uid: ${NOBODY}, gid: ${NOBODY}, groups: [] };
      // One nobody process must exist for the user to be "over" a limit of 0.
      let holder;
      try { holder = procctl.spawn('/bin/sleep', ['30'], asNobody); } catch { holder = undefined; }
      const outcome = await attempt('/bin/true', [], asNobody);
      if (holder) { holder.kill('SIGKILL'); await holder.exited; }
      report({ outcome, leaks: await rel.settleLeaks(base) });
    `;
    const report = reportOf(await runNodeScenario(source, { wrapper: ['prlimit', '--nproc=0'] }));
    assertFailure(report.outcome as Outcome, ['EAGAIN'], ['exec'], 'exec as a user over RLIMIT_NPROC');
    assert.deepEqual(report.leaks, []);
  });

  test('ENOMEM in the parent (address space exhausted before the clone) fails with a stage', async (t) => {
    if (!(await hasTool('prlimit'))) return t.skip('prlimit (util-linux) not installed');
    if (underSanitizer) return t.skip('AddressSanitizer cannot run inside a starved address space');
    // A worker thread has its own addon instance, whose child stack is mapped on its first spawn:
    // lower RLIMIT_AS to just above the current size first, so that mapping fails with ENOMEM.
    // (The scenario is an ES module, so eval'ed worker code is one too.)
    //
    // With only 64 KiB of headroom the runtime itself may die of the limit (V8 "heap out of
    // memory", or a std::bad_alloc in Node's own C++) at any point. The worker writes markers to
    // stderr synchronously around the spawn so that the test can tell where a death happened:
    // before SPAWN-BEGIN it says nothing about procctl (retry, then skip); between SPAWN-BEGIN and
    // SPAWN-END only the spawn call was running, so a C++ abort there is procctl's (fail); after
    // SPAWN-END the marker carries the outcome, which is checked even if the report is lost.
    const worker = `
      import { parentPort } from 'node:worker_threads';
      import { writeSync } from 'node:fs';
      import(${JSON.stringify(pathToFileURL(libIndex).href)}).then((procctl) => {
        parentPort.once('message', async () => {
          let outcome;
          writeSync(2, 'SPAWN-BEGIN\\n');
          try {
            const child = procctl.spawn('/bin/true', [], { stdio: 'inherit' });
            writeSync(2, 'SPAWN-END {"ok":true}\\n');
            const r = await child.exited;
            outcome = { ok: true, code: r.code };
          } catch (e) {
            writeSync(2, 'SPAWN-END ' + JSON.stringify({ ok: false, spawnError: procctl.SpawnError.is(e), error: { code: e.code, stage: e.stage } }) + '\\n');
            outcome = { ok: false, spawnError: procctl.SpawnError.is(e), error: { code: e.code, stage: e.stage, syscall: e.syscall, message: e.message } };
          }
          parentPort.postMessage(outcome);
        });
        parentPort.postMessage('ready');
      });
    `;
    const source = `${scenarioPrelude()}
      import { Worker } from 'node:worker_threads';
      import { execFileSync } from 'node:child_process';
      import { readFileSync } from 'node:fs';
      await procctl.spawn('/bin/true', [], { stdio: 'inherit' }).exited;
      const worker = new Worker(${JSON.stringify(worker)}, { eval: true });
      await new Promise((resolve) => worker.once('message', resolve));
      const base = rel.holdings();
      const vmBytes = Number(/VmSize:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
      // Soft limit only: the hard limit stays, so nothing here becomes irreversible.
      execFileSync('prlimit', ['--pid', String(process.pid), '--as=' + (vmBytes + 64 * 1024) + ':']);
      worker.postMessage('go');
      const outcome = await new Promise((resolve) => worker.once('message', resolve));
      report({ outcome, leaks: rel.leaksBetween(base, rel.holdings()) });
      process.exit(0);
    `;
    let r = await runNodeScenario(source);
    for (let retry = 0; retry < 4 && r.report === null && !r.stderr.includes('SPAWN-BEGIN'); retry++) r = await runNodeScenario(source);
    if (r.report === null) {
      if (!r.stderr.includes('SPAWN-BEGIN')) {
        return t.skip(`the runtime died of the address-space limit before the spawn, 5 times (${r.signal ?? r.code}): nothing to check`);
      }
      const end = /SPAWN-END (.*)/.exec(r.stderr);
      if (end === null) {
        // Died inside spawn(): V8 running out of heap there is the runtime's limit, anything else
        // (an uncaught std::bad_alloc, a crash) is a procctl defect.
        if (/JavaScript heap out of memory/.test(r.stderr)) return t.skip('V8 ran out of heap inside spawn() (the runtime, not procctl)');
        assert.fail(`the scenario died inside spawn() (${r.signal ?? r.code}):\n${r.stderr}`);
      }
      const outcome = JSON.parse(end[1] as string) as Outcome;
      if (outcome.ok) return t.skip('the address-space limit did not bite (the child stack fit): nothing to check');
      assertFailure(outcome, ['ENOMEM'], ['clone'], 'child stack mapping under RLIMIT_AS (report lost after the spawn; leaks not checked)');
      return;
    }
    const report = reportOf(r);
    const outcome = report.outcome as Outcome;
    if (outcome.ok) return t.skip('the address-space limit did not bite (the child stack fit): nothing to check');
    assertFailure(outcome, ['ENOMEM'], ['clone'], 'child stack mapping under RLIMIT_AS');
    assert.deepEqual(report.leaks, []);
  });

  test('ENOMEM in the child (RLIMIT_AS too small for the program) leaves nothing behind', async (t) => {
    if (underSanitizer) return t.skip('a preloaded AddressSanitizer reports its own failure to map in the child');
    // The kernel checks the new image against RLIMIT_AS only after execve's point of no return,
    // so the program dies (SIGSEGV, or the loader exits 127) instead of spawn failing: either is
    // acceptable; what must hold is that the exit is reported and nothing is left.
    const source = `${scenarioPrelude()}
      await rel.warmUp();
      const base = rel.holdings();
      const outcomes = [];
      for (const as of [4096, 65536, 1 << 20]) outcomes.push(await attempt('/bin/true', [], { stdio: 'ignore', rlimits: { as } }));
      report({ outcomes, leaks: await rel.settleLeaks(base) });
    `;
    const report = reportOf(await runNodeScenario(source));
    for (const o of report.outcomes as Outcome[]) {
      if (o.ok) assert.ok(o.signal !== null || o.code !== 0, `a program without address space cannot succeed: ${JSON.stringify(o)}`);
      else assertFailure(o, ['ENOMEM'], ['exec', 'rlimit'], 'RLIMIT_AS on the child');
    }
    assert.deepEqual(report.leaks, []);
  });
});
