// Every failing setup stage comes back as a Node-style error with code, negative errno, syscall,
// stage and path; the failed child is reaped and no fd is left behind in the parent.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants } from 'node:os';
import { native, type NativeSpawnRequest } from '../../lib/native.js';
import { isRoot, listFds, zombieChildren } from '../helpers/proc.js';
import { fixtureReport, nativeRequest, runFixture, thrown, type NativeError } from '../helpers/native.js';

const RLIMIT_NOFILE = 7;
let dir = '';

/** Spawn that must fail; checks no zombie and no new fd, returns the error. */
function failedSpawn(argv: string[], overrides: Partial<NativeSpawnRequest> = {}): NativeError {
  const fdsBefore = listFds();
  const error = thrown(() => native().spawn(nativeRequest(argv, overrides), () => {}, false));
  assert.deepEqual(zombieChildren(), [], 'no zombie after a failed spawn');
  assert.deepEqual(listFds(), fdsBefore, 'no fd left behind');
  return error;
}

/** The errno fields Node would give for this error name. */
function expectErrno(error: NativeError, code: keyof typeof constants.errno): void {
  assert.equal(error.code, code);
  assert.equal(error.errno, -constants.errno[code]);
}

describe('native spawn: structured failures', { timeout: 60_000 }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'procctl-fail-'));
    writeFileSync(join(dir, 'not-executable'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    writeFileSync(join(dir, 'garbage'), Buffer.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8]));
    chmodSync(join(dir, 'garbage'), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('ENOENT at exec, in Node\'s message format', () => {
    const error = failedSpawn(['procctl-no-such-command']);
    expectErrno(error, 'ENOENT');
    assert.equal(error.stage, 'exec');
    assert.equal(error.syscall, 'execve');
    assert.equal(error.path, 'procctl-no-such-command');
    assert.equal(error.message, "ENOENT: no such file or directory, execve 'procctl-no-such-command'");
  });

  test('EACCES for a file without execute permission', () => {
    const file = join(dir, 'not-executable');
    const error = failedSpawn([file]);
    expectErrno(error, 'EACCES');
    assert.equal(error.stage, 'exec');
    assert.equal(error.path, file);
  });

  test('EACCES wins over ENOENT across PATH candidates, as execvp', () => {
    const error = failedSpawn(['x'], { candidates: ['/nonexistent/x', join(dir, 'not-executable'), '/also/missing'] });
    expectErrno(error, 'EACCES');
  });

  test('ENOEXEC for a file that is neither ELF nor script', () => {
    const error = failedSpawn([join(dir, 'garbage')]);
    expectErrno(error, 'ENOEXEC');
    assert.equal(error.stage, 'exec');
  });

  test('a missing cwd fails at chdir with the cwd as path', () => {
    const cwd = join(dir, 'missing');
    const error = failedSpawn(['true'], { cwd });
    expectErrno(error, 'ENOENT');
    assert.equal(error.stage, 'chdir');
    assert.equal(error.syscall, 'chdir');
    assert.equal(error.path, cwd);
  });

  test('soft limit above hard limit fails at rlimit with EINVAL', () => {
    const error = failedSpawn(['true'], { rlimits: [[RLIMIT_NOFILE, 200, 100]] });
    expectErrno(error, 'EINVAL');
    assert.equal(error.stage, 'rlimit');
  });

  test('joining a group in another session fails at setpgid with EPERM', () => {
    const error = failedSpawn(['true'], { pgid: 1 });
    expectErrno(error, 'EPERM');
    assert.equal(error.stage, 'setpgid');
  });

  test('setuid without privilege fails at setuid with EPERM', async (t) => {
    if (!isRoot) return t.skip('needs root to start the fixture as uid 65534');
    const result = await runFixture('setuid-failure', [], { uid: 65534, gid: 65534 });
    const report = fixtureReport<{ code: string; errno: number; syscall: string; stage: string; uid: number; zombies: number; fdsLeaked: number[] }>(result);
    assert.equal(report.uid, 65534);
    assert.equal(report.code, 'EPERM');
    assert.equal(report.errno, -constants.errno.EPERM);
    assert.equal(report.stage, 'setuid');
    assert.equal(report.syscall, 'setuid');
    assert.equal(report.zombies, 0);
    assert.deepEqual(report.fdsLeaked, []);
  });

  test('bad request types are TypeErrors naming the field, before anything starts', () => {
    const children = zombieChildren().length;
    const cases: Array<[Partial<NativeSpawnRequest>, RegExp]> = [
      [{ argv: ['a\0b'] }, /request\.argv\[0\].*NUL/],
      [{ envp: ['A=1', 'B=\0'] }, /request\.envp\[1\].*NUL/],
      [{ cwd: '/tmp\0x' }, /request\.cwd.*NUL/],
      [{ candidates: [] }, /request\.candidates/],
      [{ fds: ['x' as unknown as number] }, /request\.fds\[0\]/],
      [{ closeFds: 1 as unknown as boolean }, /request\.closeFds/],
      [{ rlimits: [[7, 1] as unknown as [number, number, number]] }, /request\.rlimits\[0\]/],
      [{ mask: [1.5] }, /request\.mask\[0\]/],
    ];
    for (const [overrides, message] of cases) {
      const error = thrown(() => native().spawn(nativeRequest(['true'], overrides), () => {}, false));
      assert.ok(error instanceof TypeError, `${JSON.stringify(overrides)} → ${error.name}`);
      assert.match(error.message, message);
    }
    assert.throws(() => native().spawn(nativeRequest(['true'], { ignoreSignals: [65] }), () => {}, false), RangeError);
    assert.throws(() => native().spawn(null as unknown as NativeSpawnRequest, () => {}, false), TypeError);
    assert.throws(() => native().spawn(nativeRequest(['true']), null as unknown as () => void, false), TypeError);
    assert.equal(zombieChildren().length, children);
  });
});
