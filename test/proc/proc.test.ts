// lib/proc: parsing /proc, the inspect() and processTree() library functions, the orphan rule.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { isKernelThread, parseStat, readStat, stateName } from '../../lib/proc/stat.js';
import { ttyName } from '../../lib/proc/tty.js';
import { parseSignalSets } from '../../lib/proc/status.js';
import { readCmdline, commandLine } from '../../lib/proc/cmdline.js';
import { inspect } from '../../lib/proc/inspect.js';
import { isOrphan, processTree, type ProcessEntry, type ProcessTable } from '../../lib/proc/tree.js';
import { targetInode } from '../../lib/proc/fds.js';
import { findHolders } from '../../lib/proc/holders.js';

const T = { timeout: 10_000 };

describe('parsers', () => {
  test('stat: a comm with spaces and parentheses', () => {
    const s = parseStat('42 (a) b (c)) S 1 42 40 34816 42 4194560 0 0');
    assert.deepEqual(s, { pid: 42, comm: 'a) b (c)', state: 'S', ppid: 1, pgid: 42, sid: 40, ttyNr: 34816, tpgid: 42, flags: 4194560 });
    assert.equal(isKernelThread(readStat(process.pid)), false);
    assert.equal(stateName('Z'), 'zombie');
  });

  test('tty_nr decodes like ps', () => {
    assert.equal(ttyName(0), null);
    assert.equal(ttyName((136 << 8) | 3), 'pts/3');
    assert.equal(ttyName((136 << 8) | 0 | (1 << 20)), 'pts/256');
    assert.equal(ttyName((4 << 8) | 1), 'tty1');
    assert.equal(ttyName((4 << 8) | 64), 'ttyS0');
    assert.equal(ttyName((5 << 8) | 1), 'console');
  });

  test('signal sets: all 64 bits, pending merges thread and process', () => {
    const sets = parseSignalSets('SigPnd:\t0000000000000002\nShdPnd:\t8000000000000000\nSigBlk:\t0000000000010000\nSigIgn:\t0000000001001000\nSigCgt:\t0000000000000000\n');
    assert.deepEqual(sets, { ignored: [13, 25], blocked: [17], caught: [], pending: [2, 64] });
  });

  test('cmdline and its one-line form', () => {
    assert.deepEqual(readCmdline(process.pid), [process.execPath, ...process.execArgv, ...process.argv.slice(1)]);
    assert.equal(commandLine([], 'kthreadd'), '[kthreadd]');
    assert.equal(targetInode('pipe:[123]'), 123);
    assert.equal(targetInode('/dev/null'), undefined);
  });
});

describe('inspect()', () => {
  test('describes this process', T, () => {
    const info = inspect(process.pid);
    const stat = readStat(process.pid);
    assert.equal(info.pid, process.pid);
    assert.equal(info.pgid, stat.pgid);
    assert.ok(info.signals.ignored.includes('SIGPIPE'));
    assert.ok(info.fds.some((f) => f.type === 'anon'), 'Node holds an epoll fd');
  });

  test('bad pids are TypeError/RangeError; a missing one is ESRCH', () => {
    assert.throws(() => inspect('1' as unknown as number), TypeError);
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => inspect(bad), RangeError);
    assert.throws(() => inspect(4194303), (e: Error & { code?: string }) => e.code === 'ESRCH' && /no such process/.test(e.message));
  });

  test('exclude leaves pids out of sharedWith', T, async () => {
    const child = spawn('sleep', ['5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const fd1 = (pid: number, exclude: number[]) => inspect(pid, { exclude }).fds.find((f) => f.fd === 1);
      assert.equal(fd1(child.pid as number, [process.pid])?.sharedWith.includes(process.pid), false);
      // The socketpair's other end is here: visible only when the addon can name peers.
      const holders = findHolders(new Set([fd1(child.pid as number, [])?.target ?? '']));
      assert.ok(holders.size === 1);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('processTree()', () => {
  test('contains a spawned child under this process', T, async () => {
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const tree = processTree(process.pid);
      assert.ok(tree.children.some((c) => c.pid === child.pid && c.ppid === process.pid));
      assert.throws(() => processTree(4194303), (e: Error & { code?: string }) => e.code === 'ESRCH');
      assert.throws(() => processTree(0), RangeError);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('the orphan rule', () => {
    const entry = (pid: number, ppid: number, pgid: number, sid: number): ProcessEntry => ({ pid, ppid, pgid, sid, comm: 'x', state: 'S', ttyNr: 0, tpgid: -1, flags: 0, cmd: 'x' });
    const table = (...entries: ProcessEntry[]): ProcessTable => ({ byPid: new Map(entries.map((e) => [e.pid, e])), childrenOf: new Map() });
    const init = entry(1, 0, 1, 1);
    const reaper = entry(50, 1, 50, 50);
    // `sh -c 'app &'` after sh exited: app's group leader (sh, 100) is gone, parent is PID 1.
    assert.equal(isOrphan(entry(101, 1, 100, 10), table(init, entry(101, 1, 100, 10))), true);
    // Reparented to a subreaper: leader gone, parent in another group.
    assert.equal(isOrphan(entry(101, 50, 100, 10), table(init, reaper, entry(101, 50, 100, 10))), true);
    // A daemon leading its own session, a group leader under PID 1, a child in its parent's group.
    assert.equal(isOrphan(entry(60, 1, 60, 60), table(init)), false);
    assert.equal(isOrphan(entry(61, 1, 61, 1), table(init)), false);
    assert.equal(isOrphan(entry(70, 50, 50, 50), table(init, reaper)), false);
    // A pipeline member whose group leader still runs under the same parent.
    assert.equal(isOrphan(entry(81, 50, 80, 50), table(init, reaper, entry(80, 50, 80, 50))), false);
  });
});
