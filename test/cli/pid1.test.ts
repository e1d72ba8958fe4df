// Problem 5: in a PID namespace the first process is PID 1, and the kernel applies no default
// action to PID 1, so a SIGTERM it does not catch does nothing. inspect says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/cli.js';
import { isRoot } from '../helpers/proc.js';

test('inspect 1 inside a new PID namespace names the signals PID 1 does not catch', { timeout: 20_000 }, (t) => {
  if (!isRoot) return t.skip('needs root for unshare --pid');
  const probe = spawnSync('unshare', ['-fp', '--mount-proc', 'true'], { timeout: 5000 });
  if (probe.error || probe.status !== 0) return t.skip(`unshare --pid unavailable: ${probe.error?.message ?? probe.stderr.toString().trim()}`);
  // sh is PID 1 there and catches nothing; it runs procctl as its child.
  const r = spawnSync('unshare', ['-fp', '--mount-proc', 'sh', '-c', `'${process.execPath}' '${CLI}' inspect 1; '${process.execPath}' '${CLI}' tree --json`], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /PID 1 does not catch SIGTERM/);
  const tree = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { pid: number; children: Array<{ cmd: string }> };
  assert.equal(tree.pid, 1);
  assert.ok(tree.children.some((c) => c.cmd.includes('tree --json')));
});
