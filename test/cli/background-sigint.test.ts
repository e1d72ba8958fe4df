// Problem 3: a program started with `&` by a non-interactive shell inherits SIG_IGN for SIGINT,
// and ignored dispositions survive exec, so SIGINT never stops it. `procctl exec --reset-signals`
// fixes it, and `procctl inspect` shows the difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, killMarked, readFileSyncSafe, runCli, uniqueSleep } from '../helpers/cli.js';
import { isAlive, maskOf, sigMask, waitUntil } from '../helpers/proc.js';

const SIGINT = 2;

/** Start `sh -c '<command> &'`, return the background job's pid once it runs `sleep <nap>`. */
async function startInBackground(command: string, nap: string): Promise<number> {
  const out = spawnSync('sh', ['-c', `${command} >/dev/null 2>&1 & echo $!`], { encoding: 'utf8', timeout: 5000 });
  const pid = Number(out.stdout.trim());
  assert.ok(pid > 0, `no pid from ${JSON.stringify(out)}`);
  // procctl exec keeps the PID: wait until it has become the sleep.
  await waitUntil(() => readFileSyncSafe(`/proc/${pid}/cmdline`) === `sleep\0${nap}\0`, 5000, `pid ${pid} to exec sleep`);
  return pid;
}

async function inspectJson(pid: number): Promise<{ signals: { ignored: string[] } }> {
  const r = await runCli(['inspect', String(pid), '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { signals: { ignored: string[] } };
}

test('sh -c "app &" leaves app ignoring SIGINT; procctl exec --reset-signals does not', { timeout: 30_000 }, async () => {
  const plain = uniqueSleep();
  const fixed = uniqueSleep();
  try {
    const bare = await startInBackground(`sleep ${plain}`, plain);
    assert.equal(sigMask(bare, 'SigIgn') & maskOf(SIGINT), maskOf(SIGINT), 'the shell made SIGINT ignored');
    process.kill(bare, 'SIGINT');
    await sleep(300);
    assert.ok(isAlive(bare), 'SIGINT does nothing to the bare background job');

    const reset = await startInBackground(`'${process.execPath}' '${CLI}' exec --reset-signals -- sleep ${fixed}`, fixed);
    assert.equal(sigMask(reset, 'SigIgn'), 0n, 'every disposition back to default');

    // inspect tells the two apart, and names the reason in its human form.
    assert.ok((await inspectJson(bare)).signals.ignored.includes('SIGINT'));
    assert.ok(!(await inspectJson(reset)).signals.ignored.includes('SIGINT'));
    const human = await runCli(['inspect', String(bare)]);
    assert.match(human.stdout, /ignored\s+SIGINT SIGQUIT/);
    assert.match(human.stdout, /will not stop/);

    process.kill(reset, 'SIGINT');
    await waitUntil(() => !isAlive(reset), 3000, 'the reset job to die of SIGINT');
  } finally {
    killMarked(plain, fixed);
  }
});
