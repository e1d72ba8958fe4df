// Fault injection at each child-setup stage: make exactly one step fail and check that spawn()
// throws a SpawnError naming that stage (with errno code and, where it has one, the path), that the
// program never ran, and that nothing is left behind: no fd, no child, no zombie.
// Steps that only fail for an unprivileged caller (setgroups, setgid, setuid, raising a hard
// rlimit) run in a separate Node process started as nobody.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, SpawnError, type SpawnOptions } from '../../lib/index.js';
import { isRoot, readStat } from '../helpers/proc.js';
import { NOBODY, hasTool, holdings, runNodeScenario, scenarioPrelude, settleLeaks, warmUp } from '../helpers/reliability.js';

interface StageCase {
  name: string;
  file?: string;
  args?: string[];
  options: SpawnOptions;
  stage: string;
  codes: string[];
  /** Expected error.path, when the stage has one. */
  path?: string;
}

/** A live process group of some other session (setpgid into it must fail with EPERM). */
function groupInAnotherSession(): number | undefined {
  const ownSid = readStat(process.pid).sid;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readStat(Number(name));
      if (stat.sid !== ownSid && stat.pgid > 0 && stat.state !== 'Z') return stat.pgid;
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

/** Spawn, expect a SpawnError, return it (or fail with what happened instead). */
async function expectSpawnFailure(c: StageCase): Promise<SpawnError> {
  let child;
  try {
    child = spawn(c.file ?? '/bin/true', c.args ?? [], { stdio: 'ignore', ...c.options });
  } catch (error) {
    assert.ok(SpawnError.is(error), `${c.name}: expected a SpawnError, got ${String(error)}`);
    return error;
  }
  const r = await child.exited;
  assert.fail(`${c.name}: spawn succeeded (exit ${r.code ?? r.signal}); expected stage ${c.stage}`);
}

describe('fault: each child setup stage reports itself and leaves nothing', { timeout: 60_000 }, () => {
  let dir = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procctl-fault-'));
    writeFileSync(join(dir, 'not-executable'), '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    writeFileSync(join(dir, 'garbage'), '\x7fELF this is not a program', { mode: 0o755 });
    writeFileSync(join(dir, 'a-file'), '');
    mkdirSync(join(dir, 'locked'), { mode: 0o700 });
    chmodSync(join(dir, 'locked'), 0o700);
    await warmUp();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases = (): StageCase[] => [
    { name: 'exec: missing file', file: join(dir, 'missing'), options: {}, stage: 'exec', codes: ['ENOENT'], path: join(dir, 'missing') },
    { name: 'exec: not found on PATH', file: 'procctl-no-such-program', options: { env: { PATH: dir } }, stage: 'exec', codes: ['ENOENT'], path: 'procctl-no-such-program' },
    { name: 'exec: no execute permission', file: join(dir, 'not-executable'), options: {}, stage: 'exec', codes: ['EACCES'] },
    { name: 'exec: a directory', file: dir, options: {}, stage: 'exec', codes: ['EACCES'] },
    { name: 'exec: not a program', file: join(dir, 'garbage'), options: {}, stage: 'exec', codes: ['ENOEXEC'] },
    { name: 'exec: argument list too long', file: '/bin/true', args: ['x'.repeat(200 * 1024)], options: {}, stage: 'exec', codes: ['E2BIG'] },
    { name: 'chdir: missing directory', options: { cwd: join(dir, 'missing') }, stage: 'chdir', codes: ['ENOENT'], path: join(dir, 'missing') },
    { name: 'chdir: a file', options: { cwd: join(dir, 'a-file') }, stage: 'chdir', codes: ['ENOTDIR'], path: join(dir, 'a-file') },
    {
      name: 'chdir: no permission after dropping to nobody',
      options: { cwd: join(dir, 'locked'), uid: NOBODY, gid: NOBODY, groups: [] },
      stage: 'chdir',
      codes: ['EACCES'],
      path: join(dir, 'locked'),
    },
    { name: 'fd: stdio names a closed fd', options: { stdio: ['ignore', 'ignore', 'ignore', 987_654] }, stage: 'fd', codes: ['EBADF'] },
    // nofile 3 leaves room for fds 0-2, but parent fd 1 must first move above them (to fd >= 3).
    { name: 'fd: rlimit nofile below the fd plan', options: { stdio: [1, 'ignore', 'ignore'], rlimits: { nofile: 3 } }, stage: 'fd', codes: ['EBADF', 'EMFILE', 'EINVAL'] },
    { name: 'cgroup: not a cgroup directory', options: { cgroup: join(dir, 'missing-cgroup') }, stage: 'cgroup', codes: ['ENOENT'], path: join(dir, 'missing-cgroup') },
  ];

  test('as root: exec, chdir, fd, cgroup, setpgid', async (t) => {
    if (!isRoot) return t.skip('needs root (the chdir case drops to nobody)');
    const all = cases();
    // setpgid into a group of another session is refused (EPERM).
    const foreign = groupInAnotherSession();
    if (foreign !== undefined) {
      all.push({ name: 'setpgid: a group in another session', options: { group: foreign }, stage: 'setpgid', codes: ['EPERM'] });
    }
    for (const c of all) {
      const baseline = holdings();
      const error = await expectSpawnFailure(c);
      assert.equal(error.stage, c.stage, `${c.name}: stage (${error.message})`);
      assert.ok(c.codes.includes(error.code), `${c.name}: code ${error.code} not in ${c.codes.join('/')}`);
      assert.equal(typeof error.errno, 'number');
      assert.ok(error.errno < 0, `${c.name}: errno is negative as in Node (${error.errno})`);
      if (c.path !== undefined) assert.equal(error.path, c.path, `${c.name}: path`);
      assert.deepEqual(await settleLeaks(baseline), [], `${c.name}: leaks`);
    }
  });

  /**
   * Run credential cases in a Node process started through setpriv (another uid, fewer
   * capabilities). Each case: the stages allowed to fail first, and the spawn options. The program
   * would write a marker file: it must never run.
   */
  async function credentialScenario(wrapper: string[], cases: Array<[string[], SpawnOptions]>): Promise<void> {
    const marker = join(dir, 'ran');
    const source = `${scenarioPrelude()}
      await rel.warmUp();
      const out = [];
      for (const options of ${JSON.stringify(cases.map(([, options]) => options))}) {
        const base = rel.holdings();
        const outcome = await attempt('/bin/sh', ['-c', 'echo ran > ' + ${JSON.stringify(marker)}], { stdio: 'ignore', ...options });
        out.push({ outcome, leaks: await rel.settleLeaks(base) });
      }
      report({ out });
    `;
    const r = await runNodeScenario(source, { wrapper });
    assert.ok(r.report, `scenario failed (${r.code ?? r.signal}): ${r.stderr}`);
    const out = r.report.out as Array<{ outcome: { error?: { stage: string; code: string }; spawnError?: boolean; ok: boolean }; leaks: string[] }>;
    out.forEach(({ outcome, leaks }, i) => {
      const [stages, options] = cases[i] as [string[], SpawnOptions];
      const what = JSON.stringify(options);
      assert.ok(!outcome.ok, `${what}: the program ran although a step must fail`);
      assert.equal(outcome.spawnError, true, `${what}: SpawnError`);
      assert.ok(stages.includes(outcome.error?.stage ?? ''), `${what}: stage ${outcome.error?.stage} not in ${stages.join('/')}`);
      assert.equal(outcome.error?.code, 'EPERM', `${what}: code`);
      assert.deepEqual(leaks, [], `${what}: leaks`);
    });
    assert.equal(existsSync(marker), false, 'no case may have executed the program');
  }

  test('as nobody: setgroups, setgid, setuid, rlimit fail with EPERM and never exec', async (t) => {
    if (!isRoot) return t.skip('needs root to start the scenario as nobody');
    if (!(await hasTool('setpriv'))) return t.skip('setpriv (util-linux) not installed');
    // A uid or gid change clears the supplementary groups first, so without CAP_SETGID the
    // setgroups step is the one that fails for gid and uid too.
    await credentialScenario(
      ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'],
      [
        [['setgroups'], { groups: [0] }],
        [['setgroups', 'setgid'], { gid: 0 }],
        [['setgroups', 'setuid'], { uid: 0 }],
        [['rlimit'], { rlimits: { nofile: [64, 1 << 30] } }],
      ],
    );
  });

  test('as root without CAP_SETUID: groups and gid change, then setuid fails, and nothing runs', async (t) => {
    if (!isRoot) return t.skip('needs root');
    if (!(await hasTool('setpriv'))) return t.skip('setpriv (util-linux) not installed');
    await credentialScenario(
      ['setpriv', '--inh-caps=-setuid', '--bounding-set=-setuid'],
      [[['setuid'], { uid: NOBODY, gid: NOBODY, groups: [NOBODY] }]],
    );
  });
});
