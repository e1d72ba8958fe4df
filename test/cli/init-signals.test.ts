// procctl init's signal edges: fault signals sent with kill(2) are forwarded (as a subreaper and as
// PID 1), --rewrite refuses sources it can never see, every queued realtime signal of a flood is
// forwarded, and a TERM that arrives while Node is still validating is not lost.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../lib/native.js';
import { CLI, finishCli, firstLine, isOneErrorLine, runCli, sleepers, startCli, uniqueSleep, killMarked } from '../helpers/cli.js';
import { childrenOf, isAlive, isRoot, maskOf, sigMask, waitUntil, withDeadline } from '../helpers/proc.js';

const FAULTS = ['ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'SEGV', 'SYS'] as const;

/** A shell that reports each fault signal it receives, and ends on TERM. */
const FAULT_REPORTER = `${FAULTS.map((s) => `trap "echo got ${s}" ${s};`).join(' ')} echo ready; while :; do sleep 0.05; done`;

function unshareWorks(): string | null {
  if (!isRoot) return 'needs root for unshare --pid';
  const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { timeout: 10_000 });
  return probe.status === 0 ? null : `unshare --pid --fork --mount-proc failed: ${String(probe.stderr ?? probe.error)}`;
}

/** Send each fault signal to `target`; the command must report each one while init lives on. */
async function sendFaults(output: ChildProcess, target: number): Promise<void> {
  assert.equal(await firstLine(output), 'ready');
  for (const name of FAULTS) {
    process.kill(target, `SIG${name}`);
    assert.equal(await firstLine(output), `got ${name}`, `the command got SIG${name}`);
    assert.ok(isAlive(target), `init lives on after SIG${name}`);
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('procctl init: fault signals sent with kill(2)', { timeout: 60_000 }, () => {
  test('each of ILL, TRAP, ABRT, BUS, FPE, SEGV, SYS reaches the command; init lives on (subreaper)', async () => {
    const init = startCli(['init', '--', 'sh', '-c', FAULT_REPORTER]);
    try {
      await sendFaults(init, init.pid!);
      assert.equal(init.exitCode, null, 'init is still running');
      init.kill('SIGTERM');
      const result = await finishCli(init, 10_000);
      assert.equal(result.code, 143, result.stderr);
    } finally {
      init.kill('SIGKILL');
    }
  });

  test('the same as PID 1 in a PID namespace', async (t) => {
    const why = unshareWorks();
    if (why !== null) return t.skip(why);
    const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, CLI, 'init', '--', 'sh', '-c', FAULT_REPORTER], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = exitOf(unshare);
    try {
      await waitUntil(() => childrenOf(unshare.pid!).length === 1, 5000, 'PID 1 of the namespace');
      const [pid1] = childrenOf(unshare.pid!);
      await sendFaults(unshare, pid1!);
      process.kill(pid1!, 'SIGTERM');
      assert.equal(await withDeadline(exited, 10_000, 'init exit'), 143);
    } finally {
      unshare.kill('SIGKILL');
    }
  });
});

describe('procctl init --rewrite', { timeout: 30_000 }, () => {
  for (const [source, name] of [['KILL', 'SIGKILL'], ['STOP', 'SIGSTOP'], ['CHLD', 'SIGCHLD']] as const) {
    test(`${source}:TERM is a usage error naming ${name}`, async () => {
      const result = await runCli(['init', '--rewrite', `${source}:TERM`, '--', 'true']);
      assert.equal(result.code, 125);
      assert.ok(isOneErrorLine(result.stderr), result.stderr);
      assert.match(result.stderr, new RegExp(`${name} cannot be rewritten`));
    });
  }

  test('TERM:KILL works: the command is killed by the rewritten signal', async () => {
    const init = startCli(['init', '--rewrite', 'TERM:KILL', '--', 'sh', '-c', 'trap "exit 0" TERM; echo ready; while :; do sleep 0.05; done']);
    try {
      assert.equal(await firstLine(init), 'ready');
      init.kill('SIGTERM');
      assert.equal((await finishCli(init, 10_000)).code, 137);
    } finally {
      init.kill('SIGKILL');
    }
  });

  test('the reserved realtime number 32 is caught and rewritten like any other', async () => {
    const init = startCli(['init', '--rewrite', '32:USR1', '--', 'sh', '-c', 'trap "echo got USR1; exit 4" USR1; echo ready; while :; do sleep 0.05; done']);
    try {
      assert.equal(await firstLine(init), 'ready');
      process.kill(init.pid!, 32);
      const result = await finishCli(init, 10_000);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stdout, /got USR1/);
    } finally {
      init.kill('SIGKILL');
    }
  });
});

describe('procctl init under a realtime signal flood', { timeout: 60_000 }, () => {
  test('every one of 10000 queued RTMIN+1 signals reaches the command', async (t) => {
    let counter: string;
    const dir = mkdtempSync(join(tmpdir(), 'procctl-rt-count-'));
    try {
      counter = join(dir, 'rt-count');
      execFileSync('cc', ['-O2', '-o', counter, join(packageRoot, 'test', 'fixtures', 'native', 'rt-count.c')]);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      return t.skip(`no C compiler for the counting fixture: ${(error as Error).message}`);
    }
    const flood = 10_000;
    const init = startCli(['init', '--', counter, '35', String(flood)]);
    try {
      assert.equal(await firstLine(init), 'ready');
      for (let i = 0; i < flood; i++) process.kill(init.pid!, 35);
      const result = await finishCli(init, 30_000);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim().split('\n').at(-1), String(flood), 'every queued signal was forwarded');
    } finally {
      init.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('procctl init: the first moments', { timeout: 60_000 }, () => {
  test('a TERM sent as soon as procctl init catches it, while Node still validates, stops the command', async () => {
    const nap = uniqueSleep();
    const init = startCli(['init', '--', 'sleep', nap]);
    try {
      // From the moment Node listens for TERM (its first step, before it blocks signals, parses
      // the options and execs the static init), a TERM must reach the command: not be dropped,
      // and not end init before the command started.
      // Node itself catches TERM from its start (to restore the terminal, then die of it): wait
      // for PWR, which Node does not catch and procctl init listens for last.
      await waitUntil(() => (sigMask(init.pid!, 'SigCgt') & maskOf(30)) !== 0n, 10_000, 'procctl init listening');
      init.kill('SIGTERM');
      const result = await finishCli(init, 10_000);
      assert.equal(result.code, 143, `init ends with the command's 143: ${result.signal} ${result.stderr}`);
      assert.deepEqual(sleepers(nap), [], 'the command did not run on');
    } finally {
      init.kill('SIGKILL');
      killMarked(nap);
    }
  });

  test('the same as PID 1 in a PID namespace: the TERM is not dropped', async (t) => {
    const why = unshareWorks();
    if (why !== null) return t.skip(why);
    const nap = uniqueSleep();
    const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, CLI, 'init', '--', 'sleep', nap], { stdio: 'ignore' });
    const exited = exitOf(unshare);
    try {
      await waitUntil(() => childrenOf(unshare.pid!).length === 1, 5000, 'PID 1 of the namespace');
      const [pid1] = childrenOf(unshare.pid!);
      await waitUntil(() => (sigMask(pid1!, 'SigCgt') & maskOf(30)) !== 0n, 10_000, 'procctl init listening');
      process.kill(pid1!, 'SIGTERM');
      assert.equal(await withDeadline(exited, 10_000, 'init exit'), 143);
      assert.deepEqual(sleepers(nap), []);
    } finally {
      unshare.kill('SIGKILL');
      killMarked(nap);
    }
  });
});
