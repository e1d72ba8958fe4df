// A table of bad inputs to every public function of the spawn API. Each must throw (or reject
// with) a TypeError or RangeError whose message names the option and echoes the value, and none
// may create anything: the process's fds and children are compared before and after the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exec, groupMembers, killGroup, signals, spawn, waitForGroupExit } from '../../lib/index.js';
import { holdings, leaksBetween } from '../helpers/reliability.js';

interface BadCase {
  /** What the message must contain: the option's name. */
  option: string;
  /** A fragment of the echoed value. */
  echo?: string;
  type: typeof TypeError | typeof RangeError;
  call: () => unknown;
}

const s = (options: unknown) => () => spawn('true', [], options as never);
const e = (options: unknown) => () => exec('true', [], options as never);

const CASES: BadCase[] = [
  { option: 'file', echo: '42', type: TypeError, call: () => spawn(42 as never) },
  { option: 'file', echo: "''", type: TypeError, call: () => spawn('') },
  { option: 'file', type: TypeError, call: () => spawn('a\0b') },
  { option: 'args', echo: "'oops'", type: TypeError, call: () => spawn('true', 'oops' as never) },
  { option: 'args[1]', echo: '7', type: TypeError, call: () => spawn('true', ['ok', 7] as never) },
  { option: 'args[0]', type: TypeError, call: () => spawn('true', ['x\0y']) },
  { option: 'options', echo: "'str'", type: TypeError, call: () => spawn('true', [], 'str' as never) },
  { option: 'bogus', type: TypeError, call: s({ bogus: 1 }) },
  { option: 'cwd', echo: '5', type: TypeError, call: s({ cwd: 5 }) },
  { option: 'cwd', type: TypeError, call: s({ cwd: '/tmp\0x' }) },
  { option: 'cwd', echo: 'http://example.com/', type: TypeError, call: s({ cwd: new URL('http://example.com/') }) },
  { option: 'env', echo: "'PATH=/bin'", type: TypeError, call: s({ env: 'PATH=/bin' }) },
  { option: 'env.A', echo: '1', type: TypeError, call: s({ env: { A: 1 } }) },
  { option: 'env name', echo: 'A=B', type: TypeError, call: s({ env: { 'A=B': 'x' } }) },
  { option: 'env.A', type: TypeError, call: s({ env: { A: 'x\0y' } }) },
  { option: 'argv0', echo: '1', type: TypeError, call: s({ argv0: 1 }) },
  { option: 'stdio', echo: "'bogus'", type: TypeError, call: s({ stdio: 'bogus' }) },
  { option: 'stdio[1]', echo: '-1', type: RangeError, call: s({ stdio: ['pipe', -1] }) },
  { option: 'stdio[0]', echo: '1.5', type: RangeError, call: s({ stdio: [1.5] }) },
  { option: 'stdio[0]', echo: '{}', type: TypeError, call: s({ stdio: [{}] }) },
  { option: 'stdio[2]', echo: "'ipc'", type: TypeError, call: s({ stdio: ['pipe', 'pipe', 'ipc'] }) },
  { option: 'group', echo: "'x'", type: TypeError, call: s({ group: 'x' }) },
  { option: 'group', echo: '0', type: RangeError, call: s({ group: 0 }) },
  { option: 'group', echo: '-5', type: RangeError, call: s({ group: -5 }) },
  { option: 'session', echo: '1234', type: TypeError, call: s({ group: 1234, session: true }) },
  { option: 'session', echo: "'yes'", type: TypeError, call: s({ session: 'yes' }) },
  { option: 'takeTerminal', echo: "'yes'", type: TypeError, call: s({ takeTerminal: 'yes' }) },
  { option: 'takeTerminal', echo: 'session: true', type: TypeError, call: s({ takeTerminal: true, session: true }) },
  { option: 'takeTerminal', echo: "group 'inherit'", type: TypeError, call: s({ takeTerminal: true, group: 'inherit' }) },
  { option: 'resetSignals', echo: '1', type: TypeError, call: s({ resetSignals: 1 }) },
  { option: 'ignoreSignals', echo: 'SIGBOGUS', type: RangeError, call: s({ ignoreSignals: ['SIGBOGUS'] }) },
  { option: 'ignoreSignals', echo: 'KILL', type: RangeError, call: s({ ignoreSignals: ['KILL'] }) },
  { option: 'blockSignals', echo: "'TERM'", type: TypeError, call: s({ blockSignals: 'TERM' }) },
  { option: 'blockSignals', echo: '19', type: RangeError, call: s({ blockSignals: [19] }) },
  { option: 'defaultSignals', echo: '0', type: RangeError, call: s({ defaultSignals: [0] }) },
  { option: 'defaultSignals', echo: 'INT', type: TypeError, call: s({ ignoreSignals: ['INT'], defaultSignals: ['INT'] }) },
  { option: 'closeFds', echo: "'no'", type: TypeError, call: s({ closeFds: 'no' }) },
  { option: 'uid', echo: '-1', type: RangeError, call: s({ uid: -1 }) },
  { option: 'uid', echo: '1.5', type: RangeError, call: s({ uid: 1.5 }) },
  { option: 'gid', echo: "'0'", type: TypeError, call: s({ gid: '0' }) },
  { option: 'groups[1]', echo: '-2', type: RangeError, call: s({ groups: [1, -2] }) },
  { option: 'groups', echo: '5', type: TypeError, call: s({ groups: 5 }) },
  { option: 'umask', echo: '512', type: RangeError, call: s({ umask: 0o1000 }) },
  { option: 'rlimits.nofiles', type: TypeError, call: s({ rlimits: { nofiles: 5 } }) },
  { option: 'rlimits.nofile', echo: '[ 10, 5 ]', type: RangeError, call: s({ rlimits: { nofile: [10, 5] } }) },
  { option: 'rlimits.nofile', echo: '-1', type: RangeError, call: s({ rlimits: { nofile: -1 } }) },
  { option: 'rlimits.core', echo: "'big'", type: TypeError, call: s({ rlimits: { core: 'big' } }) },
  { option: 'rlimits.nofile.hard', echo: 'undefined', type: TypeError, call: s({ rlimits: { nofile: { soft: 1 } } }) },
  { option: 'deathSignal', echo: 'SIGNOPE', type: RangeError, call: s({ deathSignal: 'SIGNOPE' }) },
  { option: 'cgroup', echo: 'relative/path', type: TypeError, call: s({ cgroup: 'relative/path' }) },
  { option: 'noNewPrivs', echo: '1', type: TypeError, call: s({ noNewPrivs: 1 }) },
  { option: 'timeout', echo: '-1', type: RangeError, call: s({ timeout: -1 }) },
  { option: 'timeout', echo: 'NaN', type: TypeError, call: s({ timeout: NaN }) },
  { option: 'killSignal', echo: '99', type: RangeError, call: s({ killSignal: 99 }) },
  { option: 'killAfter', echo: '-5', type: RangeError, call: s({ killAfter: -5 }) },
  { option: 'signal', echo: '{}', type: TypeError, call: s({ signal: {} }) },
  { option: 'input', echo: '5', type: TypeError, call: e({ input: 5 }) },
  { option: 'input', type: TypeError, call: e({ input: 'x', stdio: ['ignore', 'pipe', 'pipe'] }) },
  { option: 'encoding', echo: "'klingon'", type: TypeError, call: e({ encoding: 'klingon' }) },
  { option: 'maxBuffer', echo: '0', type: RangeError, call: e({ maxBuffer: 0 }) },
  { option: 'drainTimeout', echo: '-1', type: RangeError, call: e({ drainTimeout: -1 }) },
  { option: 'reject', echo: "'no'", type: TypeError, call: e({ reject: 'no' }) },
  { option: 'stdio[1]', echo: '-3', type: RangeError, call: e({ stdio: ['pipe', -3] }) },
  // Shapes that used to reach the native layer and come back as request.argv[1], request.uid, …
  { option: 'args[0]', echo: 'undefined', type: TypeError, call: () => spawn('true', [, 'a'] as never) },
  { option: 'stdio[0].fd', echo: '1.5', type: RangeError, call: s({ stdio: [{ fd: 1.5 }] }) },
  { option: 'stdio[1].fd', echo: 'NaN', type: RangeError, call: s({ stdio: ['pipe', { fd: NaN }] }) },
  { option: 'stdio[2].fd', echo: '1099511627776', type: RangeError, call: s({ stdio: ['pipe', 'pipe', { fd: 2 ** 40 }] }) },
  { option: 'uid', echo: '4294967295', type: RangeError, call: s({ uid: 2 ** 32 - 1 }) },
  { option: 'gid', echo: '4294967296', type: RangeError, call: s({ gid: 2 ** 32 }) },
  { option: 'groups[0]', echo: '4294967295', type: RangeError, call: s({ groups: [2 ** 32 - 1] }) },
  { option: 'rlimits.nofile', echo: '2', type: RangeError, call: s({ rlimits: { nofile: 2 } }) },
  { option: 'rlimits.nofile', echo: '4', type: RangeError, call: s({ rlimits: { nofile: 4 }, stdio: ['pipe', 'pipe', 'pipe', 'ignore', 'pipe'] }) },
  // Every millisecond option that ends in one timer: 2^31 would fire after 1 ms.
  { option: 'drainTimeout', echo: '2147483648', type: RangeError, call: e({ drainTimeout: 2 ** 31 }) },
  { option: 'timeout', echo: '2147483648', type: RangeError, call: s({ timeout: 2 ** 31 }) },
  { option: 'killAfter', echo: '2147483648', type: RangeError, call: s({ killAfter: 2 ** 31 }) },
  // The signal table's helpers: no signal 0, -5 or NaN, no bit past 64, no non-hex mask.
  { option: 'signal', echo: '0', type: RangeError, call: () => signals.name(0) },
  { option: 'signal', echo: '-5', type: RangeError, call: () => signals.name(-5) },
  { option: 'signal', echo: 'NaN', type: RangeError, call: () => signals.name(NaN) },
  { option: 'signals[0]', echo: '0', type: RangeError, call: () => signals.toMask([0]) },
  { option: 'signals[1]', echo: '100', type: RangeError, call: () => signals.toMask([15, 100]) },
  { option: 'mask', echo: 'zz', type: RangeError, call: () => signals.fromMask('zz') },
  { option: 'pgid', echo: '0', type: RangeError, call: () => killGroup(0) },
  { option: 'sig', echo: 'SIGFOO', type: RangeError, call: () => killGroup(123456, 'SIGFOO' as never) },
  { option: 'pgid', echo: "'1'", type: TypeError, call: () => groupMembers('1' as never) },
  { option: 'timeoutMs', echo: '-1', type: RangeError, call: () => waitForGroupExit(5, -1) },
  { option: 'pgid', echo: '1.5', type: RangeError, call: () => waitForGroupExit(1.5) },
];

