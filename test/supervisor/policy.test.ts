// The supervisor's pure parts: backoff arithmetic, the intensity window, start order, Procfile
// parsing, and spec validation (every bad input a TypeError/RangeError naming the option, thrown
// before anything exists).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../lib/supervisor/backoff.js';
import { RestartWindow } from '../../lib/supervisor/intensity.js';
import { startOrder } from '../../lib/supervisor/order.js';
import { parseDotenv, parseProcfile } from '../../lib/cli/procfile.js';
import { Supervisor } from '../../lib/supervisor/supervisor.js';
import { findCgroup2Mount, ownCgroupPath } from '../../lib/supervisor/cgroup.js';

describe('backoff', () => {
  const backoff = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 };
  test('grows by factor and stops at maxMs', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(backoff, n)), [100, 200, 400, 800, 1000, 1000]);
  });
  test('jitter only shortens, by at most its share', () => {
    const jittered = { ...backoff, jitter: 0.5 };
    assert.equal(backoffDelay(jittered, 1, () => 0), 100);
    assert.equal(backoffDelay(jittered, 1, () => 0.999999), 50);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(jittered, 3);
      assert.ok(d >= 200 && d <= 400, `delay ${d} outside [200, 400]`);
    }
  });
});

describe('restart intensity', () => {
  test('admits maxRestarts within the period, refuses one more, forgets old ones', () => {
    const window = new RestartWindow({ maxRestarts: 3, periodMs: 1000 });
    assert.deepEqual([0, 10, 20].map((t) => window.admit(t)), [true, true, true]);
    assert.equal(window.admit(30), false);
    assert.equal(new RestartWindow({ maxRestarts: 2, periodMs: 100 }).admit(0), true);
    const sliding = new RestartWindow({ maxRestarts: 2, periodMs: 100 });
    assert.deepEqual([0, 50, 150, 160].map((t) => sliding.admit(t)), [true, true, true, true]);
    assert.equal(sliding.admit(170), false);
  });
});

describe('start order', () => {
  test('declaration order, dependencies first', () => {
    assert.deepEqual(startOrder([
      { name: 'web', dependsOn: ['db', 'cache'] }, { name: 'db', dependsOn: [] }, { name: 'cache', dependsOn: ['db'] },
    ]), ['db', 'cache', 'web']);
  });
  test('a cycle is a RangeError naming the children', () => {
    assert.throws(() => startOrder([{ name: 'a', dependsOn: ['b'] }, { name: 'b', dependsOn: ['a'] }]), /RangeError|cycle among "a", "b"/);
  });
});

describe('Procfile', () => {
  test('entries, comments, blank lines; malformed lines name their line', () => {
    assert.deepEqual(parseProcfile('# c\nweb: node server.js --port $PORT\n\nworker:  sh -c "a: b"\n'), [
      { name: 'web', command: 'node server.js --port $PORT' },
      { name: 'worker', command: 'sh -c "a: b"' },
    ]);
    assert.throws(() => parseProcfile('web node\n', 'P'), /P:1: expected 'name: command'/);
    assert.throws(() => parseProcfile('a: x\na: y\n', 'P'), /P:2: duplicate entry "a"/);
  });
  test('.env', () => {
    assert.deepEqual(parseDotenv('A=1\n# x\nexport B="two words"\nC=\'3\'\nnot a line\n'), { A: '1', B: 'two words', C: '3' });
  });
});

describe('cgroup discovery', () => {
  test('cgroup2 mount and own path are parsed from the kernel files', () => {
    const mountinfo = '30 1 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n41 31 0:38 / /sys/fs/cgroup/un\\040ified rw - cgroup2 cgroup2 rw\n';
    assert.equal(findCgroup2Mount(mountinfo), '/sys/fs/cgroup/un ified');
    assert.equal(findCgroup2Mount('30 1 0:26 / /x ro - tmpfs tmpfs ro\n'), null);
    assert.equal(ownCgroupPath('1:cpu:/\n0::/a/b\n'), '/a/b');
  });
});

describe('Supervisor validation', () => {
  const ok = { name: 'a', file: 'true' };
  const cases: Array<[string, unknown, RegExp, ErrorConstructor]> = [
    ['options not an object', 5, /options must be an object/, TypeError],
    ['children missing', {}, /children must be an array/, TypeError],
    ['unknown option', { children: [], bogus: 1 }, /options\.bogus is not a valid option/, TypeError],
    ['bad name', { children: [{ ...ok, name: 'a/b' }] }, /children\[0\]\.name must be/, RangeError],
    ['duplicate', { children: [ok, ok] }, /duplicate name 'a'/, RangeError],
    ['restart', { children: [{ ...ok, restart: 'sometimes' }] }, /children\[0\] \(a\)\.restart must be one of/, RangeError],
    ['contain', { children: [{ ...ok, contain: 'jail' }] }, /\.contain must be one of 'group', 'reaper', 'cgroup'/, RangeError],
    ['backoff factor', { children: [{ ...ok, backoff: { factor: 0.5 } }] }, /backoff\.factor must be a number from 1/, RangeError],
    ['backoff max < initial', { children: [{ ...ok, backoff: { initialMs: 500, maxMs: 100 } }] }, /backoff\.maxMs must be >= initialMs/, RangeError],
    ['stopSignal', { children: [{ ...ok, stopSignal: 'SIGNOPE' }] }, /stopSignal: unknown signal/, RangeError],
    ['stopTimeout', { children: [{ ...ok, stopTimeout: -1 }] }, /stopTimeout must be a number of milliseconds/, RangeError],
    ['stopTimeout too long', { children: [{ ...ok, stopTimeout: 2 ** 31 }] }, /stopTimeout must be at most 2147483647 ms/, RangeError],
    ['dependsOn unknown', { children: [{ ...ok, dependsOn: ['zz'] }] }, /dependsOn names an unknown child 'zz'/, RangeError],
    ['group option', { children: [{ ...ok, options: { group: 'inherit' } }] }, /options\.group must be 'new'/, RangeError],
    ['argv0 with reaper', { children: [{ ...ok, contain: 'reaper', options: { argv0: 'x' } }] }, /options\.argv0 cannot be set with contain: 'reaper'/, TypeError],
    ['cgroup option with cgroup', { children: [{ ...ok, contain: 'cgroup', options: { cgroup: '/x' } }] }, /options\.cgroup cannot be set/, TypeError],
    ['spawn option', { children: [{ ...ok, options: { cwd: 5 } }] }, /children\[0\] \(a\): .*cwd/, TypeError],
    ['NUL in args', { children: [{ ...ok, args: ['a\0b'] }] }, /children\[0\] \(a\)/, TypeError],
    ['intensity', { children: [], intensity: { maxRestarts: 1.5 } }, /intensity\.maxRestarts must be an integer/, RangeError],
    ['forwardSignals', { children: [], forwardSignals: ['KILL'] }, /forwardSignals cannot contain SIGKILL/, RangeError],
    ['cgroupParent', { children: [{ ...ok, contain: 'cgroup' }], cgroupParent: '/tmp' }, /cgroupParent: "\/tmp" is not a writable cgroup v2 directory/, Error],
    ['reaperPath', { children: [{ ...ok, contain: 'reaper' }], reaperPath: '/nonexistent/reaper' }, /reaperPath: .* is not an executable file/, Error],
  ];
  for (const [what, options, message, Kind] of cases) {
    test(what, () => {
      assert.throws(() => new Supervisor(options as never), (error: Error) => {
        assert.ok(error instanceof Kind, `${error.name}: ${error.message}`);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});
