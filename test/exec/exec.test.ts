// exec(): output collection, failures as ProcessError, the group-wide timeout, the bounded drain
// that names the grandchild holding a pipe, maxBuffer, input and AbortSignal.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { exec, ProcessError, SpawnError } from '../../lib/index.js';
import { isAlive, waitUntil, withDeadline } from '../helpers/proc.js';
import { holdings, settleLeaks } from '../helpers/reliability.js';
import { Started } from '../helpers/spawn.js';
import { findPipeHolders } from '../../lib/exec/drain.js';
import { Worker } from 'node:worker_threads';
import { libIndex } from '../helpers/reliability.js';

let started = new Started();
afterEach(() => {
  started.cleanup();
  started = new Started();
});

async function rejection(promise: Promise<unknown>): Promise<ProcessError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(ProcessError.is(error), `expected a ProcessError, got ${String(error)}`);
    assert.ok(error instanceof ProcessError);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('results', () => {
  test('stdout, stderr, code and rusage of a successful run', { timeout: 5000 }, async () => {
    const before = holdings();
    const r = await exec('sh', ['-c', 'echo out; echo err >&2']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.code, 0);
    assert.equal(r.signal, null);
    assert.equal(r.timedOut, false);
    assert.equal(r.truncated, false);
    assert.deepEqual(r.pipeHolders, []);
    assert.equal(typeof r.rusage?.userCpuMs, 'number');
    assert.ok(r.durationMs >= 0);
    assert.deepEqual(await settleLeaks(before), [], 'no fd, child or zombie left');
  });

  test("encoding 'buffer' gives Buffers", { timeout: 5000 }, async () => {
    const r = await exec('printf', ['\\377\\000'], { encoding: 'buffer' });
    assert.ok(Buffer.isBuffer(r.stdout));
    assert.deepEqual([...(r.stdout as Buffer)], [0xff, 0]);
  });

  test('input: string, Buffer and Readable reach stdin', { timeout: 5000 }, async () => {
    assert.equal((await exec('cat', [], { input: 'text' })).stdout, 'text');
    assert.equal((await exec('cat', [], { input: Buffer.from('bytes') })).stdout, 'bytes');
    assert.equal((await exec('cat', [], { input: Readable.from(['a', 'b', 'c']) })).stdout, 'abc');
  });

  test('without input, stdin is /dev/null (cat does not wait)', { timeout: 5000 }, async () => {
    assert.equal((await exec('cat')).stdout, '');
  });

  test('env and argv0', { timeout: 5000 }, async () => {
    assert.equal((await exec('/usr/bin/env', [], { env: { ONLY: '1' } })).stdout, 'ONLY=1\n');
    assert.equal((await exec('sh', ['-c', 'echo $0'], { argv0: 'named' })).stdout, 'named\n');
  });
});

describe('failures', () => {
  test('non-zero exit: ProcessError with the result fields and two messages', { timeout: 5000 }, async () => {
    const error = await rejection(exec('sh', ['-c', 'echo partial; echo broken >&2; exit 3']));
    assert.equal(error.code, 3);
    assert.equal(error.signal, null);
    assert.equal(error.stdout, 'partial\n');
    assert.equal(error.stderr, 'broken\n');
    assert.equal(error.timedOut, false);
    assert.equal(error.killedByGroup, false);
    assert.equal(error.truncated, false);
    assert.match(error.shortMessage, /exited with code 3/);
    assert.ok(!error.shortMessage.includes('\n'));
    assert.match(error.longMessage, /broken/);
  });

  test('reject: false resolves with the failure', { timeout: 5000 }, async () => {
    const r = await exec('sh', ['-c', 'exit 4'], { reject: false });
    assert.equal(r.code, 4);
  });

  test('death by signal is reported by name', { timeout: 5000 }, async () => {
    const error = await rejection(exec('sh', ['-c', 'kill -USR1 $$']));
    assert.equal(error.signal, 'SIGUSR1');
    assert.equal(error.code, null);
    assert.match(error.shortMessage, /SIGUSR1/);
  });

  test('a spawn failure rejects with ProcessError whose cause is the SpawnError', { timeout: 5000 }, async () => {
    const before = holdings();
    const error = await rejection(exec('procctl-no-such-program'));
    assert.ok(SpawnError.is(error.cause));
    assert.equal((error.cause as SpawnError).code, 'ENOENT');
    assert.equal((error.cause as SpawnError).stage, 'exec');
    assert.match(error.shortMessage, /failed to start/);
    assert.deepEqual(await settleLeaks(before), []);
  });
});

test('an AbortSignal aborted before the start: ProcessError (aborted), nothing started', { timeout: 5000 }, async () => {
  const before = holdings();
  const error = await rejection(exec('true', [], { signal: AbortSignal.abort() }));
  assert.equal(error.aborted, true);
  assert.equal((error.cause as Error).name, 'AbortError');
  assert.deepEqual(await settleLeaks(before), []);
});

