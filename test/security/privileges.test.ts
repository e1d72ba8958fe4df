// Privilege drop, verified from inside the child (/proc/PID/status of the running program):
// supplementary groups, then gid, then uid — all four ids of each set; the caller's supplementary
// groups never survive a uid/gid change; no_new_privs stops a set-uid binary from raising
// privileges. (That no step that fails ever reaches exec is shown in test/fault/stages.test.ts.)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, spawn } from '../../lib/index.js';
import { isRoot, readStatus } from '../helpers/proc.js';
import { NOBODY, hasTool, procView, runNodeScenario, scenarioPrelude, waitUntilSleeping } from '../helpers/reliability.js';

/** Uid/Gid lines hold real, effective, saved and filesystem ids. */
function idSet(pid: number, field: 'Uid' | 'Gid'): number[] {
  return (readStatus(pid).get(field) ?? '').split(/\s+/).map(Number);
}

describe('security: privilege drop', { timeout: 60_000 }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'procctl-priv-'));
    chmodSync(dir, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('uid, gid and groups reach the child exactly, in every id slot', async (t) => {
    if (!isRoot) return t.skip('needs root to change credentials');
    // This also pins the order: once setuid() has left root, setgroups() and setgid() fail with
    // EPERM, so all three taking effect means setuid came last.
    const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore', uid: NOBODY, gid: NOBODY, groups: [NOBODY, 100] });
    try {
      await waitUntilSleeping(child.pid);
      assert.deepEqual(idSet(child.pid, 'Uid'), [NOBODY, NOBODY, NOBODY, NOBODY]);
      assert.deepEqual(idSet(child.pid, 'Gid'), [NOBODY, NOBODY, NOBODY, NOBODY]);
      assert.deepEqual([...procView(child.pid).groups].sort((a, b) => a - b), [100, NOBODY]);
      // A dropped uid has no capabilities left.
      assert.equal(readStatus(child.pid).get('CapEff'), '0000000000000000');
      assert.equal(readStatus(child.pid).get('CapPrm'), '0000000000000000');
    } finally {
      child.kill('SIGKILL');
      await child.exited;
    }
  });

  test('groups: [] clears every supplementary group', async (t) => {
    if (!isRoot) return t.skip('needs root');
    const r = await exec('/bin/cat', ['/proc/self/status'], { uid: NOBODY, gid: NOBODY, groups: [] });
    assert.match(r.stdout as string, /^Groups:\s*$/m);
  });

  test("the caller's supplementary groups never survive a uid/gid change without groups", async (t) => {
    if (!isRoot) return t.skip('needs root');
    if (!(await hasTool('setpriv'))) return t.skip('setpriv (util-linux) not installed');
    // The scenario runs as root with supplementary groups 4 and 27 (adm, sudo on Debian) and drops
    // to nobody giving only uid and gid: keeping 4 and 27 would hand those groups' files to nobody.
    const source = `${scenarioPrelude()}
      const child = procctl.spawn('/bin/sleep', ['30'], { stdio: 'ignore', uid: ${NOBODY}, gid: ${NOBODY} });
      await rel.waitUntilSleeping(child.pid);
      const groups = rel.procView(child.pid).groups;
      child.kill('SIGKILL');
      await child.exited;
      report({ callerGroups: rel.procView(process.pid).groups, groups });
    `;
    const r = await runNodeScenario(source, { wrapper: ['setpriv', '--groups=4,27'] });
    assert.ok(r.report, `scenario failed: ${r.stderr}`);
    assert.deepEqual(r.report.callerGroups, [4, 27], 'the scenario really had the groups');
    assert.deepEqual(r.report.groups, [], 'supplementary groups after dropping to nobody');
  });

  test('noNewPrivs: set in the child, and a set-uid binary cannot raise privileges', async (t) => {
    if (!isRoot) return t.skip('needs root to create a set-uid binary');
    const setuidId = join(dir, 'id');
    copyFileSync('/usr/bin/id', setuidId);
    chmodSync(setuidId, 0o4755);
    // Control: without no_new_privs the set-uid bit works (else this test proves nothing).
    const plain = await exec(setuidId, [], { uid: NOBODY, gid: NOBODY, groups: [] });
    if (!/euid=0/.test(plain.stdout as string)) return t.skip(`set-uid has no effect here (nosuid mount?): ${plain.stdout}`);
    const guarded = await exec(setuidId, [], { uid: NOBODY, gid: NOBODY, groups: [], noNewPrivs: true });
    assert.doesNotMatch(guarded.stdout as string, /euid=0/, 'no_new_privs must stop the set-uid gain');
    assert.match(guarded.stdout as string, new RegExp(`^uid=${NOBODY}\\b`));
    const status = await exec('/bin/cat', ['/proc/self/status'], { noNewPrivs: true });
    assert.match(status.stdout as string, /^NoNewPrivs:\s*1$/m);
    const without = await exec('/bin/cat', ['/proc/self/status']);
    assert.match(without.stdout as string, /^NoNewPrivs:\s*0$/m);
  });

  test('a failed drop never executes: setuid as nobody to root is EPERM at stage setuid', async (t) => {
    if (isRoot) return t.skip('covered as nobody by test/fault/stages.test.ts (runs when root)');
    try {
      spawn('/bin/true', [], { uid: 0, stdio: 'ignore' });
      assert.fail('spawn succeeded');
    } catch (error) {
      assert.equal((error as { stage?: string }).stage, 'setuid');
    }
  });
});
