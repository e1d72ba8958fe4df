// pipeline(): commands connected stdout → stdin by kernel pipes, run as one unit: the last
// command's result, a failure naming the command, one timeout/abort stopping every group, and a
// result that waits until every command is gone.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { pipeline, ProcessError } from '../../lib/index.js';
import { findByCmdline, isAlive, readStat, waitUntil, withDeadline } from '../helpers/proc.js';
import { holdings, settleLeaks } from '../helpers/reliability.js';
import { Started } from '../helpers/spawn.js';

let started = new Started();
afterEach(() => {
  started.cleanup();
  started = new Started();
});

async function rejection(promise: Promise<unknown>): Promise<ProcessError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ProcessError, `expected a ProcessError, got ${String(error)}`);
  return error;
}

describe('pipeline()', () => {
  test('stdout flows into the next stdin; the result is the last command\'s', { timeout: 10_000 }, async () => {
    const before = holdings();
    const r = await pipeline([['printf', ['b\\na\\nc\\n']], ['sort'], ['head', ['-n', '2']]]);
    assert.equal(r.stdout, 'a\nb\n');
    assert.equal(r.code, 0);
    const input = await pipeline([['cat'], ['tr', ['a-z', 'A-Z']]], { input: 'shout\n', lines: true });
    assert.deepEqual(input.stdout, ['SHOUT']);
    assert.deepEqual(await settleLeaks(before), [], 'no fd, child or zombie left');
  });

  test('every command is its own process, in its own group, joined by pipes', { timeout: 10_000 }, async () => {
    const [marker, second] = [started.sleepArg(), started.sleepArg()];
    const outcome = rejection(pipeline([['sh', ['-c', `echo up; exec sleep ${marker}`]], ['sh', ['-c', `read l; exec sleep ${second}`]]]));
    await waitUntil(() => started.sleepers().length === 2, 5000, 'both commands running');
    const [sleeper] = findByCmdline(marker);
    const pgid = readStat(sleeper!).pgid;
    started.pgids.add(pgid);
    assert.equal(pgid, sleeper, 'the first command leads its own group');
    // Its stdout is a pipe whose other end is the second command's stdin.
    const [reader] = findByCmdline(second);
    assert.ok(reader !== undefined, 'second command found');
    assert.notEqual(readStat(reader).pgid, pgid, 'the second command has a group of its own');
    assert.match(readlinkSync(`/proc/${sleeper}/fd/1`), /^pipe:/);
    assert.equal(readlinkSync(`/proc/${sleeper}/fd/1`), readlinkSync(`/proc/${reader}/fd/0`));
    started.pgids.add(reader);
    process.kill(-pgid, 'SIGTERM');
    process.kill(-reader, 'SIGTERM');
    const error = await outcome;
    assert.equal(error.pipeline?.index, 0);
    assert.equal(error.signal, 'SIGTERM');
  });

  test('a failure names the failing command; its stderr, the last stdout', { timeout: 10_000 }, async () => {
    const error = await rejection(pipeline([['printf', ['x']], ['sh', ['-c', 'cat; echo bad >&2; exit 4']], ['cat']]));
    assert.equal(error.pipeline?.index, 1);
    assert.deepEqual(error.pipeline?.commands, ['printf x', "sh -c 'cat; echo bad >&2; exit 4'", 'cat']);
    assert.equal(error.file, 'sh');
    assert.equal(error.code, 4);
    assert.equal(error.stderr, 'bad\n');
    assert.equal(error.stdout, 'x');
    assert.match(error.shortMessage, /command 2 of 3 in pipeline printf x \| sh -c .* \| cat\) exited with code 4/);
    const start = await rejection(pipeline([['true'], ['procctl-no-such-command']]));
    assert.equal(start.pipeline?.index, 1);
    assert.match(start.message, /failed to start/);
  });

  test('a writer killed by SIGPIPE because the reader finished is not a failure', { timeout: 10_000 }, async () => {
    const r = await pipeline([['yes'], ['head', ['-n', '3']]], { lines: true });
    assert.deepEqual(r.stdout, ['y', 'y', 'y']);
  });

  test('a timeout in the middle of a three-command pipeline stops every group; no process is left', { timeout: 20_000 }, async () => {
    const before = holdings();
    const [a, b, c] = [started.sleepArg(), started.sleepArg(), started.sleepArg()];
    const commands = [
      ['sh', ['-c', `sleep ${a} & while :; do echo tick; sleep 0.05; done; wait`]],
      ['sh', ['-c', `sleep ${b} & cat`]],
      ['sh', ['-c', `sleep ${c} & cat`]],
    ] as const;
    const run = pipeline(commands, { timeout: 700, killAfter: 2000 });
    await waitUntil(() => started.sleepers().length === 3, 5000, 'three background sleeps running');
    const sleepers = started.sleepers();
    const error = await withDeadline(rejection(run), 10_000, 'pipeline settles');
    assert.equal(error.timedOut, true);
    assert.match(error.shortMessage, /timed out/);
    // The result came only once every group was empty: no command and no background sleep is left.
    for (const pid of sleepers) assert.equal(isAlive(pid), false, `sleep ${pid} still runs`);
    assert.deepEqual(started.stragglers(), []);
    assert.deepEqual(await settleLeaks(before), [], 'no fd, child or zombie left');
  });

  test('an abort also empties the group of a command that already exited', { timeout: 20_000 }, async () => {
    const controller = new AbortController();
    const [a, b] = [started.sleepArg(), started.sleepArg()];
    // The first command exits once its input ends, leaving its background sleep holding the
    // second command's stdin.
    const run = pipeline([['sh', ['-c', `sleep ${a} & cat`]], ['sh', ['-c', `sleep ${b} & cat`]]], { input: 'x', signal: controller.signal });
    await waitUntil(() => started.sleepers().length === 2, 5000, 'background sleeps running');
    await waitUntil(() => findByCmdline(`sleep ${a} & cat`).length === 0, 5000, 'first command exited');
    const sleepers = started.sleepers();
    controller.abort();
    const error = await withDeadline(rejection(run), 10_000, 'pipeline settles');
    assert.equal(error.aborted, true);
    for (const pid of sleepers) assert.equal(isAlive(pid), false, `sleep ${pid} still runs`);
    assert.deepEqual(started.stragglers(), []);
  });

  test('an abort stops every group as well', { timeout: 20_000 }, async () => {
    const controller = new AbortController();
    const [a, b] = [started.sleepArg(), started.sleepArg()];
    const run = pipeline([['sh', ['-c', `sleep ${a} & cat`]], ['sh', ['-c', `sleep ${b} & cat`]]], { input: 'x', signal: controller.signal });
    await waitUntil(() => started.sleepers().length === 2, 5000, 'background sleeps running');
    const sleepers = started.sleepers();
    controller.abort();
    const error = await withDeadline(rejection(run), 10_000, 'pipeline settles');
    assert.equal(error.aborted, true);
    for (const pid of sleepers) assert.equal(isAlive(pid), false, `sleep ${pid} still runs`);
  });

  test('bad input is a TypeError before anything starts', { timeout: 5000 }, async () => {
    await assert.rejects(pipeline([] as never), { name: 'TypeError', message: /^commands must be a non-empty array/ });
    await assert.rejects(pipeline([['true', [], { timeout: 5 } as never]]), { name: 'TypeError', message: /commands\[0\]\[2\]\.timeout is a pipeline option/ });
    await assert.rejects(pipeline([['true']], { stdio: 'pipe' } as never), { name: 'TypeError', message: /stdio is not a pipeline\(\) option/ });
    await assert.rejects(pipeline([['true'], ['cat', ['x\0']]]), { name: 'TypeError', message: /args\[0\]/ });
  });
});