describe('timeout', () => {
  test("`sh -c 'sh -c \"sleep 30\"; echo done'` with timeout 500 ms: resolves soon after, nothing left", { timeout: 8000 }, async () => {
    const marker = started.sleepArg();
    const startedAt = performance.now();
    const r = await withDeadline(
      exec('sh', ['-c', `sh -c "sleep ${marker}"; echo done`], { timeout: 500, reject: false }),
      5000,
      'exec with timeout',
    );
    const elapsed = performance.now() - startedAt;
    assert.equal(r.timedOut, true);
    assert.ok(elapsed < 500 + 1000, `resolved ${Math.round(elapsed)} ms after the start`);
    assert.equal(r.stdout, '', 'the outer shell did not get to echo');
    assert.deepEqual(started.stragglers(), [], 'no sleep left behind');
  });

  test('members that ignore TERM are KILLed after killAfter; the rejection says timedOut', { timeout: 8000 }, async () => {
    const marker = started.sleepArg();
    const error = await rejection(
      exec('sh', ['-c', `trap '' TERM; sleep ${marker}; echo never`], { timeout: 200, killAfter: 300 }),
    );
    assert.equal(error.timedOut, true);
    assert.equal(error.killedByGroup, true);
    assert.equal(error.signal, 'SIGKILL');
    assert.match(error.shortMessage, /timed out/);
    assert.deepEqual(started.stragglers(), []);
  });

  test('AbortSignal stops the group', { timeout: 8000 }, async () => {
    const marker = started.sleepArg();
    const controller = new AbortController();
    const pending = exec('sh', ['-c', `sleep ${marker} & wait`], { signal: controller.signal });
    await waitUntil(() => started.sleepers().length === 1, 3000, 'sleep');
    controller.abort();
    const error = await rejection(pending);
    assert.equal(error.aborted, true);
    assert.deepEqual(started.stragglers(), []);
  });
});

describe('drain', () => {
  test('a grandchild holding stdout: resolves drainTimeout after the exit and names it', { timeout: 8000 }, async (t) => {
    const marker = started.sleepArg();
    const drainTimeout = 200;
    const startedAt = performance.now();
    const r = await withDeadline(
      exec('sh', ['-c', `sleep ${marker} & echo hi`], { drainTimeout }),
      5000,
      'exec with a pipe holder',
    );
    const resolvedAt = performance.now() - startedAt;
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'hi\n');
    assert.equal(r.truncated, true);
    const [grandchild] = started.sleepers();
    assert.ok(grandchild !== undefined && isAlive(grandchild), 'the grandchild still runs');
    assert.deepEqual(r.pipeHolders, [grandchild]);
    // durationMs is the child's lifetime, so this is the time from the exit to the result: the
    // drain timeout, one scan of /proc/*/fd (whose cost grows with the number of processes on the
    // machine, so it is measured here rather than assumed), and at most 100 ms more.
    const afterExit = resolvedAt - r.durationMs;
    const scanStart = performance.now();
    findPipeHolders(['pipe:[0]']);
    const scanMs = performance.now() - scanStart;
    t.diagnostic(`resolved ${afterExit.toFixed(1)} ms after the exit (drainTimeout ${drainTimeout}, one /proc scan ${scanMs.toFixed(1)} ms)`);
    assert.ok(afterExit < drainTimeout + scanMs + 100, `resolved ${Math.round(afterExit)} ms after the exit`);
  });

  test('output closed with the process: no drain wait, no holders', { timeout: 5000 }, async () => {
    const r = await exec('sh', ['-c', 'sleep 0.05; echo late'], { drainTimeout: 10_000 });
    assert.equal(r.stdout, 'late\n');
    assert.equal(r.truncated, false);
  });
});

describe('maxBuffer', () => {
  test('cuts the output and kills the group', { timeout: 8000 }, async () => {
    const marker = started.sleepArg();
    const error = await rejection(
      exec('sh', ['-c', `yes ${marker} & sleep ${marker}; wait`], { maxBuffer: 1000, killAfter: 500 }),
    );
    assert.equal(error.truncated, true);
    assert.equal(error.killedByGroup, true);
    assert.equal((error.stdout as string).length, 1000);
    assert.match(error.shortMessage, /maxBuffer/);
    assert.deepEqual(started.stragglers(), [], 'yes, sleep and the shell are gone');
  });
});

test('exec works from worker threads that come and go', { timeout: 15_000 }, async () => {
  const source = `
    import { parentPort } from 'node:worker_threads';
    const { exec } = await import(${JSON.stringify(libIndex)});
    const r = await exec('sh', ['-c', 'echo "from worker $0"'], { argv0: 'w' });
    parentPort.postMessage(r.stdout);
  `;
  for (let i = 0; i < 3; i++) {
    const worker = new Worker(source, { eval: true, type: 'module' } as ConstructorParameters<typeof Worker>[1]);
    const message = await withDeadline(
      new Promise<unknown>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
      5000,
      'worker exec',
    );
    assert.equal(message, 'from worker w\n');
    await worker.terminate();
  }
});
