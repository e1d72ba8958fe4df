// No fd leaks into a child. The scenario process starts with fds 7 and 9 open WITHOUT close-on-exec
// (as a careless library or a parent shell would leave them), plus the pipes of another running
// child. A child spawned with the default closeFds must hold exactly its stdio; with closeFds:false
// only the non-CLOEXEC fds may pass; and neither it nor a concurrent node:child_process child may
// ever receive the pipes procctl created for someone else.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { distRoot, runNodeScenario, scenarioPrelude } from '../helpers/reliability.js';

describe('security: fds', { timeout: 30_000 }, () => {
  test('stdio only by default; other children never get our pipes; nothing left after', async () => {
    const source = `${scenarioPrelude()}
      import { spawn as nodeSpawn } from 'node:child_process';
      import { native } from ${JSON.stringify(join(distRoot, 'lib', 'native.js'))};
      // Node marks the fds it inherits close-on-exec at startup: make 7 and 9 inheritable again,
      // as a careless library would leave its own fds.
      native().cloexecFrom([7, 9]);
      await rel.warmUp();
      const base = rel.holdings();
      const targets = (pid) => Object.fromEntries(proc.fdTargets(pid));
      const withPipes = procctl.spawn('/bin/sleep', ['30'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const plain = procctl.spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
      const keeping = procctl.spawn('/bin/sleep', ['30'], { stdio: 'ignore', closeFds: false });
      const viaNode = nodeSpawn('/bin/sleep', ['30'], { stdio: 'ignore' });
      for (const pid of [withPipes.pid, plain.pid, keeping.pid, viaNode.pid]) await rel.waitUntilSleeping(pid);
      const seen = {
        caller: targets(process.pid),
        withPipes: targets(withPipes.pid),
        plain: targets(plain.pid),
        keeping: targets(keeping.pid),
        viaNode: targets(viaNode.pid),
      };
      for (const c of [withPipes, plain, keeping]) { c.kill('SIGKILL'); for (const s of c.stdio) s?.destroy(); await c.exited; }
      viaNode.kill('SIGKILL');
      await new Promise((resolve) => viaNode.once('exit', resolve));
      report({ seen, leaks: await rel.settleLeaks(base) });
    `;
    // The wrapper shell opens 7 and 9 and execs node with them.
    const r = await runNodeScenario(source, { wrapper: ['/bin/sh', '-c', 'exec 7</dev/null 9<>/dev/null; exec "$@"', 'sh'] });
    assert.ok(r.report, `scenario failed (${r.code ?? r.signal}): ${r.stderr}`);
    const seen = r.report.seen as Record<string, Record<string, string>>;
    const fdsOf = (name: string): number[] => Object.keys(seen[name] ?? {}).map(Number).sort((a, b) => a - b);
    assert.ok(fdsOf('caller').includes(7) && fdsOf('caller').includes(9), 'the scenario has fds 7 and 9');

    assert.deepEqual(fdsOf('withPipes'), [0, 1, 2]);
    assert.deepEqual(fdsOf('plain'), [0, 1, 2]);
    const pipes = new Set(Object.values(seen.withPipes ?? {}).filter((t) => t.startsWith('pipe:')));
    assert.equal(pipes.size, 3, 'three pipes for the first child');

    // closeFds: false passes what the caller left inheritable (7, 9) and nothing marked CLOEXEC.
    assert.ok(fdsOf('keeping').includes(7) && fdsOf('keeping').includes(9), `closeFds:false keeps 7 and 9: ${fdsOf('keeping')}`);
    for (const name of ['plain', 'keeping', 'viaNode']) {
      for (const [fd, target] of Object.entries(seen[name] ?? {})) {
        assert.ok(!pipes.has(target), `${name} received another child's pipe on fd ${fd} (${target})`);
      }
    }
    assert.deepEqual(r.report.leaks, []);
  });
});
