// watchSignals(): the addon's watchers for signals Node cannot listen for (realtime ones), as used
// by procctl init. Observed through this process's /proc/self/status SigCgt and real deliveries.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { native } from '../../lib/native.js';
import { withDeadline } from '../helpers/proc.js';

function caught(signo: number): boolean {
  const hex = /SigCgt:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return (BigInt(`0x${hex}`) & (1n << BigInt(signo - 1))) !== 0n;
}

describe('native watchSignals', { timeout: 30_000 }, () => {
  test('a realtime signal reaches the callback once per delivery; unwatch restores SIG_DFL', async () => {
    const binding = native();
    const seen: number[] = [];
    let wake: (() => void) | undefined;
    binding.watchSignals([40, 41], (signo) => {
      seen.push(signo);
      wake?.();
    });
    try {
      assert.ok(caught(40) && caught(41), 'handlers installed');
      const three = new Promise<void>((resolve) => {
        wake = () => seen.length >= 3 && resolve();
      });
      process.kill(process.pid, 40);
      process.kill(process.pid, 41);
      process.kill(process.pid, 40);
      await withDeadline(three, 5000, 'three deliveries');
      assert.deepEqual([...seen].sort(), [40, 40, 41]);
    } finally {
      binding.unwatchSignals();
    }
    assert.ok(!caught(40) && !caught(41), 'back to SIG_DFL');
  });

  test('the watchers do not keep the event loop alive and are replaced by the next call', () => {
    const nativeUrl = new URL('../../lib/native.js', import.meta.url).href;
    const script = `import(${JSON.stringify(nativeUrl)}).then(({ native }) => native().watchSignals([46], () => {}))`;
    const run = spawnSync(process.execPath, ['-e', script], { timeout: 10_000, encoding: 'utf8' });
    assert.equal(run.signal, null, 'a process that only watches signals exits by itself');
    assert.equal(run.status, 0, run.stderr);
    const binding = native();
    binding.watchSignals([42], () => {});
    binding.watchSignals([43], () => {});
    try {
      assert.ok(!caught(42) && caught(43));
    } finally {
      binding.unwatchSignals();
    }
  });

  test('bad input: TypeError/RangeError, nothing installed', () => {
    const binding = native();
    assert.throws(() => binding.watchSignals([9], () => {}), RangeError);
    assert.throws(() => binding.watchSignals([32], () => {}), RangeError);
    assert.throws(() => binding.watchSignals([65], () => {}), RangeError);
    assert.throws(() => binding.watchSignals(['x' as unknown as number], () => {}), TypeError);
    assert.throws(() => binding.watchSignals([44], 'no' as unknown as () => void), TypeError);
    assert.ok(!caught(44));
  });

  test('a worker terminated while watching neither crashes nor leaves its handler behind', async () => {
    const nativeUrl = new URL('../../lib/native.js', import.meta.url).href;
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import(workerData.nativeUrl).then(({ native }) => {
         native().watchSignals([45], () => {});
         // The watcher does not keep the worker alive (unref'd): the port listener does.
         parentPort.on('message', () => {});
         parentPort.postMessage('watching');
       });`,
      { eval: true, workerData: { nativeUrl } },
    );
    await withDeadline(new Promise((resolve) => worker.once('message', resolve)), 10_000, 'worker watching');
    assert.ok(caught(45));
    await worker.terminate();
    assert.ok(!caught(45), 'the teardown closed the watcher');
  });
});
