// Dispositions a Node parent passes on. Node resets signals 1–31 at startup but ignores SIGPIPE
// and SIGXFSZ, and leaves realtime signals as its own parent set them; libuv's child setup resets
// only 1–31 again. spawn() resets every disposition 1..SIGRTMAX, so nothing ignored leaks through.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../../lib/index.js';
import { maskOf } from '../helpers/proc.js';
import { Started } from '../helpers/spawn.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'spawn', 'node-parent.js');

let started = new Started();
afterEach(() => {
  started.cleanup();
  started = new Started();
});

test('a Node parent with SIGRTMIN+3 and SIGINT ignored: what each way of spawning passes on', { timeout: 15_000 }, async () => {
  const marker = started.sleepArg();
  const r = await exec(process.execPath, [fixture, marker], { ignoreSignals: ['SIGINT', 'SIGRTMIN+3'], timeout: 10_000 });
  const report = JSON.parse(r.stdout) as Record<string, string>;
  const mask = (key: string): bigint => BigInt(`0x${report[key]}`);
  const rtmin3 = maskOf(37);

  // The Node parent: SIGINT reset by Node's startup, SIGRTMIN+3 still ignored, SIGPIPE/SIGXFSZ ignored by Node.
  assert.equal(mask('self') & maskOf(2), 0n);
  assert.equal(mask('self') & rtmin3, rtmin3);
  assert.equal(mask('self') & maskOf(13, 25), maskOf(13, 25));

  assert.equal(mask('procctl'), 0n, 'spawn(): nothing ignored, realtime signals included');
  assert.equal(mask('procctlNoReset') & rtmin3, rtmin3, 'resetSignals: false keeps what the parent ignores');
  assert.equal(mask('childProcess') & rtmin3, rtmin3, 'node:child_process lets the realtime ignore through');
  assert.deepEqual(started.stragglers(), []);
});
