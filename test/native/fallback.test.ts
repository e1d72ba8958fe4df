// The SIGCHLD/waitid fallback, forced with setPidfdEnabled(false): exits, signal(), hold/reap and
// a burst of concurrent exits all behave as with pidfds.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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

  test('node:child_process keeps working next to the fallback', async () => {
    const ours = spawnNative(['sh', '-c', 'sleep 0.2; exit 6'], { fds: [-1, -1, -1] });
    const theirs = new Promise<number | null>((resolve) => {
      execFile('sh', ['-c', 'exit 9'], (error) => resolve(error ? (error as { code?: number }).code ?? null : 0));
    });
    assert.equal(await withDeadline(theirs, 10_000, 'child_process exit'), 9);
    assert.equal((await withDeadline(ours.exited, 10_000, 'native exit')).code, 6);
  });

  test('a burst of concurrent exits is reported once each', async () => {
    const children = Array.from({ length: 50 }, (_, i) => spawnNative(['sh', '-c', `exit ${i % 5}`], { fds: [-1, -1, -1] }));
    const exits = await withDeadline(Promise.all(children.map((c) => c.exited)), 20_000, 'burst');
    exits.forEach((exit, i) => assert.equal(exit.code, i % 5));
  });
});
