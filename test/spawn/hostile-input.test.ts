// Hostile input that used to hang the event loop or give silently wrong results: a FIFO planted
// as cgroup.procs, cgroup directories that are not cgroup v2, an input stream that fails, a closed
// fd number in stdio, uids past 2^31. Each case is observed from outside: the event loop keeps
// ticking, /proc shows nothing left behind, the child's ids are read from /proc/PID/status.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { exec, spawn, ProcessError, SpawnError, type SpawnOptions } from '../../lib/index.js';
import { holdings, libIndex, runNodeScenario, settleLeaks, warmUp } from '../helpers/reliability.js';
import { isRoot, killGroupQuietly, readStatus, withDeadline } from '../helpers/proc.js';

/** Mount points of cgroup v1 hierarchies, from /proc/self/mountinfo. */
function cgroup1Mounts(): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.split(' ')[0] === 'cgroup' && left !== undefined) out.push(left.split(' ')[4] ?? '');
  }
  return out.filter((m) => m !== '');
}

/** The error spawn() throws, or fails the test when it does not throw. */
function spawnFailure(options: SpawnOptions): SpawnError {
  try {
    const child = spawn('true', [], options);
    killGroupQuietly(child.pgid);
  } catch (error) {
    assert.ok(SpawnError.is(error), `a SpawnError, got ${String(error)}`);
    return error;
  }
  assert.fail('spawn() accepted the option');
}

describe('cgroup: only a cgroup v2 directory, and never a blocking open', { timeout: 60_000 }, () => {
  test('a FIFO planted as cgroup.procs: a clear error, the event loop keeps ticking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-cgfifo-'));
    try {
      execFileSync('mkfifo', [join(dir, 'cgroup.procs')]);
      // In a child Node: if the open blocked, the scenario's deadline fails the test instead of
      // hanging the runner. A 5 ms interval counts the loop's ticks around the call.
      const result = await runNodeScenario(
        `
        import { spawn } from ${JSON.stringify(libIndex)};
        let ticks = 0;
        const timer = setInterval(() => ticks++, 5);
        await new Promise((r) => setTimeout(r, 30));
        const before = ticks;
        let error = null;
        try { spawn('true', [], { cgroup: ${JSON.stringify(dir)} }); } catch (e) { error = { code: e.code, stage: e.stage, message: e.message }; }
        await new Promise((r) => setTimeout(r, 30));
        clearInterval(timer);
        console.log(JSON.stringify({ error, ticksAfter: ticks - before }));
        `,
        { timeoutMs: 15_000 },
      );
      assert.equal(result.signal, null, `the scenario finished by itself (stderr: ${result.stderr})`);
      const report = result.report as { error: { code: string; stage: string; message: string } | null; ticksAfter: number };
      assert.equal(report.error?.code, 'EMEDIUMTYPE');
      assert.equal(report.error?.stage, 'cgroup');
      assert.match(report.error?.message ?? '', /is not a cgroup v2 directory/);
      assert.ok(report.ticksAfter > 0, 'the loop ticked after the call');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a plain directory with a regular cgroup.procs file: refused, the file untouched', async () => {
    await warmUp();
    const before = holdings();
    const dir = mkdtempSync(join(tmpdir(), 'procctl-cgplain-'));
    try {
      writeFileSync(join(dir, 'cgroup.procs'), '');
      const error = spawnFailure({ cgroup: dir });
      assert.equal(error.code, 'EMEDIUMTYPE');
      assert.equal(error.stage, 'cgroup');
      assert.equal(error.path, dir);
      assert.match(error.message, /not on a cgroup2 filesystem/);
      assert.equal(readFileSync(join(dir, 'cgroup.procs'), 'utf8'), '', 'no pid was written');
      assert.deepEqual(await settleLeaks(before), [], 'no fd, child or zombie left');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cgroup v1 hierarchy: refused with the same error', async (t) => {
    let mount = cgroup1Mounts()[0];
    let mounted: string | null = null;
    if (mount === undefined && isRoot) {
      // No v1 hierarchy mounted (a pure cgroup2 machine): mount a named, controller-less one.
      mounted = mkdtempSync(join(tmpdir(), 'procctl-cgv1-'));
      try {
        execFileSync('mount', ['-t', 'cgroup', '-o', 'none,name=procctltest', 'cgroup', mounted], { stdio: 'ignore' });
        mount = mounted;
      } catch {
        rmSync(mounted, { recursive: true, force: true });
        mounted = null;
      }
    }
    if (mount === undefined) return t.skip('no cgroup v1 hierarchy is mounted and none can be mounted here');
    try {
      const error = spawnFailure({ cgroup: mount });
      assert.equal(error.code, 'EMEDIUMTYPE');
      assert.equal(error.stage, 'cgroup');
      assert.match(error.message, /cgroup v1 hierarchy/);
    } finally {
      if (mounted !== null) {
        execFileSync('umount', [mounted]);
        rmSync(mounted, { recursive: true, force: true });
      }
    }
  });

  test('a directory that does not exist and a file keep their errno', () => {
    assert.equal(spawnFailure({ cgroup: '/nonexistent/procctl-cgroup' }).code, 'ENOENT');
    assert.equal(spawnFailure({ cgroup: '/proc/self/status' }).code, 'ENOTDIR');
  });
});

