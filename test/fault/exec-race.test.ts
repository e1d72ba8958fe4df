// Fault injection: the executable disappears between PATH resolution and execve. Another process
// keeps replacing and removing the program while spawns run; every spawn must either run the
// program that existed at execve time or fail with {stage: 'exec', code: 'ENOENT', path: file},
// with nothing left behind. A PATH with a fallback directory must always reach the fallback.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn as spawnNode, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, SpawnError } from '../../lib/index.js';
import { holdings, settleLeaks, warmUp } from '../helpers/reliability.js';

const ROUNDS = 150;

describe('fault: executable removed between resolution and exec', { timeout: 60_000 }, () => {
  let dir = '';
  let racing = '';
  let fallback = '';
  let racer: ChildProcess | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procctl-race-'));
    racing = join(dir, 'racing');
    fallback = join(dir, 'fallback');
    mkdirSync(racing);
    mkdirSync(fallback);
    // Binaries, not scripts: a script that vanishes after execve is reopened by its interpreter.
    copyFileSync('/bin/true', join(dir, 'prog.src'));
    copyFileSync('/bin/false', join(fallback, 'prog'));
    // Replace atomically (cp + mv, so execve never sees a half-written file) and remove, forever.
    const loop = `while :; do cp -p prog.src racing/.prog.tmp && mv -f racing/.prog.tmp racing/prog; rm -f racing/prog; done`;
    racer = spawnNode('/bin/sh', ['-c', loop], { cwd: dir, stdio: 'ignore', detached: true });
    await warmUp();
  });

  after(() => {
    if (racer?.pid !== undefined) {
      try {
        process.kill(-racer.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('without a fallback: exit 0 or SpawnError(exec, ENOENT, path), never anything else', async () => {
    const baseline = holdings();
    const seen = { ran: 0, enoent: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      try {
        const child = spawn('prog', [], { stdio: 'ignore', env: { PATH: racing } });
        const r = await child.exited;
        assert.equal(r.code, 0, `ran, so it must be the racing program: ${JSON.stringify(r)}`);
        seen.ran++;
      } catch (error) {
        assert.ok(SpawnError.is(error), `expected SpawnError, got ${String(error)}`);
        assert.equal(error.stage, 'exec');
        assert.equal(error.code, 'ENOENT');
        assert.equal(error.path, 'prog');
        seen.enoent++;
      }
    }
    assert.equal(seen.ran + seen.enoent, ROUNDS);
    assert.deepEqual(await settleLeaks(baseline), []);
  });

  test('with a fallback on PATH: always runs a program (0 or 1), never fails', async () => {
    const baseline = holdings();
    for (let i = 0; i < ROUNDS; i++) {
      const child = spawn('prog', [], { stdio: 'ignore', env: { PATH: `${racing}:${fallback}` } });
      const r = await child.exited;
      assert.ok(r.code === 0 || r.code === 1, `exit ${JSON.stringify(r)}`);
    }
    assert.deepEqual(await settleLeaks(baseline), []);
  });
});
