// One exec-failure mapping everywhere: ENOENT and ENOTDIR give 127, EACCES and ENOEXEC give 126,
// through `procctl exec`, `procctl init` (the static init) and reaper containment (the same
// static init in contained mode, behind the Supervisor).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supervisor } from '../../lib/supervisor/supervisor.js';
import { isOneErrorLine, runCli, tempDir } from '../helpers/cli.js';
import { withDeadline } from '../helpers/proc.js';
import { reaperMissing } from '../helpers/supervisor.js';

/** [case, errno it provokes, expected status, path] for files made in `dir`. */
function cases(dir: string): Array<[string, string, number, string]> {
  const plain = join(dir, 'plain');
  writeFileSync(plain, 'not executable\n');
  chmodSync(plain, 0o644);
  const garbage = join(dir, 'garbage');
  writeFileSync(garbage, Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0x0a]));
  chmodSync(garbage, 0o755);
  return [
    ['missing file', 'ENOENT', 127, join(dir, 'missing')],
    ['a file used as a directory', 'ENOTDIR', 127, join(plain, 'x')],
    ['no execute permission', 'EACCES', 126, plain],
    ['not an executable format', 'ENOEXEC', 126, garbage],
  ];
}

async function underReaper(file: string): Promise<number | null> {
  const supervisor = new Supervisor({ children: [{ name: 'x', file, contain: 'reaper', restart: 'never', options: { stdio: 'ignore' } }] });
  try {
    const exited = new Promise((resolve) => supervisor.once('exit', resolve));
    await supervisor.start();
    await withDeadline(exited, 10_000, 'the child exit');
    return supervisor.status()[0]!.lastExit?.code ?? null;
  } finally {
    await supervisor.stop();
  }
}

describe('exec failures: one mapping for exec, init and reaper containment', { timeout: 60_000 }, () => {
  const dir = tempDir();
  after(() => dir.remove());
  for (const [what, errno, status, path] of cases(dir.path)) {
    test(`${what} (${errno}) → ${status}`, async (t) => {
      for (const command of ['exec', 'init'] as const) {
        const result = await runCli([command, '--', path]);
        assert.equal(result.code, status, `procctl ${command}: ${result.stderr}`);
        assert.ok(isOneErrorLine(result.stderr), `procctl ${command}: ${result.stderr}`);
      }
      const why = reaperMissing();
      if (why !== null) return t.skip(`reaper containment: ${why}`);
      assert.equal(await underReaper(path), status, 'reaper containment');
    });
  }
});