describe('exec input: a failing stream rejects and stops the group', { timeout: 60_000 }, () => {
  test('ENOENT on open: rejects with the stream error as cause, nothing left', async () => {
    await warmUp();
    const before = holdings();
    const error = await withDeadline(
      exec('cat', [], { input: createReadStream('/nonexistent/procctl-input') }).then(
        () => assert.fail('exec resolved on a failed input'),
        (e: unknown) => e,
      ),
      10_000,
      'exec with a failing input',
    );
    assert.ok(ProcessError.is(error), `a ProcessError, got ${String(error)}`);
    assert.equal(error.inputFailed, true);
    assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
    assert.equal(error.signal, 'SIGTERM', 'the group was stopped with killSignal');
    assert.match(error.shortMessage, /input fail/);
    assert.deepEqual(await settleLeaks(before), [], 'no fd, child or zombie left');
  });

  test('an error mid-way: rejects even with reject: false; the bytes before it were delivered', async () => {
    const boom = new Error('disk went away');
    const input = new Readable({ read() {} });
    input.push('first part\n');
    setTimeout(() => input.destroy(boom), 100);
    const error = await withDeadline(
      exec('cat', [], { input, reject: false }).then(
        () => assert.fail('exec resolved on a failed input'),
        (e: unknown) => e,
      ),
      10_000,
      'exec with an input failing mid-way',
    );
    assert.ok(ProcessError.is(error));
    assert.equal(error.cause, boom);
    assert.equal(error.stdout, 'first part\n');
  });

  test('a child that exits without reading its input is not an input failure', async () => {
    const input = Readable.from(['x'.repeat(1 << 20)]);
    const result = await withDeadline(exec('true', [], { input }), 10_000, 'exec true');
    assert.equal(result.code, 0);
  });
});

describe('stdio: a closed fd number fails with EBADF', { timeout: 30_000 }, () => {
  test('a closed fd is never satisfied by one of procctl\'s own pipe ends', async () => {
    await warmUp();
    const fd = openSync('/dev/null', 'r');
    closeSync(fd);
    assert.throws(() => readlinkSync(`/proc/self/fd/${fd}`), 'the fd is closed before the spawn');
    const before = holdings();
    // Three pipes are created for fds 0-2: without the check, one of them would take `fd`.
    const error = spawnFailure({ stdio: ['pipe', 'pipe', 'pipe', fd] });
    assert.equal(error.code, 'EBADF');
    assert.equal(error.stage, 'fd');
    assert.match(error.message, new RegExp(`stdio\\[3\\] is fd ${fd}`));
    assert.deepEqual(await settleLeaks(before), [], 'the pipes were closed again');
    // The same as an fd that was never opened.
    assert.equal(spawnFailure({ stdio: ['pipe', 'pipe', 'pipe', 1_000_000] }).code, 'EBADF');
  });
});

describe('credentials: the documented id range reaches the kernel', { timeout: 30_000 }, () => {
  test('uid, gid and groups above 2^31-1', async (t) => {
    if (!isRoot) return t.skip('changing uid/gid/groups needs root');
    const child = spawn('sleep', ['30'], { uid: 3_000_000_000, gid: 4_294_967_294, groups: [2_147_483_648, 4_294_967_294], stdio: 'ignore' });
    try {
      const status = readStatus(child.pid);
      assert.deepEqual(status.get('Uid')?.split(/\s+/), ['3000000000', '3000000000', '3000000000', '3000000000']);
      assert.deepEqual(status.get('Gid')?.split(/\s+/), ['4294967294', '4294967294', '4294967294', '4294967294']);
      assert.equal(status.get('Groups'), '2147483648 4294967294');
    } finally {
      killGroupQuietly(child.pgid);
      await withDeadline(child.exited, 10_000, 'sleep exit');
    }
  });
});

describe('addon loading', { timeout: 30_000 }, () => {
  test('an addon that cannot be loaded is reported as a load error, not a failed step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procctl-addon-'));
    try {
      mkdirSync(join(dir, 'x'));
      const result = await runNodeScenario(
        `
        import { spawn, exec } from ${JSON.stringify(libIndex)};
        const out = {};
        try { spawn('true'); } catch (e) { out.spawn = { name: e.name, code: e.code, stage: e.stage ?? null, message: e.message }; }
        try { await exec('true'); } catch (e) { out.exec = { name: e.name, code: e.code, stage: e.stage ?? null }; }
        console.log(JSON.stringify(out));
        `,
        { env: { ...process.env, PROCCTL_ADDON_PATH: join(dir, 'x', 'missing.node') } },
      );
      const report = result.report as Record<string, { name: string; code: string; stage: string | null; message?: string }>;
      assert.equal(report.spawn?.code, 'ERR_PROCCTL_ADDON_LOAD');
      assert.equal(report.spawn?.stage, null, 'no setup stage');
      assert.match(report.spawn?.message ?? '', /cannot load the native addon/);
      assert.equal(report.exec?.code, 'ERR_PROCCTL_ADDON_LOAD');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rlimits: nofile below what the child needs', { timeout: 30_000 }, () => {
  test('the native message names the nofile limit when the fd plan fails under it', () => {
    // nofile 3 leaves room for fds 0-2 (the TypeScript check passes), but parent fd 1 as the
    // child's fd 0 must first move above the targets (to fd >= 3), which the limit forbids.
    const error = spawnFailure({ rlimits: { nofile: 3 }, stdio: [1, 'pipe', 'pipe'] });
    assert.equal(error.stage, 'fd');
    assert.match(error.message, /rlimits\.nofile \(3\) is below the fds the child needs/);
  });
});