/** Run one case and return the error it threw or rejected with. */
async function failureOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

test('bad inputs: a TypeError/RangeError naming the option, nothing created', { timeout: 10_000 }, async () => {
  assert.ok(CASES.length >= 30, 'the table has at least 30 cases');
  const before = holdings();
  for (const [i, c] of CASES.entries()) {
    const error = await failureOf(c.call);
    const label = `case ${i} (${c.option})`;
    assert.ok(error instanceof c.type, `${label}: expected ${c.type.name}, got ${String(error)}`);
    assert.ok(error.message.includes(c.option), `${label}: message names the option: ${error.message}`);
    if (c.echo !== undefined) assert.ok(error.message.includes(c.echo), `${label}: message echoes ${c.echo}: ${error.message}`);
  }
  assert.deepEqual(leaksBetween(before, holdings()), [], 'no fd, child or zombie was created');
});

test('the signal table round-trips every valid signal', () => {
  for (const n of signals.all()) {
    assert.equal(signals.parse(signals.name(n)), n);
    assert.deepEqual(signals.fromMask(signals.toMask([n]).toString(16)), [n]);
  }
  assert.equal(signals.toMask(['TERM', 2]), (1n << 14n) | (1n << 1n));
});

test('an options object with a polluted prototype injects nothing', { timeout: 5000 }, async () => {
  const proto = Object.prototype as Record<string, unknown>;
  proto.uid = 'polluted';
  proto.group = 'nonsense';
  try {
    // Only own properties are options: a prototype uid/group would fail validation if read.
    const child = spawn('true', [], { stdio: 'ignore' });
    assert.equal((await child.exited).code, 0);
  } finally {
    delete proto.uid;
    delete proto.group;
  }
});
