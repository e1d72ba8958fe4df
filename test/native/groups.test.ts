// Process group and session of spawned children, from /proc/PID/stat; this process's own ids
// from getpgid()/getsid(), which emulators (qemu-user fakes our own stat fields) cannot fake.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { native } from '../../lib/native.js';
import { killAll, readStat, withDeadline } from '../helpers/proc.js';
import { spawnNative, type NativeChild } from '../helpers/native.js';

describe('native spawn: group and session', { timeout: 30_000 }, () => {
  const started: NativeChild[] = [];
  after(() => killAll(started.map((c) => c.pid)));
  const sleeper = (overrides: Parameters<typeof spawnNative>[1]) => {
    const child = spawnNative(['sleep', '30'], overrides);
    started.push(child);
    return child;
  };

  test('pgid 0 makes the child lead a new group', () => {
    const child = sleeper({ pgid: 0 });
    const stat = readStat(child.pid);
    assert.equal(stat.pgid, child.pid);
    assert.equal(stat.sid, native().getsid(0));
  });

  test('setsid makes the child lead a new session and group', () => {
    const child = sleeper({ setsid: true, pgid: -1 });
    const stat = readStat(child.pid);
    assert.equal(stat.sid, child.pid);
    assert.equal(stat.pgid, child.pid);
  });

  test('a positive pgid joins an existing group', () => {
    const leader = sleeper({ pgid: 0 });
    const member = sleeper({ pgid: leader.pid });
    assert.equal(readStat(member.pid).pgid, leader.pid);
  });

  test('pgid -1 stays in the caller\'s group', () => {
    const child = sleeper({ pgid: -1 });
    assert.equal(readStat(child.pid).pgid, native().getpgid(0));
  });

  test('every exit is reported after SIGKILL', async () => {
    for (const child of started) killAll([child.pid]);
    const exits = await withDeadline(Promise.all(started.map((c) => c.exited)), 10_000, 'exits');
    for (const exit of exits) assert.equal(exit.signal, 9);
  });
});
