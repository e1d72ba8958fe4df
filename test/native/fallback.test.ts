// The SIGCHLD/waitid fallback, forced with setPidfdEnabled(false): exits, signal(), hold/reap and
// a burst of concurrent exits all behave as with pidfds.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { native } from '../../lib/native.js';
import { exists, readStat, withDeadline } from '../helpers/proc.js';
import { spawnNative } from '../helpers/native.js';

describe('native exit watcher: SIGCHLD fallback', { timeout: 60_000 }, () => {
  before(() => native().setPidfdEnabled(false));
  after(() => native().setPidfdEnabled(native().constants.hasPidfd));

  test('exit code and signal()', async () => {
    const quick = spawnNative(['sh', '-c', 'exit 4']);
    assert.equal(quick.pidfd, false);
    assert.equal((await withDeadline(quick.exited, 10_000, 'exit')).code, 4);

    const sleeper = spawnNative(['sleep', '30']);
    assert.equal(native().signal(sleeper.id, 15), true);
    const exit = await withDeadline(sleeper.exited, 10_000, 'signalled exit');
    assert.equal(exit.signal, 15);
    assert.equal(native().signal(sleeper.id, 15), false);
  });

  test('hold and reap', async () => {
    const child = spawnNative(['sh', '-c', 'exit 2'], {}, true);
    const exit = await withDeadline(child.exited, 10_000, 'held exit');
    assert.equal(exit.held, true);
    assert.equal(readStat(child.pid).state, 'Z');
    assert.equal(native().reap(child.id), true);
    assert.equal(exists(child.pid), false);
  });

  test('a burst of concurrent exits is reported once each', async () => {
    const children = Array.from({ length: 50 }, (_, i) => spawnNative(['sh', '-c', `exit ${i % 5}`], { fds: [-1, -1, -1] }));
    const exits = await withDeadline(Promise.all(children.map((c) => c.exited)), 20_000, 'burst');
    exits.forEach((exit, i) => assert.equal(exit.code, i % 5));
  });
});
